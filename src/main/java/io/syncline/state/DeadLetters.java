package io.syncline.state;

import io.syncline.value.Redaction;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The records that could not be synced (a value the mapping or a side refused, a record a webhook named that could not
 * be read), per pair, side and id: kept in the state store, and known in memory so that a poll asks no query per record
 * it reads.
 */
@ApplicationScoped
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    /** For {@link #clear}: whenever a dead letter was recorded (an operator discards it, whatever the record holds now). */
    public static final long ANY = Long.MAX_VALUE;

    @Inject
    SyncState state;

    /**
     * The dead letters, as pair/side/id, each with the stamp of when it was last recorded (see {@link #cleared}).
     */
    private final Map<String, Long> deadLettered = new ConcurrentHashMap<>();
    private final AtomicLong stamps = new AtomicLong();

    @PostConstruct
    void load() {
        try (Connection c = state.connect(); PreparedStatement ps = c.prepareStatement("SELECT pair, side, record_id FROM dead_letters");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                deadLettered.put(key(rs.getString(1), rs.getString(2), rs.getString(3)), stamps.incrementAndGet());
            }
        } catch (SQLException e) {
            throw SyncState.failure("read the dead letters", e);
        }
    }

    /**
     * The stamp of the dead letter recorded last. A caller takes it before it reads the records whose dead letters it may
     * {@link #clear}: one recorded after that read (a poll found a later edit refused) is not the caller's to clear.
     */
    public long stamp() {
        return stamps.get();
    }

    /**
     * Removes the dead letters of records that have now synced, in the caller's transaction, and returns them (with their
     * stamps): once that transaction has committed, the caller hands them to {@link #cleared}. Until then they
     * are still known as dead letters, so a transaction that rolls back leaves memory as it leaves the store.
     *
     * @param readAt the {@link #stamp} taken before the records were read: a dead letter recorded since stays
     */
    public Map<String, Long> clear(Connection c, String pair, String side, Collection<String> recordIds, long readAt) throws SQLException {
        Map<String, Long> cleared = new HashMap<>();
        for (String id : recordIds) {
            String key = key(pair, side, id);
            Long stamp = deadLettered.get(key);
            if (stamp != null && stamp <= readAt) {
                cleared.put(key, stamp);
            }
        }
        if (cleared.isEmpty()) {
            return Map.of(); // the usual case: no dead letter among them, nothing to ask the store
        }
        List<String> letters = recordIds.stream().filter(id -> cleared.containsKey(key(pair, side, id))).toList();
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM dead_letters WHERE pair = ? AND side = ? AND record_id = ?")) {
            for (String id : letters) {
                ps.setString(1, pair);
                ps.setString(2, side);
                ps.setString(3, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return cleared;
    }

    /**
     * Dead letters a committed transaction removed ({@link #clear}): no longer known in memory either, unless
     * one was recorded again meanwhile (a poll found the record refused again while the transaction held its row): then
     * the store holds it again too, and so does memory.
     */
    public void cleared(Map<String, Long> cleared) {
        cleared.forEach(deadLettered::remove);
    }

    /**
     * Stores (or refreshes) a record that could not be synced; the reader moves on past it.
     * Returns true when the record was not a dead letter before.
     */
    public boolean store(String pair, String side, String recordId, String reason, String record) {
        deadLettered.put(key(pair, side, recordId), stamps.incrementAndGet());
        long now = System.currentTimeMillis();
        String shortReason = truncate(reason, 2000);
        String shortRecord = truncate(record, 4000);
        try (Connection c = state.connect()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE dead_letters SET reason = ?, record = ?, last_seen = ?, attempts = attempts + 1 WHERE pair = ? AND side = ? AND record_id = ?")) {
                ps.setString(1, shortReason);
                ps.setString(2, shortRecord);
                ps.setLong(3, now);
                ps.setString(4, pair);
                ps.setString(5, side);
                ps.setString(6, recordId);
                if (ps.executeUpdate() > 0) {
                    LOG.debugf("pair '%s', side '%s', record %s: still a dead letter: %s", pair, side, recordId, reason);
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO dead_letters (pair, side, record_id, reason, record, first_seen, last_seen, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 1)")) {
                ps.setString(1, pair);
                ps.setString(2, side);
                ps.setString(3, recordId);
                ps.setString(4, shortReason);
                ps.setString(5, shortRecord);
                ps.setLong(6, now);
                ps.setLong(7, now);
                ps.executeUpdate();
                LOG.warnf("pair '%s', side '%s', record %s: dead letter: %s", pair, side, recordId, Redaction.of(reason)); // values: API only
                return true;
            }
        } catch (SQLException e) {
            throw SyncState.failure("store a dead letter of pair '" + pair + "'", e);
        }
    }

    /** The pair's dead letters, the most recently seen first. */
    public List<DeadLetter> list(String pair, int limit) {
        List<DeadLetter> letters = new ArrayList<>();
        try (Connection c = state.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT side, record_id, reason, record, first_seen, last_seen, attempts FROM dead_letters WHERE pair = ? ORDER BY last_seen DESC, record_id")) {
            ps.setString(1, pair);
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    letters.add(new DeadLetter(pair, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)), rs.getInt(7)));
                }
            }
            return letters;
        } catch (SQLException e) {
            throw SyncState.failure("read the dead letters of pair '" + pair + "'", e);
        }
    }

    /**
     * True when the record has a dead letter. A record read as its link holds it, that has one (the other side refused
     * it, or it held a value the mapping refuses and was set back), is not skipped: what the other side changed meanwhile
     * waited for it. Its dead letter is cleared only when its window is applied; cleared at the read, a crash before the
     * window is stored would have the record skipped when it is read again, and that change lost.
     */
    public boolean has(String pair, String side, String recordId) {
        return deadLettered.containsKey(key(pair, side, recordId));
    }

    /** Removes a record's dead letter (in sync, or an operator discarded it); returns true when it had one. */
    public boolean discard(String pair, String side, String recordId) {
        if (!deadLettered.containsKey(key(pair, side, recordId))) {
            return false;
        }
        try (Connection c = state.connect()) {
            cleared(clear(c, pair, side, List.of(recordId), ANY)); // the connection commits each statement
            return true;
        } catch (SQLException e) {
            throw SyncState.failure("clear a dead letter of pair '" + pair + "'", e);
        }
    }

    private static String key(String pair, String side, String recordId) {
        return pair + "/" + side + "/" + recordId;
    }

    /** The pair's dead letters in the store. */
    public long count(String pair) {
        return state.count("SELECT COUNT(*) FROM dead_letters WHERE pair = ?", pair);
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
