package io.syncline.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Plain JDBC against the test systems, as their own users would edit them. */
public final class Sql {

    /** Runs of a statement that the database rolled back to break a deadlock, before the test gives up. */
    private static final int DEADLOCK_ATTEMPTS = 5;

    private Sql() {
    }

    public static String crm() {
        return RealDatabases.configuration().get("syncline.systems.crm.url");
    }

    public static String helpdesk() {
        return RealDatabases.configuration().get("syncline.systems.helpdesk.url");
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, url.startsWith("jdbc:postgresql") ? "postgres" : "root", null);
    }

    /**
     * Runs one statement in its own transaction. A deadlock victim is run again, as an application does when the
     * database rolls its statement back ("try restarting transaction"): an edit that meets Syncline's write on the
     * same rows is the application's to retry, not a lost edit.
     */
    public static int update(String url, String sql, Object... params) {
        for (int attempt = 1;; attempt++) {
            try (Connection c = connect(url); PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                return ps.executeUpdate();
            } catch (SQLException e) {
                if (attempt < DEADLOCK_ATTEMPTS && isLockConflict(e)) {
                    pause(attempt);
                    continue;
                }
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }
    }

    /** A deadlock (PostgreSQL's 40P01; MariaDB's 1213, SQL state 40001) or a serialization failure (40001). */
    private static boolean isLockConflict(SQLException e) {
        return "40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState()) || e.getErrorCode() == 1213;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(50L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a deadlocked statement", e);
        }
    }

    public static long count(String url, String sql, Object... params) {
        Object v = row(url, sql, params).values().iterator().next();
        return ((Number) v).longValue();
    }

    /** The first row of the query (empty when none), by lower-case column label. */
    public static Map<String, Object> row(String url, String sql, Object... params) {
        try (Connection c = connect(url); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, Object> row = new LinkedHashMap<>();
                if (rs.next()) {
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
                    }
                }
                return row;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
