package io.syncline.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.system.SynclineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Record history: for each link of a two-way pair, the decisions that touched it (when, which side changed
 * which fields, which rule decided, old and new values), stored with the window that made them and kept for
 * {@code syncline.history.keep}. It answers "why does this field hold this value?". The values of a pair's
 * sensitive fields are never stored: their entries say that the field changed, not to what.
 */
@ApplicationScoped
public class History {

    /** What an entry holds in place of a sensitive field's values. */
    public static final String SENSITIVE = "(sensitive)";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    /** The longest text value an entry keeps; longer ones are cut (the record holds the rest). */
    private static final int LONGEST = 1000;
    /** How often the entries older than the retention are deleted, at most. */
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);

    @Inject
    SyncState state;

    @Inject
    SynclineConfig config;

    private final AtomicLong lastPurge = new AtomicLong();

    /**
     * One field of a decision.
     *
     * @param from      the value both sides agreed on before (the base); null for a new link
     * @param to        the value both sides hold after
     * @param changedOn the side whose edit brought the new value: "a", "b" or "both"; "operator" for a decision
     * @param rule      the rule that chose between two edits (a-wins, b-wins, last-writer-wins, operator), or null when only
     *                  one side changed the field
     * @param written   the sides Syncline wrote the new value to
     */
    public record Change(String field, Object from, Object to, String changedOn, String rule, List<String> written) {
    }

    /**
     * One decision about one link.
     *
     * @param what what happened: "synced", "created on a", "created on b", "matched", "left for review", "decided by an operator",
     *             "deleted on a, deleted on b (aDeletes: delete)" (also "marked on", "kept on")
     */
    public record Entry(String aId, String bId, Instant at, String what, List<Change> changes) {
    }

    /** Stores entries inside the caller's transaction (the window's state commit). */
    public void record(Connection c, String pair, List<Entry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO record_history (pair, a_id, b_id, decided_at, entry) VALUES (?, ?, ?, ?, ?)")) {
            for (Entry entry : entries) {
                ps.setString(1, pair);
                ps.setString(2, entry.aId());
                ps.setString(3, entry.bId());
                ps.setLong(4, entry.at().toEpochMilli());
                ps.setString(5, write(entry));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Deletes the entries past the retention, at most every {@link #PURGE_EVERY}, in a transaction of its own. */
    public void purgeIfDue() {
        long now = System.currentTimeMillis();
        long last = lastPurge.get();
        if (now - last <= PURGE_EVERY.toMillis() || !lastPurge.compareAndSet(last, now)) {
            return;
        }
        try (Connection c = state.connect(); PreparedStatement ps = c.prepareStatement("DELETE FROM record_history WHERE decided_at < ?")) {
            ps.setLong(1, now - config.history().keep().toMillis());
            ps.executeUpdate();
        } catch (SQLException e) {
            lastPurge.set(last); // tried again with the next window
            throw new IllegalStateException("the record history past its retention could not be deleted: " + e.getMessage(), e);
        }
    }

    /**
     * The latest entries of a record, by its id on one side, newest first, within the retention; also those of a link that
     * ended (both records deleted).
     */
    public List<Entry> of(String pair, io.syncline.pair.Role side, String id, int limit) {
        List<Entry> entries = new ArrayList<>();
        try (Connection c = state.connect(); PreparedStatement ps = c.prepareStatement("SELECT entry FROM record_history WHERE pair = ? AND "
                + side.key() + "_id = ? AND decided_at >= ? ORDER BY decided_at DESC")) {
            ps.setString(1, pair);
            ps.setString(2, id);
            ps.setLong(3, System.currentTimeMillis() - config.history().keep().toMillis());
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(JSON.readValue(rs.getString(1), Entry.class));
                }
            }
            return entries;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("pair '" + pair + "': the history of record " + id + " of side " + side.key() + " could not be read: " + e.getMessage(), e);
        }
    }

    private static String write(Entry entry) {
        try {
            return JSON.writeValueAsString(new Entry(entry.aId(), entry.bId(), entry.at(), entry.what(), entry.changes().stream()
                    .map(c -> new Change(c.field(), plain(c.from()), plain(c.to()), c.changedOn(), c.rule(), c.written())).toList()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A canonical value as JSON shows it: times and dates as ISO text, bytes as hex, long texts cut at {@link #LONGEST}. */
    private static Object plain(Object value) {
        if (value instanceof Instant || value instanceof LocalDate || value instanceof LocalDateTime) {
            return value.toString();
        }
        if (value instanceof byte[] bytes) {
            return cut(HexFormat.of().formatHex(bytes));
        }
        if (value instanceof java.util.Map<?, ?> bySide) { // a conflict's values of both sides
            java.util.Map<Object, Object> plain = new java.util.LinkedHashMap<>();
            bySide.forEach((k, v) -> plain.put(k, plain(v)));
            return plain;
        }
        return value instanceof String text ? cut(text) : value;
    }

    private static String cut(String text) {
        return text.length() > LONGEST ? text.substring(0, LONGEST) + "…" : text;
    }
}
