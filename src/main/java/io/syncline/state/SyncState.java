package io.syncline.state;

import io.syncline.system.Position;
import io.syncline.system.Dialect;
import io.syncline.system.JdbcSystem;
import io.syncline.system.SynclineConfig;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.quarkus.main.events.AfterConfigure;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import io.syncline.system.SystemException;
import org.jboss.logging.Logger;

/**
 * Syncline's state store: migrated at start-up; cursors, the links of one-way pages, resyncs, pauses and each pair's
 * live status. Links, dead letters, windows and the rest have classes of their own in this package.
 */
@ApplicationScoped
public class SyncState {

    private static final Logger LOG = Logger.getLogger(SyncState.class);

    @Inject
    SynclineConfig config;

    @Inject
    LinkHashes remembered;

    @Inject
    DeadLetters deadLetters;

    @Inject
    Links links;

    private JdbcSystem store;
    private Dialect ownTables;
    /** This server's hold on the state store: one server uses it at a time. */
    private StateStoreLock lock;
    private final Map<String, PairStatus> statuses = new ConcurrentHashMap<>();
    /**
     * Per pair, twice the resyncs done since start, plus one while a resync is being stored (odd: a poll reads no cursor
     * then). A poll notes it before it reads its cursor; its pages move the cursor only if it is unchanged ({@link #advance}).
     */
    private final Map<String, AtomicLong> resyncs = new ConcurrentHashMap<>();
    /** False once the database refused to clear the dead rows of the state store's queues ({@link #clearPassedRows}). */
    private volatile boolean clearingPassedRows = true;

    @PostConstruct
    void migrate() {
        // validation mode starts no route: it may check pair files while the server runs
        lock = config.validateOnly() ? null : StateStoreLock.take(config.state());
        store = new JdbcSystem("state", config.state());
        ownTables = Dialect.forOwnTables(config.state().url());
        migrations(config.state().url(), config.state().username().orElse(null), config.state().password().orElse(null)).load().migrate();
        LOG.infof("state store ready: %s", store);
    }

    /**
     * The state store's migrations on the database at {@code url}: the scripts every database runs, and those written in
     * its own words (db/state-h2, -postgresql, -mariadb).
     */
    static FluentConfiguration migrations(String url, String username, String password) {
        return Flyway.configure(SyncState.class.getClassLoader())
                .dataSource(Dialect.forOwnTables(url).driverUrl(url), username, password)
                .locations("classpath:db/state", "classpath:db/state-" + Dialect.forOwnTables(url).name().toLowerCase(java.util.Locale.ROOT));
    }

    @PreDestroy
    void close() {
        store.close();
        if (lock != null) {
            lock.close();
        }
    }

    /**
     * Opens the state store, migrated and locked for this server, as the routes are loaded and before the pairs read their
     * systems (this observer comes first; delivering the event makes this bean): a server started beside another on the
     * same store waits for it, rather than fail on the systems the other holds (the demo's H2 files).
     */
    void openFirst(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) AfterConfigure event) {
        LOG.debugf("state store open before the pairs load: %s", store);
    }

    /** A connection to the state store, for the state classes of this package. */
    Connection connect() throws SQLException {
        return store.connect();
    }

    /**
     * Clears the dead rows of the tables each change of a two-way pair passes through (its pending change, its window's
     * intent), where the database does not do it as it goes; {@link PendingChanges#forget} calls it after a window of many
     * changes. A table that another vacuum holds is left for the next time. Should the database refuse (a user that does
     * not own the tables, a server too old for the statement), it says why once and leaves them to the database's own
     * vacuum from then on.
     */
    public void clearPassedRows() {
        for (String table : List.of("window_intents", "pending_changes")) {
            String sql = ownTables.clearDeadRows(table);
            if (sql == null || !clearingPassedRows) {
                return;
            }
            String refused = null;
            try (Connection c = store.connect(); Statement s = c.createStatement()) {
                c.setAutoCommit(true);
                s.execute(sql);
                // PostgreSQL skips a table with a warning: one another vacuum holds (55P03), or one its user may not vacuum
                for (SQLWarning w = s.getWarnings(); w != null && refused == null; w = w.getNextWarning()) {
                    refused = SystemException.lockHeld(w) ? null : w.getMessage();
                }
            } catch (SQLException e) {
                if (e.getSQLState() == null || !e.getSQLState().startsWith("42")) { // not a syntax or access rule: try again next time
                    LOG.debugf("state store: %s: %s", sql, e.getMessage());
                    continue;
                }
                refused = e.getMessage();
            }
            if (refused != null) {
                clearingPassedRows = false;
                LOG.warnf("state store: '%s' was refused (%s); the dead rows of window_intents and pending_changes are left to the"
                        + " database's own vacuum from now on (the state store's user should own these tables, as it does when its"
                        + " migrations created them)", sql, refused);
                return;
            }
        }
    }

    Dialect ownTables() {
        return ownTables;
    }

    public PairStatus status(String pair) {
        return statuses.computeIfAbsent(pair, PairStatus::new);
    }

    /**
     * The pair's resync count (see the field): read before a poll reads its cursor. Odd while a resync is being stored,
     * when a poll would read a cursor the resync is about to reset.
     */
    public long resyncs(String pair) {
        AtomicLong n = resyncs.get(pair);
        return n == null ? 0 : n.get();
    }

    /** A page's cursor did not move: a resync of its pair began after its poll read the cursor. */
    public static final class ResyncBegan extends IllegalStateException {
        ResyncBegan(String pair) {
            super("pair '" + pair + "': a resync began during this poll; the next poll starts it");
        }
    }

    public Position cursor(String pair, String side) {
        try (Connection c = store.connect();
                PreparedStatement ps = c.prepareStatement("SELECT cursor_value, cursor_id FROM pair_state WHERE pair = ? AND side = ?")) {
            ps.setString(1, pair);
            ps.setString(2, side);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? new Position(rs.getString(1), rs.getString(2)) : Position.START;
            }
        } catch (SQLException e) {
            throw failure("read the cursor of pair '" + pair + "'", e);
        }
    }

    /**
     * A record a one-way pair wrote to its target.
     *
     * @param id       its id on the source
     * @param targetId its key on the target
     * @param hash     the hash of its content as written
     */
    public record Written(String id, String targetId, String hash) {
    }

    /**
     * Records, in one transaction, that {@code written} reached the target and that the reader of
     * {@code side} is past {@code end}. Called only after the target committed, so a crash in
     * between replays the page, and replaying is harmless.
     */
    public void commitPage(String pair, String side, List<Written> written, Position end, long resyncs, long readAt) {
        try (PageCommit commit = preparePage(pair, side, written, end, resyncs, false, readAt)) {
            commit.commit();
        }
    }

    /**
     * Writes links, dead-letter clean-up and cursor of a page without committing them, so that the
     * writer can do it while the target is being written, and commit once the target has.
     * {@code firstLoad}: the page belongs to a full load that began with no links, so its links are
     * inserted, which costs the store less than an upsert; should one exist after all (a webhook's,
     * meanwhile), they are upserted. {@code readAt}: the dead letters' {@link DeadLetters#stamp} taken before the page was read
     * (those recorded since stay).
     */
    public PageCommit preparePage(String pair, String side, List<Written> written, Position end, long resyncs, boolean firstLoad,
            long readAt) {
        long now = System.currentTimeMillis();
        Connection c = null;
        try {
            c = store.connect();
            c.setAutoCommit(false);
            // the cursor's row first, as a resync takes it before the links: neither waits for the other's rows in turn
            if (end != null) {
                advance(c, pair, side, end, written.size(), now, resyncs);
            }
            if (!firstLoad || !insertLinks(c, pair, written)) {
                storeLinks(c, pair, written, false);
            }
            List<String> ids = written.stream().map(Written::id).toList();
            Map<String, Long> cleared = ids.isEmpty() ? Map.of() : deadLetters.clear(c, pair, side, ids, readAt);
            return new PageCommit(c, pair, c2 -> remembered.commit(c2, pair, ids), () -> deadLetters.cleared(cleared));
        } catch (ResyncBegan e) {
            rollBack(c, pair); // neither the links nor the cursor of a poll a resync overtook
            throw e;
        } catch (SQLException e) {
            if (c != null) {
                rollBack(c, pair);
            }
            throw failure("commit a page of pair '" + pair + "'", e);
        }
    }

    /** Inserts a page's links; false, and none of them written, when one of them exists already. */
    private boolean insertLinks(Connection c, String pair, List<Written> written) throws SQLException {
        java.sql.Savepoint before = c.setSavepoint();
        try {
            storeLinks(c, pair, written, true);
            return true;
        } catch (SQLException e) {
            if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) { // 23: integrity constraint violation
                throw e;
            }
            c.rollback(before); // what the transaction did before the links stays
            return false;
        }
    }

    private void storeLinks(Connection c, String pair, List<Written> written, boolean insert) throws SQLException {
        links.write(c, pair, written.stream().map(w -> new Links.Link(w.id(), w.targetId(), null, w.hash(), null)).toList(), insert, false);
    }

    private static void rollBack(Connection c, String pair) {
        new PageCommit(c, pair, Connection::commit, () -> { }).close();
    }

    /** A page's state changes, written and waiting for {@link #commit()}; closing without it rolls them back. */
    public static final class PageCommit implements AutoCloseable {
        private final Connection connection;
        private final String pair;
        private final Committer committer;
        private final Runnable afterCommit;
        private boolean committed;

        /** Commits the page's transaction: {@link LinkHashes#commit}, as it writes links. */
        private interface Committer {
            void commit(Connection c) throws SQLException;
        }

        private PageCommit(Connection connection, String pair, Committer committer, Runnable afterCommit) {
            this.connection = connection;
            this.pair = pair;
            this.committer = committer;
            this.afterCommit = afterCommit;
        }

        public void commit() {
            try {
                committer.commit(connection);
                committed = true;
            } catch (SQLException e) {
                throw failure("commit a page of pair '" + pair + "'", e);
            }
            afterCommit.run();
        }

        @Override
        public void close() {
            try {
                if (!committed) {
                    connection.rollback();
                }
                connection.close();
            } catch (SQLException e) {
                LOG.debugf("state store: closing a page commit of pair '%s': %s", pair, e.getMessage());
            }
        }
    }

    /**
     * Moves a side's cursor to {@code end}, unless a resync of the pair began after the poll read the cursor it moves on
     * from ({@code resyncs}, as {@link #resyncs} was then): that throws {@link ResyncBegan}, and the caller's transaction
     * is rolled back. The check follows the update, which holds the cursor's row until the transaction ends; a resync
     * counts itself before it updates that row, so either it waits for this transaction and resets the cursor after it, or
     * this transaction sees it. A poll that read the count while a resync was being stored reads no cursor at all.
     */
    void advance(Connection c, String pair, String side, Position end, int synced, long now, long resyncs) throws SQLException {
        moveCursor(c, pair, side, end, synced, now);
        if (resyncs(pair) != resyncs) {
            throw new ResyncBegan(pair);
        }
    }

    private void moveCursor(Connection c, String pair, String side, Position end, int synced, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE pair_state SET cursor_value = ?, cursor_id = ?, rows_synced = rows_synced + ?, updated_at = ? WHERE pair = ? AND side = ?")) {
            ps.setString(1, end.value());
            ps.setString(2, end.id());
            ps.setLong(3, synced);
            ps.setLong(4, now);
            ps.setString(5, pair);
            ps.setString(6, side);
            if (ps.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO pair_state (pair, side, cursor_value, cursor_id, rows_synced, paused, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, pair);
            ps.setString(2, side);
            ps.setString(3, end.value());
            ps.setString(4, end.id());
            ps.setLong(5, synced);
            ps.setBoolean(6, false);
            ps.setLong(7, now);
            ps.executeUpdate();
        }
    }

    public long rowsSynced(String pair) {
        return count("SELECT COALESCE(SUM(rows_synced), 0) FROM pair_state WHERE pair = ?", pair);
    }

    public long linkCount(String pair) {
        return count("SELECT COUNT(*) FROM links WHERE pair = ?", pair);
    }

    /**
     * Whether the pair has any link: stops at the first one found, where {@link #linkCount} reads all of them. The links
     * are keyed by id first, so a pair without links is answered by reading the whole table.
     */
    public boolean hasLinks(String pair) {
        return count("SELECT COUNT(*) FROM (SELECT 1 FROM links WHERE pair = ? LIMIT 1) first_link", pair) > 0;
    }

    /** A count the query gives for the pair (its one parameter). */
    long count(String sql, String pair) {
        try (Connection c = store.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, pair);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw failure("count for pair '" + pair + "'", e);
        }
    }

    public boolean isPaused(String pair) {
        try (Connection c = store.connect();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM pair_state WHERE pair = ? AND paused = ?")) {
            ps.setString(1, pair);
            ps.setBoolean(2, true);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        } catch (SQLException e) {
            throw failure("read the pause flag of pair '" + pair + "'", e);
        }
    }

    /** Pauses or resumes a pair; durable, so a restart does not resume a paused pair. */
    public void setPaused(String pair, String side, boolean paused) {
        try (Connection c = store.connect()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE pair_state SET paused = ? WHERE pair = ?")) {
                ps.setBoolean(1, paused);
                ps.setString(2, pair);
                if (ps.executeUpdate() == 0) {
                    try (PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO pair_state (pair, side, rows_synced, paused, updated_at) VALUES (?, ?, 0, ?, ?)")) {
                        insert.setString(1, pair);
                        insert.setString(2, side);
                        insert.setBoolean(3, paused);
                        insert.setLong(4, System.currentTimeMillis());
                        insert.executeUpdate();
                    }
                }
            }
        } catch (SQLException e) {
            throw failure("pause pair '" + pair + "'", e);
        }
        status(pair).paused(paused);
    }

    /** What a resync forgets besides the pair's cursors. */
    public enum Forget {
        /** Nothing more: a two-way pair's links are its records' identity, base and tombstones; what is read again is compared with them. */
        NOTHING,
        /**
         * The links' hashes: everything is rewritten, and the links stay, so that a record deleted from a one-way pair's
         * source before the resync is still found by reconciliation (tombstones stay as they are).
         */
        HASHES,
        /** The links: everything is rewritten, and the full load inserts the links anew (a one-way pair that ignores deletes). */
        LINKS
    }

    /** Forgets the pair's cursors, so that the next poll reads everything again, and what {@code forget} says. */
    public void resetForResync(String pair, Forget forget) {
        // counted first: a page that moves a cursor from now on, or waits to, is of a poll that began before; it is dropped
        AtomicLong count = resyncs.computeIfAbsent(pair, p -> new AtomicLong());
        synchronized (count) { // one resync of a pair at a time: the count is odd exactly while one is being stored
            count.incrementAndGet();
            try {
                reset(pair, forget);
            } finally {
                count.incrementAndGet(); // even again: polls read the cursor as it now is
            }
        }
    }

    /**
     * Resets the pair's cursors, and its links when asked. A page being committed holds the rows it writes: the reset waits
     * for it, also beyond a database's lock timeout (H2's is two seconds), up to {@link #RESET_PATIENCE}.
     */
    private void reset(String pair, Forget forget) {
        long deadline = System.nanoTime() + RESET_PATIENCE.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                resetOnce(pair, forget);
                return;
            } catch (IllegalStateException e) {
                if (!(SystemException.lockHeld(e) || SystemException.lockConflict(e)) || System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.infof("pair '%s': the resync waits for a page being committed (attempt %d)", pair, attempt + 1);
            }
        }
    }

    /** How long a resync waits for the pages being committed before it fails. */
    static final java.time.Duration RESET_PATIENCE = java.time.Duration.ofSeconds(60);

    private void resetOnce(String pair, Forget forget) {
        try (Connection c = store.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement intents = c.prepareStatement("DELETE FROM window_intents WHERE pair = ?");
                    PreparedStatement cursors = c.prepareStatement(
                            "UPDATE pair_state SET cursor_value = NULL, cursor_id = NULL WHERE pair = ?")) {
                // the cursors first: a page that moved one before the count commits before this goes on, its links included
                cursors.setString(1, pair);
                cursors.executeUpdate();
                if (forget != Forget.NOTHING) {
                    links.forget(c, pair, forget == Forget.HASHES);
                    intents.setString(1, pair);
                    intents.executeUpdate();
                    remembered.commitForgettingAll(c);
                } else {
                    c.commit();
                }
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure("reset pair '" + pair + "'", e);
        }
    }

    static IllegalStateException failure(String what, SQLException e) {
        return new IllegalStateException("state store: cannot " + what + ": " + e.getMessage(), e);
    }
}
