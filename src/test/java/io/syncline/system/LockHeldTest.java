package io.syncline.system;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncline.testing.EmbeddedDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A row lock asked for without waiting ({@code FOR UPDATE NOWAIT}, as a two-way chunk locks the rows it read without locks)
 * while another transaction holds the row: each database refuses it at once, and {@link SystemException#lockHeld()} tells
 * that refusal from other errors, on real H2, PostgreSQL and MariaDB servers.
 */
class LockHeldTest {

    @Test
    void h2() throws SQLException {
        refusedAtOnce("jdbc:h2:mem:lock_held;DB_CLOSE_DELAY=-1", null);
    }

    @Test
    void postgresql() throws SQLException {
        refusedAtOnce(EmbeddedDatabases.get().postgresDatabase("lock_held", null), "postgres");
    }

    @Test
    void mariaDb() throws SQLException {
        refusedAtOnce(EmbeddedDatabases.get().mariaDbDatabase("lock_held", null), "root");
    }

    /**
     * MariaDB with {@code innodb_snapshot_isolation} (the default from 11.6): a transaction that read a row without a lock,
     * which another committed since, is refused the row's lock ("record has changed since last read"): held meanwhile.
     */
    @Test
    void mariaDbRowChangedSinceItWasRead() throws SQLException {
        String url = EmbeddedDatabases.get().mariaDbDatabase("lock_snapshot", null);
        try (Connection reader = DriverManager.getConnection(url, "root", null); Connection writer = DriverManager.getConnection(url, "root", null);
                Statement read = reader.createStatement(); Statement write = writer.createStatement()) {
            write.execute("CREATE TABLE held (id INT PRIMARY KEY, v VARCHAR(10))");
            write.execute("INSERT INTO held VALUES (1, 'a')");
            read.execute("SET SESSION innodb_snapshot_isolation = ON");
            reader.setAutoCommit(false);
            read.executeQuery("SELECT v FROM held WHERE id IN (1)").close(); // the transaction's snapshot
            write.execute("UPDATE held SET v = 'b' WHERE id = 1");
            SQLException refused = assertThrows(SQLException.class, () -> read.executeQuery("SELECT id FROM held WHERE id IN (1) ORDER BY id FOR UPDATE NOWAIT"));
            assertTrue(new SystemException("reading", refused).lockHeld(), refused.getSQLState() + " " + refused.getErrorCode() + " " + refused.getMessage());
            reader.rollback();
        }
    }

    private static void refusedAtOnce(String url, String user) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS held");
            s.execute("CREATE TABLE held (id INT PRIMARY KEY, v VARCHAR(10))");
            s.execute("INSERT INTO held VALUES (1, 'a')");
        }
        try (Connection holder = DriverManager.getConnection(url, user, null); Connection other = DriverManager.getConnection(url, user, null);
                Statement hold = holder.createStatement(); Statement ask = other.createStatement()) {
            holder.setAutoCommit(false);
            other.setAutoCommit(false);
            hold.executeQuery("SELECT id FROM held WHERE id IN (1) FOR UPDATE").close();
            long started = System.nanoTime();
            SQLException refused = assertThrows(SQLException.class, () -> ask.executeQuery("SELECT id FROM held WHERE id IN (1) ORDER BY id FOR UPDATE NOWAIT"));
            assertTrue((System.nanoTime() - started) / 1e9 < 5, "refused at once, not after a lock wait");
            assertTrue(new SystemException("reading", refused).lockHeld(), refused.getSQLState() + " " + refused.getErrorCode() + " " + refused.getMessage());
            other.rollback();
            SQLException other2 = assertThrows(SQLException.class, () -> ask.executeQuery("SELECT nothing FROM held"));
            assertFalse(new SystemException("reading", other2).lockHeld(), "another error: " + other2.getMessage());
            holder.rollback();
        }
    }
}
