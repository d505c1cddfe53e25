package io.syncline.state;

import io.syncline.pair.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import io.syncline.system.Position;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The durable side of two-way pairs' windows, in {@code pending_changes}: the ids of the records each
 * window holds, per side. The open window of a pair has batch id ''. Each page added is stored together
 * with its side's cursor in one transaction, so the cursor passes a change only once the change is safe
 * here. A window that closes takes its exchange id as batch id and is deleted when applied
 * ({@link #forget}); one that failed, or was cut short by a crash, is found again ({@link #stranded})
 * and applied again by Syncline's window recovery. Applying twice is harmless. The Camel aggregation
 * repository that the pair files name is an adapter over this store (io.syncline.flow.WindowRepository).
 */
@ApplicationScoped
public class PendingChanges {

    /**
     * A page of changes of one side, to be stored in its pair's open window.
     *
     * @param hashes the changed records' ids, each with the hash of its content
     * @param end     the position the side's cursor moves to, or null
     * @param resyncs the pair's resyncs its poll had seen ({@link SyncState#resyncs})
     */
    public record StoredPage(Role side, String sideName, Map<String, String> hashes, Position end, long resyncs) {
    }

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PendingChanges.class);
    private static final String OPEN = "";
    private static final List<String> COLUMNS = List.of("pair", "batch_id", "side", "record_id", "added_at");

    @Inject
    SyncState state;

    /** Change keys waiting in a window of this process, not applied yet: a re-read inside the lookback need not be staged again. */
    private final Map<String, String> waiting = new ConcurrentHashMap<>(); // pair/side/id -> hash
    /** Windows closed by this process, until applied or failed, with when: recovery leaves them to the aggregator. */
    private final Map<String, Long> closed = new ConcurrentHashMap<>();
    /**
     * A window closed by this process this long ago and neither applied nor failed is taken by recovery all the same: a
     * safety net only. Closed windows wait in turn for the aggregator's thread, for minutes when a pair has fallen behind;
     * taken by recovery too, each would be applied twice.
     */
    private static final long APPLY_GRACE_MILLIS = Duration.ofMinutes(15).toMillis();
    /** Stores pages of the pair's open window, with their sides' cursors, in one transaction. */
    public void store(String pair, List<StoredPage> pages) {
        try (Connection c = state.connect()) {
            c.setAutoCommit(false);
            try {
                long now = System.currentTimeMillis();
                for (StoredPage page : pages) {
                    insert(c, pair, OPEN, page.side().key(), List.copyOf(page.hashes().keySet()), now);
                    if (page.end() != null) {
                        state.advance(c, pair, page.sideName(), page.end(), page.hashes().size(), now, page.resyncs());
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw SyncState.failure("store the changes of pair '" + pair + "'", e);
        }
        pages.forEach(p -> p.hashes().forEach((id, hash) -> waiting.put(record(pair, p.sideName(), id), hash)));
    }

    /** Stores record ids for a window; used for pages and for reconciliation's findings. */
    void insert(Connection c, String pair, String batch, String side, List<String> ids, long now) throws SQLException {
        List<String> unique = List.copyOf(new LinkedHashSet<>(ids));
        int perStatement = 1000;
        for (int from = 0; from < unique.size(); from += perStatement) {
            List<String> slice = unique.subList(from, Math.min(unique.size(), from + perStatement));
            try (PreparedStatement ps = c.prepareStatement(state.ownTables().upsert("pending_changes", COLUMNS,
                    List.of("pair", "batch_id", "side", "record_id"), slice.size()))) {
                int i = 1;
                for (String id : slice) {
                    ps.setString(i++, pair);
                    ps.setString(i++, batch);
                    ps.setString(i++, side);
                    ps.setString(i++, id);
                    ps.setLong(i++, now);
                }
                ps.executeUpdate();
            }
        }
    }

    /** The ids the pair's open window holds, per side; empty when it has none. */
    public Map<Role, Set<String>> open(String pair) {
        return load(pair, OPEN);
    }

    /** Closes the pair's open window: its changes now belong to window {@code windowId}, to be applied. */
    public void close(String pair, String windowId) {
        // known as this process's before the close commits: a recovery scan in between would take it as stranded
        closed.put(windowId, System.currentTimeMillis());
        try (Connection c = state.connect();
                PreparedStatement ps = c.prepareStatement("UPDATE pending_changes SET batch_id = ? WHERE pair = ? AND batch_id = ?")) {
            ps.setString(1, windowId);
            ps.setString(2, pair);
            ps.setString(3, OPEN);
            ps.executeUpdate();
        } catch (SQLException e) {
            closed.remove(windowId);
            throw SyncState.failure("close the window of pair '" + pair + "'", e);
        }
        LOG.debugf("pair '%s': window %s closed", pair, windowId);
    }

    /**
     * The apply of window {@code windowId} failed: it is no longer under way, and recovery takes it once the pair's backoff
     * has passed. The pair's other windows closed by this process, waiting for their turn, stay the aggregator's.
     */
    public void failed(String windowId) {
        closed.remove(windowId);
    }

    /**
     * A window applied: its changes are forgotten. After a window of {@link #MANY} changes or more, the rows it passed
     * through (its pending changes, its intents) are cleared where the database leaves them to a vacuum
     * ({@link SyncState#clearPassedRows}).
     */
    public void forget(String pair, String exchangeId) {
        int forgotten;
        // the pair leads the key: without it, the delete reads every pair's pending changes
        try (Connection c = state.connect();
                PreparedStatement ps = c.prepareStatement("DELETE FROM pending_changes WHERE pair = ? AND batch_id = ?")) {
            ps.setString(1, pair);
            ps.setString(2, exchangeId);
            forgotten = ps.executeUpdate();
        } catch (SQLException e) {
            throw SyncState.failure("forget an applied window", e);
        }
        closed.remove(exchangeId);
        LOG.debugf("window %s applied and forgotten", exchangeId);
        if (forgotten >= MANY) {
            state.clearPassedRows();
        }
    }

    /** Changes in a window that make it worth clearing the rows they passed through: a page at the pairs' default size. */
    static final int MANY = 1000;

    /** The pair itself when it has an open window with changes, else nothing: the aggregator's correlation keys. */
    public Set<String> keys(String pair) {
        // asked again and again by the aggregator's timer: one row says it, where DISTINCT read the whole open window
        return distinct("SELECT pair FROM pending_changes WHERE batch_id = ? AND pair = ? LIMIT 1", OPEN, pair);
    }

    Set<String> scan(String pair) {
        long now = System.currentTimeMillis();
        Set<String> batches = distinct("SELECT DISTINCT batch_id FROM pending_changes WHERE batch_id <> ? AND pair = ?", OPEN, pair);
        batches.removeIf(id -> {
            Long closedAt = closed.get(id);
            return closedAt != null && now - closedAt < APPLY_GRACE_MILLIS;
        });
        return batches;
    }

    /**
     * Windows of the pair that were closed but not applied: by a process that stopped (killed) or
     * by an apply that failed (taken at once: recovery waits for the pair's backoff), or closed by this process more than a
     * grace period ago and neither applied nor failed. By window (exchange) id.
     */
    public Map<String, Map<Role, Set<String>>> stranded(String pair) {
        Map<String, Map<Role, Set<String>>> windows = new java.util.LinkedHashMap<>();
        for (String id : scan(pair)) {
            Map<Role, Set<String>> window = load(pair, id);
            if (!window.isEmpty()) { // else applied and forgotten since the scan read it
                windows.put(id, window);
            }
        }
        return windows;
    }

    /** True when this change (same record, same content) already waits in a window. */
    public boolean isWaiting(String pair, String sideName, String id, String hash) {
        return hash.equals(waiting.get(record(pair, sideName, id)));
    }

    /** Called once a window is applied: these changes of one side no longer wait. */
    public void applied(String pair, String sideName, Collection<String> ids) {
        for (String id : ids) {
            waiting.remove(record(pair, sideName, id));
        }
    }

    private static String record(String pair, String side, String id) {
        return pair + "/" + side + "/" + id;
    }

    /** Windows of the pair stored but not yet applied (open or closed). */
    public long pending(String pair) {
        Set<String> any = distinct("SELECT DISTINCT batch_id FROM pending_changes WHERE pair = ?", pair, null);
        return any.size();
    }

    private Map<Role, Set<String>> load(String pair, String batch) {
        Map<Role, Set<String>> window = new java.util.EnumMap<>(Role.class);
        try (Connection c = state.connect();
                PreparedStatement ps = c.prepareStatement("SELECT side, record_id FROM pending_changes WHERE pair = ? AND batch_id = ?")) {
            ps.setString(1, pair);
            ps.setString(2, batch);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    window.computeIfAbsent(Role.of(rs.getString(1)), k -> new LinkedHashSet<>()).add(rs.getString(2));
                }
            }
            return window;
        } catch (SQLException e) {
            throw SyncState.failure("read the pending changes of pair '" + pair + "'", e);
        }
    }

    private Set<String> distinct(String sql, String parameter, String second) {
        Set<String> values = new LinkedHashSet<>();
        try (Connection c = state.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            if (second != null) {
                ps.setString(2, second);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
            return values;
        } catch (SQLException e) {
            throw SyncState.failure("read the pending changes", e);
        }
    }
}
