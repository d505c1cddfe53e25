package io.syncline.state;

import io.syncline.pair.Role;
import io.syncline.change.Window;
import io.syncline.change.Change;
import io.syncline.change.ChangeKey;
import io.syncline.change.Page;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.AggregationRepository;
import org.apache.camel.support.DefaultExchange;

/**
 * The durable side of two-way pairs' windows; each pair's aggregator uses its own
 * {@link #repository(String) repository}, registered as the bean {@code pendingChanges-<pair>}
 * (two aggregators sharing one repository would complete and recover each other's windows). The open window of a pair (correlation
 * key = pair name) lives in memory and in {@code pending_changes} with batch id ''. Each page added
 * is stored together with its side's cursor in one transaction, so the cursor passes a change only
 * once the change is safe here. A window that closes is tagged with its exchange id and deleted
 * when applied ({@link #confirm}); one that failed, or was cut short by a crash, is found again
 * ({@link #stranded}) and applied again by Syncline's window recovery. Applying twice is harmless.
 */
@ApplicationScoped
public class PendingChanges {

    /** The bean name of a pair's aggregation repository, as its pair file names it. */
    public static String beanName(String pair) {
        return "pendingChanges-" + pair;
    }

    /** The aggregation repository of one pair's window: its keys and batches only. */
    public AggregationRepository repository(String pair) {
        return new Repository(pair);
    }

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PendingChanges.class);
    private static final String OPEN = "";
    private static final List<String> COLUMNS = List.of("pair", "batch_id", "side", "record_id", "added_at");

    @Inject
    SyncState state;

    private final Map<String, Exchange> open = new ConcurrentHashMap<>();
    /** Change keys waiting in a window of this process, not applied yet: a re-read inside the lookback need not be staged again. */
    private final Map<String, String> waiting = new ConcurrentHashMap<>(); // pair/side/id -> hash
    /** Windows closed by this process and when: recovery leaves them to the apply under way for a while. */
    private final Map<String, Long> closedAt = new ConcurrentHashMap<>();
    private static final long APPLY_GRACE_MILLIS = 30_000;
    Exchange add(CamelContext context, String pair, Exchange exchange) {
        Window window = exchange.getMessage().getBody(Window.class);
        List<Page> pages = window.takeUnsaved();
        if (!pages.isEmpty()) {
            try (Connection c = state.connect()) {
                c.setAutoCommit(false);
                try {
                    long now = System.currentTimeMillis();
                    for (Page page : pages) {
                        insert(c, pair, OPEN, page.role().key(), page.staged().stream().map(Change::recordId).toList(), now);
                        if (page.end() != null) {
                            state.advance(c, pair, page.side().name(), page.end(), page.staged().size(), now);
                        }
                    }
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                IllegalStateException failure = SyncState.failure("store the changes of pair '" + pair + "'", e);
                pages.forEach(p -> p.written().completeExceptionally(failure));
                throw failure;
            }
            pages.forEach(p -> {
                p.staged().forEach(change -> waiting.put(record(change.pair(), change.side(), change.recordId()), change.hash()));
                p.written().complete(p.staged().size());
            });
        }
        open.put(pair, exchange);
        return exchange;
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

    Exchange get(CamelContext context, String pair) {
        Exchange cached = open.get(pair);
        if (cached != null) {
            return cached;
        }
        Window window = load(pair, OPEN);
        if (window.size() == 0) {
            return null;
        }
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(window);
        open.put(pair, exchange);
        return exchange;
    }

    void remove(CamelContext context, String pair, Exchange exchange) {
        try (Connection c = state.connect();
                PreparedStatement ps = c.prepareStatement("UPDATE pending_changes SET batch_id = ? WHERE pair = ? AND batch_id = ?")) {
            ps.setString(1, exchange.getExchangeId());
            ps.setString(2, pair);
            ps.setString(3, OPEN);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SyncState.failure("close the window of pair '" + pair + "'", e);
        }
        open.remove(pair);
        closedAt.put(exchange.getExchangeId(), System.currentTimeMillis());
        LOG.debugf("pair '%s': window %s closed", pair, exchange.getExchangeId());
    }

    void confirm(CamelContext context, String exchangeId) {
        try (Connection c = state.connect(); PreparedStatement ps = c.prepareStatement("DELETE FROM pending_changes WHERE batch_id = ?")) {
            ps.setString(1, exchangeId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SyncState.failure("forget an applied window", e);
        }
        closedAt.remove(exchangeId);
        LOG.debugf("window %s applied and forgotten", exchangeId);
    }

    Set<String> keys(String pair) {
        return distinct("SELECT DISTINCT pair FROM pending_changes WHERE batch_id = ? AND pair = ?", OPEN, pair);
    }

    Set<String> scan(String pair) {
        long now = System.currentTimeMillis();
        Set<String> batches = distinct("SELECT DISTINCT batch_id FROM pending_changes WHERE batch_id <> ? AND pair = ?", OPEN, pair);
        batches.removeIf(id -> now - closedAt.getOrDefault(id, 0L) < APPLY_GRACE_MILLIS);
        return batches;
    }

    /**
     * Windows of the pair that were closed but not applied: by a process that stopped (killed) or
     * by an apply that failed more than a grace period ago. By window (exchange) id.
     */
    public Map<String, Window> stranded(String pair) {
        Map<String, Window> windows = new java.util.LinkedHashMap<>();
        for (String id : scan(pair)) {
            windows.put(id, load(pair, id));
        }
        return windows;
    }

    /** A window applied outside the aggregator ({@link #stranded}): its changes are forgotten. */
    public void forget(String windowId) {
        confirm(null, windowId);
    }

    /** True when this change (same record, same content) already waits in a window. */
    public boolean isWaiting(ChangeKey key) {
        return key.hash().equals(waiting.get(record(key.pair(), key.side(), key.recordId())));
    }

    /** Called once a window is applied: its changes no longer wait. {@code sideName} names each side's system. */
    public void applied(Window window, Function<Role, String> sideName) {
        for (Role side : Role.values()) {
            for (String id : window.ids(side)) {
                waiting.remove(record(window.pair(), sideName.apply(side), id));
            }
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

    private Window load(String pair, String batch) {
        Window window = new Window(pair);
        try (Connection c = state.connect();
                PreparedStatement ps = c.prepareStatement("SELECT side, record_id FROM pending_changes WHERE pair = ? AND batch_id = ?")) {
            ps.setString(1, pair);
            ps.setString(2, batch);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    window.add(Role.of(rs.getString(1)), List.of(rs.getString(2)));
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

    /**
     * One pair's aggregation repository. A plain one, not a recoverable one: windows left by a stop or a failed
     * apply are applied by Syncline's own recovery (io.syncline.write.WindowRecovery), which goes on after a
     * failure where Camel's recovery task would stop for good.
     */
    private final class Repository implements AggregationRepository {
        private final String pair;

        Repository(String pair) {
            this.pair = pair;
        }

        @Override
        public Exchange add(CamelContext context, String key, Exchange exchange) {
            return PendingChanges.this.add(context, key, exchange);
        }

        @Override
        public Exchange get(CamelContext context, String key) {
            return PendingChanges.this.get(context, key);
        }

        @Override
        public void remove(CamelContext context, String key, Exchange exchange) {
            PendingChanges.this.remove(context, key, exchange);
        }

        @Override
        public void confirm(CamelContext context, String exchangeId) {
            PendingChanges.this.confirm(context, exchangeId);
        }

        @Override
        public Set<String> getKeys() {
            return keys(pair);
        }
    }
}
