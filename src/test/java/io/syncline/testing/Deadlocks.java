package io.syncline.testing;

import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** An application's transaction in the CRM (PostgreSQL) that meets Syncline's write of two rows in a deadlock. */
public final class Deadlocks {

    private Deadlocks() {
    }

    /**
     * Holds the {@code second} row of the CRM's {@code table}, makes the {@code edit} that Syncline writes to both rows, waits
     * until Syncline's transaction holds the first and waits for the second (a two-way window writes rows in key order; a
     * one-way page in the order of its change markers, then ids: the edit gives both rows one marker), then takes the
     * first: a deadlock, which PostgreSQL breaks on Syncline's side, as its check comes first (1 s after it began waiting;
     * this transaction waits 30 s before it looks). False when this transaction was the one aborted (it reached the first
     * row more than a second late, on a slow machine): the edit still reaches the CRM, but proves nothing.
     */
    public static boolean inCrm(String table, String key, long first, long second, Runnable edit) throws SQLException {
        try (Connection other = DriverManager.getConnection(crm(), "postgres", null); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("SET deadlock_timeout = '30s'");
            long pid;
            try (java.sql.ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getLong(1);
            }
            s.executeQuery("SELECT " + key + " FROM " + table + " WHERE " + key + " = " + second + " FOR UPDATE").close();
            edit.run();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> count(crm(), // waits for this one
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))", pid) > 0);
            try {
                s.executeQuery("SELECT " + key + " FROM " + table + " WHERE " + key + " = " + first + " FOR UPDATE").close();
            } catch (SQLException e) {
                if ("40P01".equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
            other.commit();
            return true;
        }
    }

    /** Deadlocks PostgreSQL has broken in the CRM's database so far (its statistics arrive a moment after). */
    public static long brokenInCrm() {
        return count(crm(), "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }
}
