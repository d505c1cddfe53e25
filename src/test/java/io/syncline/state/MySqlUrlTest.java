package io.syncline.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.syncline.system.JdbcSystem;
import io.syncline.system.Table;
import io.syncline.testing.EmbeddedDatabases;
import io.syncline.testing.SystemConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A MySQL URL ({@code jdbc:mysql:}), as MySQL's users write it, is read by MariaDB's driver, the one Syncline carries: a
 * system's tables and the state store's migrations. Against the MariaDB server: no MySQL server runs here.
 */
class MySqlUrlTest {

    @Test
    void aSystemReadsItsTablesThroughAMySqlUrl() throws SQLException {
        String mariaDb = EmbeddedDatabases.get().mariaDbDatabase("mysql_url", null);
        try (JdbcSystem system = new JdbcSystem("shop", SystemConnection.database(mysql(mariaDb), "root"))) {
            try (Connection c = system.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE items (id INT PRIMARY KEY, title VARCHAR(100))");
            }
            Table items = system.table("items").orElseThrow();
            assertEquals(List.of("id", "title"), List.copyOf(items.columns().keySet()));
        }
    }

    @Test
    void theStateStoreMigratesThroughAMySqlUrl() throws SQLException {
        String mariaDb = EmbeddedDatabases.get().mariaDbDatabase("mysql_state", null);
        SyncState.migrations(mysql(mariaDb), "root", null).load().migrate();
        try (Connection c = DriverManager.getConnection(mariaDb, "root", null); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM links")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "the state store's tables made through the MySQL URL");
        }
    }

    private static String mysql(String mariaDbUrl) {
        return mariaDbUrl.replace("jdbc:mariadb:", "jdbc:mysql:");
    }
}
