package io.syncline.system;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A system could not do what was asked: it cannot be reached, or it refused a statement as a whole.
 * What was not committed is rolled back; the caller tries again later.
 */
public class SystemException extends RuntimeException {

    public SystemException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The system did not answer (down, starting, not reachable over the network), as opposed to
     * answering with a refusal such as a wrong password, a missing table or a bad statement.
     */
    public boolean unreachable() {
        return unreachable(getCause());
    }

    /**
     * The system aborted the transaction to break a deadlock with another one (or a serialization failure): nothing of
     * it was kept, and trying again at once usually succeeds. A lock wait that timed out is not one: the other
     * transaction may hold its locks for long.
     */
    public boolean lockConflict() {
        return lockConflict(getCause());
    }

    /** Whether {@code cause}, or one of its causes, is a deadlock or serialization failure (see {@link #lockConflict()}). */
    public static boolean lockConflict(Throwable cause) {
        return anyCause(cause, t -> t instanceof SQLException sql
                && (LOCK_STATES.contains(String.valueOf(sql.getSQLState())) || MARIADB_LOCK_ERRORS.contains(sql.getErrorCode())));
    }

    /**
     * A lock was held by another transaction: refused at once ({@code FOR UPDATE NOWAIT}), or after the database's lock
     * timeout (see {@link #lockHeld(Throwable)}).
     */
    public boolean lockHeld() {
        return lockHeld(getCause());
    }

    /**
     * Whether {@code cause}, or one of its causes, is a lock that another transaction held: refused at once (NOWAIT), or
     * after the database's lock timeout (H2's two seconds, MariaDB's {@code innodb_lock_wait_timeout}, PostgreSQL's
     * {@code lock_timeout}); or a locking read of a row committed since the transaction's snapshot, which MariaDB refuses
     * with {@code innodb_snapshot_isolation} (the default from 11.6): another transaction held it meanwhile.
     */
    public static boolean lockHeld(Throwable cause) {
        return anyCause(cause, t -> t instanceof SQLException sql
                && ("55P03".equals(sql.getSQLState()) || LOCK_HELD_ERRORS.contains(sql.getErrorCode())));
    }

    /**
     * H2's lock timeout (50200); MariaDB's lock wait timeout (1205), which NOWAIT reports, and its "record has changed since
     * last read" (1020); MySQL 8's NOWAIT (3572).
     */
    private static final Set<Integer> LOCK_HELD_ERRORS = Set.of(50200, 1205, 1020, 3572);

    /** Serialization failure, deadlock (PostgreSQL; MariaDB reports its deadlocks as 40001 too). */
    private static final Set<String> LOCK_STATES = Set.of("40001", "40P01");
    /** MariaDB's deadlock. */
    private static final Set<Integer> MARIADB_LOCK_ERRORS = Set.of(1213);

    /** Whether {@code cause}, or one of its causes, says that a system did not answer. */
    static boolean unreachable(Throwable cause) {
        return anyCause(cause, t -> {
            String state = t instanceof SQLException sql ? sql.getSQLState() : null;
            if (state != null) { // the state decides: MariaDB's driver makes states it does not know (01000) "transient connection" errors
                return state.startsWith("08") || state.equals("57P03"); // connection exceptions; PostgreSQL starting up
            }
            // TimeoutException: the pool gave up waiting for a connection (a host that drops packets)
            return t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || t instanceof SocketTimeoutException || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException || t instanceof TimeoutException || t instanceof SQLTimeoutException
                    || t instanceof java.net.http.HttpTimeoutException;
        });
    }

    /** Whether {@code cause} or one of its causes passes the test. */
    private static boolean anyCause(Throwable cause, Predicate<Throwable> test) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }
}
