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

    public static int update(String url, String sql, Object... params) {
        try (Connection c = connect(url); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
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
