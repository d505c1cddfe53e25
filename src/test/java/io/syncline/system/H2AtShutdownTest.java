package io.syncline.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.syncline.testing.SystemConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An H2 database that Syncline opens (its default state store, the demo's systems) stays open while the JVM stops, until
 * Syncline closes it: a window applied while the server stops (SIGTERM) still commits its links. H2 closes its databases
 * itself at the JVM's exit unless told not to, and did so while the stop waited for the window. A JVM of its own stops
 * with a transaction open, which its shutdown hook commits half a second later.
 */
class H2AtShutdownTest {

    @Test
    void aTransactionUnderWayWhenTheJvmStopsStillCommits(@TempDir Path dir) throws IOException, InterruptedException, SQLException {
        String url = "jdbc:h2:file:" + dir.resolve("state") + ";WRITE_DELAY=0";
        Path out = dir.resolve("out.txt");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), InFlight.class.getName(), url).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertEquals(true, child.waitFor(60, TimeUnit.SECONDS), "the JVM stops");
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertEquals(true, lines.contains("committed"), String.join("\n", lines));
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM links")) {
            rs.next();
            assertEquals(1, rs.getLong(1), "the row is in the file");
        }
    }

    /** Opens the database through a system's pool, begins a transaction, stops the JVM; a shutdown hook commits it. */
    public static final class InFlight {
        public static void main(String[] args) throws Exception {
            JdbcSystem system = new JdbcSystem("state", SystemConnection.database(args[0], null));
            Connection c = system.connect();
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE links (a_id VARCHAR(10))");
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO links VALUES ('1')");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(500); // as a stop waits for the window under way
                    c.commit();
                    c.close();
                    system.close();
                    System.out.println("committed");
                } catch (Exception e) {
                    System.out.println("failed: " + e);
                }
            }));
            System.exit(0);
        }
    }
}
