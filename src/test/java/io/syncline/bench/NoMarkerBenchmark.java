package io.syncline.bench;

import io.syncline.testing.EmbeddedDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A table without any change marker (bench/run.sh no-marker): 1,000,000 stock items in PostgreSQL copied one way to
 * MariaDB by a pair with {@code cursor: none}, whose every poll reads the whole table and compares each record with its
 * link. (a) The ceiling of such a poll: a plain JDBC read of the whole table in id order, nothing else. (b) Syncline's
 * first poll, the full load, in a server capped at 256 MB of heap. (c) 10,000 records updated at the source: the poll that
 * finds and writes them (its whole read of the table included), and the time from the update's commit until the target
 * holds them all. (d) One record updated: the poll that finds it, i.e. what comparing the whole table costs.
 *
 * <p>Servers: embedded PostgreSQL and MariaDB, as {@link SyncBenchmark}.
 */
public final class NoMarkerBenchmark {

    private static final int ROWS = Integer.getInteger("bench.rows", 1_000_000);
    private static final int UPDATES = Integer.getInteger("bench.updates", 10_000);
    private static final String HEAP = System.getProperty("bench.heap", "256m");
    private static final String PAIR = "stock";

    private final String pgUrl;
    private final String mariaUrl;

    private NoMarkerBenchmark() throws SQLException {
        EmbeddedDatabases dbs = EmbeddedDatabases.get();
        pgUrl = dbs.postgresDatabase("bench_warehouse", null);
        mariaUrl = dbs.mariaDbDatabase("bench_shop", null);
    }

    public static void main(String[] args) throws Exception {
        try {
            new NoMarkerBenchmark().run();
        } finally {
            EmbeddedDatabases.stopIfStarted();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf("machine: %d cores, %s; Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"));
        prepare();
        double ceiling = plainRead();
        BenchServer bench = new BenchServer("no-marker", HEAP);
        Path pairFile = bench.work.resolve("stock.yaml");
        Files.writeString(pairFile, PAIR_FILE);
        Process server = bench.with(
                "-Dcamel.main.routes-include-pattern=file:" + pairFile,
                "-Dsyncline.systems.crm.url=" + pgUrl, "-Dsyncline.systems.crm.username=postgres",
                "-Dsyncline.systems.helpdesk.url=" + mariaUrl, "-Dsyncline.systems.helpdesk.username=root").start();
        ServerLog log = new ServerLog(bench.log());
        try {
            Matcher done = log.await(FULL_LOAD_DONE, 1800);
            double loadRate = Double.parseDouble(done.group(3).replace(",", ""));
            check(ROWS, "SELECT COUNT(*) FROM stock_copy", "after the full load");

            long t0 = System.nanoTime();
            int step = Math.max(1, ROWS / UPDATES);
            try (Connection c = pg(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE stock SET qty = qty + 1000 WHERE id % " + step + " = 0 AND id <= " + (long) step * UPDATES);
            }
            while (count("SELECT COUNT(*) FROM stock_copy WHERE qty >= 1000") < UPDATES) {
                Thread.sleep(20);
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(300)) {
                    throw new IllegalStateException("the updates did not arrive within 300s");
                }
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            Matcher many = log.awaitNext(written(UPDATES), 60);

            try (Connection c = pg(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE stock SET title = 'Changed once' WHERE id = " + (ROWS / 2));
            }
            Matcher one = log.awaitNext(written(1), 300);
            check(1, "SELECT COUNT(*) FROM stock_copy WHERE title = 'Changed once'", "after the single update");
            String heap = ServerLog.heap(bench.gcLog(), HEAP, server);

            double manySeconds = Double.parseDouble(many.group(2));
            double oneSeconds = Double.parseDouble(one.group(2));
            System.out.println();
            System.out.println("== results ==");
            System.out.printf("(a) ceiling, a plain JDBC read of the %,d rows in id order: %,10.0f rows/s%n", ROWS, ceiling);
            System.out.printf("(b) Syncline's full load (-Xmx%s):                        %,10.0f rows/s%n", HEAP, loadRate);
            System.out.printf("(c) %,d updates: the poll that wrote them lasted %.2fs (%s unchanged); commit to all written %.2fs%n",
                    UPDATES, manySeconds, many.group(1), wall);
            System.out.printf("(d) 1 update: the poll that wrote it lasted %.2fs = %,.0f rows compared/s (%.2f of the ceiling)%n",
                    oneSeconds, ROWS / oneSeconds, ROWS / oneSeconds / ceiling);
            System.out.printf("    server heap: %s%n", heap);
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static final Pattern FULL_LOAD_DONE = Pattern.compile("pair '" + PAIR + "': full load done: ([\\d,]+) rows in ([\\d.]+)s \\(([\\d,]+) rows/s\\)");

    private static Pattern written(int records) {
        return Pattern.compile("pair '" + PAIR + "': " + records + " records written to \\S+, (\\d+) unchanged, 0 dead letters \\(([\\d.]+)s\\)");
    }

    private static final String PAIR_FILE = """
            - beans:
                - name: stock
                  type: "#class:io.syncline.pair.Pair"
                  properties:
                    source: crm.stock
                    cursor: none
                    target: helpdesk.stock_copy
                    key: id
                    schedule: "* * * * * ?"
                    mapping: |
                      id    <- id    -> id
                      sku   <- sku   -> sku
                      title <- title -> title
                      qty   <- qty   -> qty
                      price <- price -> price
            - route: { id: stock.poll, from: { uri: "kamelet:syncline-poll?pair=stock", steps: [ { to: direct:stock } ] } }
            - route:
                id: stock.apply
                from:
                  uri: direct:stock
                  steps:
                    - process: { ref: mapping }
                    - split:
                        simple: "${body.changes}"
                        steps:
                          - idempotentConsumer:
                              simple: "${body}"
                              idempotentRepository: syncState
                              steps: [ { to: "bean:writer?method=stage" } ]
                    - to: "bean:writer?method=write"
            """;

    private Connection pg() throws SQLException {
        return DriverManager.getConnection(pgUrl, "postgres", null);
    }

    private Connection maria() throws SQLException {
        return DriverManager.getConnection(mariaUrl, "root", null);
    }

    private void prepare() throws SQLException {
        long t0 = System.nanoTime();
        try (Connection c = pg(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS stock");
            s.execute("CREATE TABLE stock (id BIGINT PRIMARY KEY, sku VARCHAR(20) NOT NULL, title VARCHAR(200) NOT NULL, qty INTEGER NOT NULL,"
                    + " price NUMERIC(10, 2))");
            s.execute("INSERT INTO stock SELECT x, 'SKU-' || x, 'Item number ' || x, x % 500, (x % 10000) / 100.0 FROM generate_series(1, " + ROWS + ") AS x");
            s.execute("ANALYZE stock");
        }
        try (Connection c = maria(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS stock_copy");
            s.execute("CREATE TABLE stock_copy (id BIGINT PRIMARY KEY, sku VARCHAR(20) NOT NULL, title VARCHAR(200) NOT NULL, qty INT NOT NULL,"
                    + " price DECIMAL(10, 2))");
        }
        System.out.printf("prepared %,d stock items in PostgreSQL, none with a change marker, in %.1fs%n", ROWS, (System.nanoTime() - t0) / 1e9);
    }

    /** (a): what any poll of a table without marker must do at least, read it all, without mapping or comparing anything. */
    private double plainRead() throws SQLException {
        long t0 = System.nanoTime();
        long rows = 0;
        try (Connection c = pg()) {
            c.setAutoCommit(false);
            try (PreparedStatement read = c.prepareStatement("SELECT sku, title, qty, price, id FROM stock ORDER BY id")) {
                read.setFetchSize(1000);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        rs.getString(1);
                        rs.getString(2);
                        rs.getInt(3);
                        rs.getBigDecimal(4);
                        rs.getLong(5);
                        rows++;
                    }
                }
            }
            c.rollback();
        }
        double rate = rows / ((System.nanoTime() - t0) / 1e9);
        System.out.printf("(a) ceiling: %,d rows read in id order, %,.0f rows/s%n", rows, rate);
        return rate;
    }

    private void check(long expected, String sql, String when) throws SQLException {
        long found = count(sql);
        if (found != expected) {
            throw new IllegalStateException(when + ": " + sql + " gave " + found + ", not " + expected);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = maria(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
