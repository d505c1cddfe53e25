package io.syncline.bench;

import static io.syncline.bench.TwoWayBenchmark.get;
import static io.syncline.bench.TwoWayBenchmark.jsonLong;

import io.syncline.testing.EmbeddedDatabases;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The star benchmark (bench/run.sh star): the same people in four systems (CRM and marketing on PostgreSQL, help desk
 * and billing on MariaDB) joined by three two-way pairs with the CRM as hub (the pair files of the topology tests,
 * {@code src/test/resources/topologies/star-*.yaml}); then 10,000 phone numbers changed in a leaf (marketing), and the
 * time until the hub holds them (one pair's hop) and until all four systems agree, with the rows written to each.
 *
 * <p>Targets: exactly 10,000 rows written to each other system (one per change), and all four agreeing within two
 * poll intervals and windows (4 s here) of the single hop. {@code -Dbench.single=true} runs the leaf's pair alone (the
 * single-pair figure).
 */
public final class StarBenchmark {

    private static final int ROWS = Integer.getInteger("bench.rows", 20_000);
    private static final int EDITS = Integer.getInteger("bench.edits", 10_000);
    private static final String HEAP = System.getProperty("bench.heap", "256m");
    /** With {@code -Dbench.single=true} only the leaf's pair runs: the single hop's figure on its own, for comparison. */
    private static final boolean SINGLE = Boolean.getBoolean("bench.single");
    /** Rounds of edits on the same server: -Dbench.rounds=N (the first shows a server just started). */
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final String[] PAIRS = SINGLE ? new String[] {"star-marketing"} : new String[] {"star-helpdesk", "star-billing", "star-marketing"};

    /** A system of the star: its name in the pair files, its URL and user. */
    private record Node(String name, String url, String user) {
        Connection connect() throws SQLException {
            return DriverManager.getConnection(url, user, null);
        }
    }

    private final Node crm;
    private final Node helpdesk;
    private final Node billing;
    private final Node marketing;

    private StarBenchmark() throws SQLException {
        EmbeddedDatabases dbs = EmbeddedDatabases.get();
        crm = new Node("crm", dbs.postgresDatabase("bench_star_crm", null), "postgres");
        helpdesk = new Node("helpdesk", dbs.mariaDbDatabase("bench_star_helpdesk", null), "root");
        billing = new Node("billing", dbs.mariaDbDatabase("bench_star_billing", null), "root");
        marketing = new Node("marketing", dbs.postgresDatabase("bench_star_marketing", null), "postgres");
    }

    public static void main(String[] args) throws Exception {
        try {
            StarBenchmark bench = new StarBenchmark();
            System.out.printf("machine: %d cores, %s; Java %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"));
            bench.prepare();
            bench.run();
        } finally {
            EmbeddedDatabases.stopIfStarted();
        }
        System.exit(0);
    }

    /**
     * The same people in the four systems, as the topology tests' schemas keep them, each table counting the rows written
     * to it with a row inserted per write (not one counter row, whose lock would make concurrent chunks wait).
     */
    private void prepare() throws SQLException {
        long t0 = System.nanoTime();
        for (Node pg : List.of(crm, marketing)) {
            boolean hub = pg == crm;
            try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE writes (n BIGINT NOT NULL)");
                s.execute("CREATE FUNCTION written() RETURNS trigger AS $$ BEGIN INSERT INTO writes VALUES (1); RETURN NULL; END $$ LANGUAGE plpgsql");
                if (hub) { // Django style: the application sets the marker, Syncline stamps it (aStamp)
                    s.execute("CREATE TABLE star_people (id BIGSERIAL PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), "
                            + "status VARCHAR(20), modified TIMESTAMPTZ NOT NULL)");
                    s.execute("INSERT INTO star_people (email, phone, status, modified) SELECT 'p' || x || '@topo.example', '+1 555 ' || x, "
                            + "'Active', now() - INTERVAL '1 day' + x * INTERVAL '1 millisecond' FROM generate_series(1, " + ROWS + ") AS x");
                    s.execute("CREATE INDEX star_people_modified ON star_people (modified, id)");
                } else { // a trigger keeps the marker
                    s.execute("CREATE TABLE star_people (id BIGSERIAL PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), "
                            + "status VARCHAR(20), updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())");
                    s.execute("INSERT INTO star_people (email, phone, status, updated_at) SELECT 'p' || x || '@topo.example', '+1 555 ' || x, "
                            + "'subscribed', now() - INTERVAL '1 day' + x * INTERVAL '1 millisecond' FROM generate_series(1, " + ROWS + ") AS x");
                    s.execute("CREATE INDEX star_people_updated ON star_people (updated_at, id)");
                    s.execute("CREATE FUNCTION touched() RETURNS trigger AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$ LANGUAGE plpgsql");
                    s.execute("CREATE TRIGGER star_people_touched BEFORE UPDATE ON star_people FOR EACH ROW EXECUTE FUNCTION touched()");
                }
                s.execute("CREATE TRIGGER star_people_written AFTER INSERT OR UPDATE ON star_people FOR EACH ROW EXECUTE FUNCTION written()");
                s.execute("ANALYZE star_people");
            }
        }
        for (Node maria : List.of(helpdesk, billing)) { // Laravel style: the application sets `modified`, Syncline stamps it
            String status = maria == helpdesk ? "active TINYINT" : "state CHAR(1)";
            String value = maria == helpdesk ? "1" : "'A'";
            try (Connection c = maria.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE writes (n BIGINT NOT NULL)");
                s.execute("CREATE TABLE star_people (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), "
                        + status + ", modified DATETIME(6) NOT NULL, INDEX star_people_modified (modified, id))");
                s.execute("INSERT INTO star_people (email, phone, " + status.split(" ")[0] + ", modified) SELECT CONCAT('p', seq, '@topo.example'), "
                        + "CONCAT('+1 555 ', seq), " + value + ", NOW(6) - INTERVAL 1 DAY + INTERVAL seq * 1000 MICROSECOND FROM seq_1_to_" + ROWS);
                s.execute("CREATE TRIGGER star_people_inserted AFTER INSERT ON star_people FOR EACH ROW INSERT INTO writes VALUES (1)");
                s.execute("CREATE TRIGGER star_people_updated AFTER UPDATE ON star_people FOR EACH ROW INSERT INTO writes VALUES (1)");
            }
        }
        System.out.printf("prepared %,d people in each of four systems in %.1fs%n", ROWS, (System.nanoTime() - t0) / 1e9);
    }

    private void run() throws Exception {
        BenchServer bench = new BenchServer("bench-star", HEAP);
        bench.with("-Dcamel.main.routes-include-pattern=file:src/test/resources/topologies/" + (SINGLE ? "star-marketing" : "star-*") + ".yaml");
        for (Node node : List.of(crm, helpdesk, billing, marketing)) {
            bench.with("-Dsyncline.systems." + node.name() + ".url=" + node.url(), "-Dsyncline.systems." + node.name() + ".username=" + node.user());
        }
        Process server = bench.start();
        ServerLog serverLog = new ServerLog(bench.log());
        String api = "http://localhost:" + bench.port + "/api/pairs/";
        try {
            long t0 = System.nanoTime();
            serverLog.await(Pattern.compile("pair 'star-marketing' .* validated"), 120);
            for (String pair : PAIRS) { // each pair's first run (matching by email) is over, not only its links stored
                serverLog.await(Pattern.compile("pair '" + pair + "': reconciliation in"), 900);
            }
            awaitQuiet(api, 900);
            System.out.printf("first run: the three pairs linked %,d people each by email, quiet after %.1fs%n", ROWS, (System.nanoTime() - t0) / 1e9);
            List<String> results = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                results.add(round(api, round));
            }
            System.out.println();
            System.out.println("== results ==");
            results.forEach(System.out::print);
            for (String pair : PAIRS) {
                String s = get(api + pair);
                System.out.printf("%s: writtenA %d, writtenB %d, changes from users %s, relayed %s%n", pair, jsonLong(s, "writtenA"),
                        jsonLong(s, "writtenB"), json(s, "changesFromUsers"), json(s, "changesRelayed"));
            }
            System.out.printf("server heap: %s%n", ServerLog.heap(bench.gcLog(), HEAP, server));
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * One round: {@link #EDITS} phones changed in marketing, then the time until the hub and then all four systems hold them,
     * and the rows written to each. Round 1 meets a server whose code is still being compiled.
     */
    private String round(String api, int round) throws Exception {
        String mark = "bench" + round + "-";
        Map<Node, Statement> watched = new LinkedHashMap<>(); // connections kept open while the round runs
        try {
            for (Node node : List.of(crm, helpdesk, billing, marketing)) {
                watched.put(node, node.connect().createStatement());
                watched.get(node).execute("TRUNCATE TABLE writes"); // each round counts its own writes (the pairs are quiet)
            }
            watched.get(marketing).executeUpdate("UPDATE star_people SET phone = '" + mark + "' || id WHERE id <= " + EDITS);
            long edited = System.nanoTime();
            double toFirstPoll = (1000 - System.currentTimeMillis() % 1000) / 1000.0; // the pairs poll on every whole second
            System.out.printf("round %d: edited %,d phone numbers in marketing (a leaf)%n", round, EDITS);
            double hub = -1;
            // a system's records are counted only once it counted that many rows written (a few thousand small rows): a new
            // connection and the tables read whole every 50 ms were a load of the benchmark's own on the server's two cores
            while (true) {
                boolean inHub = holds(watched.get(crm), mark);
                if (hub < 0 && inHub) {
                    hub = (System.nanoTime() - edited) / 1e9;
                }
                if (inHub && (SINGLE || holds(watched.get(helpdesk), mark) && holds(watched.get(billing), mark))) {
                    break;
                }
                Thread.sleep(50);
                if (System.nanoTime() - edited > TimeUnit.SECONDS.toNanos(300)) {
                    throw new IllegalStateException("round " + round + " not converged within 300s");
                }
            }
            double all = (System.nanoTime() - edited) / 1e9;
            return result(api, round, hub, all, toFirstPoll);
        } finally {
            for (Statement s : watched.values()) {
                s.getConnection().close();
            }
        }
    }

    /** Whether a system holds the round's {@link #EDITS} changes: as many rows written, then as many records with them. */
    private static boolean holds(Statement s, String mark) throws SQLException {
        return TwoWayBenchmark.count(s, "SELECT SUM(n) FROM writes") >= EDITS
                && TwoWayBenchmark.count(s, "SELECT COUNT(*) FROM star_people WHERE phone LIKE '" + mark + "%'") >= EDITS;
    }

    /** A round's figures, once it converged: the rows written to each system (counted from the round's start). */
    private String result(String api, int round, double hub, double all, double toFirstPoll) throws Exception {
        awaitQuiet(api, 120);
        Map<Node, Long> after = writes();
        Map<String, Long> written = new LinkedHashMap<>();
        after.forEach((node, n) -> written.put(node.name(), n - (node == marketing ? EDITS : 0)));
        long leaves = SINGLE ? 0 : EDITS;
        boolean once = written.get("crm") == EDITS && written.get("helpdesk") == leaves && written.get("billing") == leaves
                && written.get("marketing") == 0;
        StringBuilder out = new StringBuilder();
        out.append(String.format("round %d%s:%n", round, round == 1 ? " (the server's first windows: its code still being compiled)" : ""));
        out.append(String.format("  the hub (CRM) held all %,d changes %.2fs after the first poll following the edits (one pair's hop)%n",
                EDITS, hub - toFirstPoll));
        out.append(String.format("  all four systems agreed %.2fs after it (%.2fs from the edits' commit); target within 4s (two polls and "
                + "windows) of the hop: %s%n", all - toFirstPoll, all, all - hub <= 4 ? "met" : "MISSED (" + String.format("%.2fs", all - hub)
                + " after the hop)"));
        out.append(String.format("  rows Syncline wrote: %s (expected %,d to each other system, none back to marketing): %s%n", written, EDITS,
                once ? "met" : "MISSED"));
        return out.toString();
    }

    private Map<Node, Long> writes() throws SQLException {
        Map<Node, Long> writes = new LinkedHashMap<>();
        for (Node node : List.of(crm, helpdesk, billing, marketing)) {
            writes.put(node, count(node, "SELECT SUM(n) FROM writes"));
        }
        return writes;
    }

    /** Waits until every pair is linked, nothing is pending and the write counters stand still for 3 seconds. */
    private void awaitQuiet(String api, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "";
        long stableSince = System.nanoTime();
        while (System.nanoTime() < end) {
            StringBuilder now = new StringBuilder();
            boolean settled = true;
            try {
                for (String pair : PAIRS) {
                    String s = get(api + pair);
                    now.append(jsonLong(s, "writtenA")).append('/').append(jsonLong(s, "writtenB")).append('/').append(jsonLong(s, "links")).append(' ');
                    settled &= jsonLong(s, "pendingWindows") == 0 && jsonLong(s, "links") >= ROWS;
                }
            } catch (IOException e) {
                Thread.sleep(500);
                continue;
            }
            if (!now.toString().equals(last) || !settled) {
                last = now.toString();
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > 3_000_000_000L) {
                return;
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("the pairs did not become quiet within " + seconds + "s");
    }

    private static String json(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\{[^}]*})").matcher(json);
        return m.find() ? m.group(1) : "?";
    }

    private static long count(Node node, String sql) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
