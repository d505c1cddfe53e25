package io.syncline.state;

import io.syncline.system.Dialect;
import io.syncline.system.SynclineConfig;
import io.syncline.value.Redaction;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One server per state store. Two servers on one store would each take the windows the other closed as stranded and apply
 * them twice, and neither would know the other's echoes, waiting changes or pair locks. A server holds the store's lock for
 * as long as it runs, on a connection of its own: PostgreSQL's advisory lock, MariaDB's (and MySQL's) named lock, both
 * held by the session, so that a server that stops, is killed, or loses that connection lets it go at once. An H2 file is
 * opened by one process only (H2's file lock): the lock is the open store itself.
 * <p>
 * A server that starts while another holds the lock waits for it ({@code syncline.state.lock-wait}: a rolling update), naming
 * the holder, then stops with that error. A server whose lock connection breaks takes the lock again; should another server
 * hold it by then, this one stops.
 */
final class StateStoreLock implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StateStoreLock.class);
    /** How often a server checks that it still holds the lock. */
    private static final Duration CHECK = Duration.ofSeconds(10);
    /** The high half of PostgreSQL's advisory lock key, "SYNC"; the low half is the state store's schema's. */
    private static final long KEY_SPACE = 0x53594E43L << 32;
    /** H2: "Database may be already in use" (its file lock). */
    private static final int H2_IN_USE = 90020;

    private final String url;
    private final String username;
    private final String password;
    private final Dialect dialect;
    private final String me;
    private Connection held;
    private ScheduledExecutorService checks;

    private StateStoreLock(String url, String username, String password) {
        this.url = url;
        this.username = username;
        this.password = password;
        this.dialect = Dialect.forOwnTables(url);
        this.me = "syncline " + host() + " pid " + ProcessHandle.current().pid();
    }

    /**
     * Takes the state store's lock, waiting up to {@code syncline.state.lock-wait} for a server that holds it; throws an
     * IllegalStateException naming that server once the wait is over.
     */
    static StateStoreLock take(SynclineConfig.State config) {
        return take(config.url(), config.username().orElse(null), config.password().orElse(null), config.lockWait());
    }

    static StateStoreLock take(String url, String username, String password, Duration wait) {
        StateStoreLock lock = new StateStoreLock(url, username, password);
        long deadline = System.nanoTime() + wait.toNanos();
        long nextLog = System.nanoTime();
        while (true) {
            String holder = lock.tryTake();
            if (holder == null) {
                lock.watch();
                return lock;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                throw new IllegalStateException("the state store " + Redaction.of(url) + " is used by another Syncline server (" + holder
                        + "), and one server uses a state store at a time: stop that server, or give this one a state store of its own"
                        + " (waited " + wait.toSeconds() + " s for it to stop: syncline.state.lock-wait)");
            }
            if (now - nextLog >= 0) {
                LOG.warnf("the state store %s is used by another Syncline server (%s); waiting up to %d s for it to stop"
                        + " (syncline.state.lock-wait)", Redaction.of(url), holder, wait.toSeconds());
                nextLog = now + Duration.ofSeconds(30).toNanos();
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the state store's lock", e);
            }
        }
    }

    /** Takes the lock if it is free: null when taken (or nothing to take), else who holds it. */
    private String tryTake() {
        Connection c = null;
        try {
            c = DriverManager.getConnection(probeUrl(), username, password);
            String holder = switch (dialect.name()) {
                case "PostgreSQL" -> postgresql(c);
                case "MariaDB" -> mariadb(c);
                default -> null; // H2: the file lock; the connection opened is the proof, and the server's pool holds the file
            };
            if (holder != null || dialect.name().equals("H2")) {
                c.close();
                return holder;
            }
            held = c;
            return null;
        } catch (SQLException e) {
            closeQuietly(c);
            if (e.getErrorCode() == H2_IN_USE) {
                return "another process has the file open";
            }
            throw new IllegalStateException("the state store " + Redaction.of(url) + " could not be locked for this server: "
                    + Redaction.of(e.getMessage()), e);
        }
    }

    /** The store's URL for this connection; H2's without its trace file, which a refused open would leave in the data directory. */
    private String probeUrl() {
        String driverUrl = dialect.driverUrl(url);
        return dialect.name().equals("H2") && !driverUrl.toUpperCase(java.util.Locale.ROOT).contains("TRACE_LEVEL_FILE")
                ? driverUrl + ";TRACE_LEVEL_FILE=0" : driverUrl;
    }

    /** PostgreSQL: the session's advisory lock for the store's schema; null when taken, else the holder's name. */
    private String postgresql(Connection c) throws SQLException {
        try (PreparedStatement name = c.prepareStatement("SELECT set_config('application_name', ?, false)")) {
            name.setString(1, me.length() > 63 ? me.substring(0, 63) : me);
            name.execute();
        }
        long key = KEY_SPACE | (c.getSchema() == null ? 0 : c.getSchema().hashCode() & 0xFFFFFFFFL);
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return null;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT a.application_name, a.client_addr, a.backend_start FROM pg_locks l"
                + " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
                + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND ((l.classid::bigint << 32) | l.objid::bigint) = ?")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? "'" + rs.getString(1) + "', connected from " + (rs.getString(2) == null ? "this host" : rs.getString(2))
                        + " since " + rs.getTimestamp(3).toInstant() : "a session that has just ended";
            }
        }
    }

    /** MariaDB and MySQL: the session's named lock for the store's database; null when taken, else the holder. */
    private String mariadb(Connection c) throws SQLException {
        String name = "syncline-state:" + c.getCatalog();
        name = name.length() > 64 ? name.substring(0, 64) : name;
        try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(?, 0)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) == 1) {
                    return null;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT ID, HOST FROM information_schema.PROCESSLIST WHERE ID = IS_USED_LOCK(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "a session this user cannot see";
                }
                String host = rs.getString(2);
                return "connection " + rs.getLong(1) + (host == null || host.isBlank() ? " on this host" : " from " + host);
            }
        }
    }

    /** Checks now and then that the lock's connection is still there; takes the lock again if not, and stops the server if another has it. */
    private void watch() {
        if (held == null) {
            return;
        }
        checks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "syncline-state-lock");
            t.setDaemon(true);
            return t;
        });
        checks.scheduleWithFixedDelay(this::check, CHECK.toSeconds(), CHECK.toSeconds(), TimeUnit.SECONDS);
    }

    private synchronized void check() {
        try {
            if (held != null && held.isValid(5)) {
                return;
            }
        } catch (SQLException e) {
            // taken again below
        }
        closeQuietly(held);
        held = null;
        try {
            String holder = tryTake();
            if (holder != null) {
                LOG.errorf("the connection that held the state store's lock broke, and another Syncline server (%s) holds it now;"
                        + " this server stops: two servers on one state store would apply windows twice", holder);
                io.quarkus.runtime.Quarkus.asyncExit(1);
            } else {
                LOG.warnf("the connection that held the state store's lock broke; the lock is held again");
            }
        } catch (RuntimeException e) {
            LOG.warnf("the state store's lock could not be taken again (%s); tried again in %d s", e.getMessage(), CHECK.toSeconds());
        }
    }

    @Override
    public synchronized void close() {
        if (checks != null) {
            checks.shutdownNow();
        }
        closeQuietly(held);
        held = null;
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            // going anyway
        }
    }

    private static String host() {
        String named = System.getenv("HOSTNAME"); // a container's; asking the resolver may take seconds where it is not set up
        if (named != null && !named.isBlank()) {
            return named;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "an unknown host";
        }
    }
}
