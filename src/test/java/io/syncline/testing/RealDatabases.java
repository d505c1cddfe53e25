package io.syncline.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Points the systems {@code crm} and {@code helpdesk} of the pairs in {@code routes/} at a real
 * PostgreSQL and a real MariaDB. The databases are created and seeded once per test run; a
 * restarted application (another test profile) finds them, and its state store, as they were.
 */
public class RealDatabases implements QuarkusTestResourceLifecycleManager {

    public static final Path STATE_DIR = Path.of("target", "test-state");
    private static final String RUN_MARKER = "embedded-test-databases";
    private static Map<String, String> config;

    @Override
    public synchronized Map<String, String> start() {
        return configuration();
    }

    /**
     * Quarkus loads test classes again for every application start, so the "once per run" memory
     * is kept in a system property rather than a static field.
     */
    public static synchronized Map<String, String> configuration() {
        if (config == null && System.getProperty(RUN_MARKER) != null) {
            config = Map.of(
                    "syncline.systems.crm.url", System.getProperty(RUN_MARKER + ".crm"),
                    "syncline.systems.crm.username", "postgres",
                    "syncline.systems.helpdesk.url", System.getProperty(RUN_MARKER + ".helpdesk"),
                    "syncline.systems.helpdesk.username", "root",
                    "syncline.state.url", stateUrl());
        }
        if (config == null) {
            try {
                deleteStateStore();
                EmbeddedDatabases dbs = EmbeddedDatabases.get();
                String crm = dbs.postgresDatabase("crm", "crm-postgresql.sql");
                String helpdesk = dbs.mariaDbDatabase("helpdesk", "helpdesk-mariadb.sql");
                config = Map.of(
                        "syncline.systems.crm.url", crm,
                        "syncline.systems.crm.username", "postgres",
                        "syncline.systems.helpdesk.url", helpdesk,
                        "syncline.systems.helpdesk.username", "root",
                        "syncline.state.url", stateUrl());
                System.setProperty(RUN_MARKER + ".crm", crm);
                System.setProperty(RUN_MARKER + ".helpdesk", helpdesk);
                System.setProperty(RUN_MARKER, "started");
            } catch (Exception e) {
                throw new IllegalStateException("test databases: " + e.getMessage(), e);
            }
        }
        return config;
    }

    private static String stateUrl() {
        return "jdbc:h2:file:./" + STATE_DIR.resolve("syncline") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    private static void deleteStateStore() throws IOException {
        if (Files.exists(STATE_DIR)) {
            try (Stream<Path> files = Files.walk(STATE_DIR)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    @Override
    public void stop() {
        // the servers live for the whole test run; a JVM shutdown hook stops them
    }
}
