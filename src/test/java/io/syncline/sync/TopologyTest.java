package io.syncline.sync;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.syncline.pair.Role;
import io.syncline.state.Links;
import io.syncline.testing.RealDatabases;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * One record, many systems: four real databases (CRM and marketing on PostgreSQL, help desk and billing on MariaDB)
 * joined by two-way pairs in a star (the CRM the hub), a chain (help desk - CRM - billing - marketing) and a triangle
 * (CRM - help desk - billing - CRM). Each system maps status its own way (Active, 1, A, subscribed), and the CRM,
 * help desk and billing keep their change markers in the application (Syncline stamps them), so that a write by
 * one pair is a change that the next pair sees. A change made in any system reaches every other, each written
 * exactly once (counted by triggers), and nothing loops: the write counters stand still afterwards.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(TopologyTest.Topologies.class)
@Order(4)
class TopologyTest {

    private static final Duration SYNC = Duration.ofSeconds(60);
    private static final int PEOPLE = 20;

    /** Only the topology pairs, with the two systems only they use. */
    public static class Topologies implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("camel.main.routes-include-pattern", "file:src/test/resources/topologies/*.yaml");
        }
    }

    /**
     * A system as its users edit it: its status column and values, and its marker when the application keeps it. Its URL is
     * looked up when used, inside the test application.
     */
    private record Node(String name, String status, String active, String inactive, String stampSql) {
        String url() {
            return RealDatabases.configuration().get("syncline.systems." + name + ".url");
        }
    }

    private static final Node CRM = new Node("crm", "status", "Active", "Inactive", "modified = clock_timestamp()");
    private static final Node HELPDESK = new Node("helpdesk", "active", "1", "0", "modified = NOW(6)");
    private static final Node BILLING = new Node("billing", "state", "A", "I", "modified = NOW(6)");
    private static final Node MARKETING = new Node("marketing", "status", "subscribed", "unsubscribed", null);

    private static final List<Node> STAR = List.of(CRM, HELPDESK, BILLING, MARKETING);
    private static final List<Node> CHAIN = List.of(HELPDESK, CRM, BILLING, MARKETING);
    private static final List<Node> TRIANGLE = List.of(CRM, HELPDESK, BILLING);
    private static final Map<String, List<String>> PAIRS = Map.of(
            "star", List.of("star-helpdesk", "star-billing", "star-marketing"),
            "chain", List.of("chain-helpdesk", "chain-billing", "chain-marketing"),
            "tri", List.of("tri-helpdesk", "tri-billing", "tri-crm"));

    @Inject
    Links links;

    /**
     * The first run found the people every system already held alike: twins linked as they are, with their values as the
     * base (a merge of later edits needs it), nothing written. The base of a record edited since is the writer's.
     */
    @Test
    void twinsTheFirstRunFoundEqualAreLinkedWithTheirValuesAsTheBase() {
        PAIRS.values().stream().flatMap(List::stream).forEach(pair -> {
            List<String> aIds = links.keys(pair).stream().map(Links.LinkKey::aId).toList();
            Map<String, Links.Link> linked = links.find(pair, Role.A, aIds);
            assertTrue(linked.size() >= PEOPLE, pair + ": " + linked.size() + " links");
            linked.values().forEach(link -> assertTrue(link.base() != null && link.base().containsKey("email"),
                    pair + ": the link of " + link.aId() + " <-> " + link.bId() + " has no base: " + link.base()));
        });
    }

    @BeforeEach
    void allLinked() {
        // the first run matches the people every system has by email: linked, nothing written
        PAIRS.values().stream().flatMap(List::stream).forEach(pair -> await().atMost(SYNC)
                .until(() -> operator().get("/api/pairs/" + pair).then().extract().jsonPath().getLong("links") >= PEOPLE));
    }

    @Test
    void aPhoneChangedInALeafOfTheStarReachesEveryOtherSystemOnceAndNothingLoops() {
        Map<Node, Long> before = writes("star_people", STAR);
        Map<String, Long> countersBefore = changeCounters(PAIRS.get("star"));
        List<String> emails = emails(1, 10);
        changePhones(MARKETING, "star_people", STAR, emails, "+44 20 ");
        awaitQuiet("star_people", STAR);
        assertWrites("star_people", STAR, before, emails.size(), "each system: the user's edit (marketing) or Syncline's one write");

        // the status API tells what came in from users (the leaf) and what through another pair (the hub, written by star-marketing)
        Map<String, Long> counted = changeCounters(PAIRS.get("star"));
        counted.replaceAll((counter, n) -> n - countersBefore.get(counter));
        Map<String, Long> expected = new java.util.TreeMap<>();
        PAIRS.get("star").forEach(pair -> List.of("a", "b").forEach(side -> {
            expected.put(pair + " fromUsers." + side, pair.equals("star-marketing") && side.equals("b") ? (long) emails.size() : 0L);
            expected.put(pair + " relayed." + side, !pair.equals("star-marketing") && side.equals("a") ? (long) emails.size() : 0L);
        }));
        assertEquals(expected, counted);
    }

    /** Each pair's counters of changes from users and relayed, per side. */
    private static Map<String, Long> changeCounters(List<String> pairs) {
        Map<String, Long> counters = new java.util.TreeMap<>();
        for (String pair : pairs) {
            JsonPath view = operator().get("/api/pairs/" + pair).then().statusCode(200).extract().jsonPath();
            for (String side : List.of("a", "b")) {
                counters.put(pair + " fromUsers." + side, view.getLong("twoWay.changesFromUsers." + side));
                counters.put(pair + " relayed." + side, view.getLong("twoWay.changesRelayed." + side));
            }
        }
        return counters;
    }

    /**
     * Seeded ({@code -Dconvergence.seed=N}) random edits in the four systems of the star, the same record in two systems now
     * and then: every system ends on each record's latest edit. Pairs writing the hub at once make the databases break a
     * deadlock now and then: the writer applies the chunk again at once, and a window whose apply failed is applied again
     * after its backoff, before the star counts as quiet.
     */
    @Test
    void randomEditsInEverySystemOfTheStarConverge() {
        long seed = Long.getLong("convergence.seed", 20261127L);
        java.util.Random random = new java.util.Random(seed);
        List<String> emails = emails(13, 20);
        Map<String, String> lastPhone = new java.util.HashMap<>();
        Map<String, Boolean> lastActive = new java.util.HashMap<>();
        for (int round = 0; round < 6; round++) {
            // a few edits at once, in any system, the same record in two systems now and then
            for (int i = 0; i < 4; i++) {
                Node system = STAR.get(random.nextInt(STAR.size()));
                String email = emails.get(random.nextInt(emails.size()));
                String phone = "+1 " + seed % 1000 + " " + round + i;
                boolean active = random.nextBoolean();
                edit(system, "star_people", email, "phone = '" + phone + "', " + system.status() + " = '" + (active ? system.active() : system.inactive()) + "'");
                lastPhone.put(email, phone);
                lastActive.put(email, active);
            }
            sleep(random.nextInt(1500));
        }
        awaitQuiet("star_people", STAR);
        for (String email : emails) {
            // every system holds the latest edit, wherever it was made: last-writer-wins compares the users' edits, not the
            // times at which Syncline relayed them through the hub
            Object phone = lastPhone.containsKey(email) ? lastPhone.get(email)
                    : row(CRM.url(), "SELECT phone FROM star_people WHERE email = ?", email).get("phone");
            boolean active = lastActive.getOrDefault(email,
                    CRM.active().equals(row(CRM.url(), "SELECT status FROM star_people WHERE email = ?", email).get("status")));
            for (Node system : STAR) {
                Map<String, Object> held = row(system.url(), "SELECT phone, " + system.status() + " FROM star_people WHERE email = ?", email);
                assertEquals(phone, held.get("phone"), "seed " + seed + ": " + email + " in " + system.name() + "; all: " + everywhere(email));
                assertEquals(active ? system.active() : system.inactive(), String.valueOf(held.get(system.status())),
                        "seed " + seed + ": " + email + " in " + system.name());
            }
        }
    }

    private static String everywhere(String email) {
        StringBuilder all = new StringBuilder();
        for (Node system : STAR) {
            all.append(system.name()).append(row(system.url(), "SELECT * FROM star_people WHERE email = ?", email)).append(' ');
        }
        return all.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void startUpTellsWhichTablesArePairedMoreThanOnceAndWhichPairsFormACycle() {
        JsonPath topology = operator().get("/api/topology").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("star-billing", "star-helpdesk", "star-marketing"), sorted(topology.getList("sharedTables.'crm.star_people'")));
        assertEquals(List.of("chain-billing", "chain-marketing"), sorted(topology.getList("sharedTables.'billing.chain_people'")));
        assertEquals(1, topology.getList("cycles").size(), "the triangle, and only it: " + topology.getList("cycles"));
        assertEquals(List.of("tri-billing", "tri-crm", "tri-helpdesk"), sorted(topology.getList("cycles[0]")));
        assertEquals(List.of(), topology.getList("warnings"), "last-writer-wins on every pair of the triangle");
    }

    private static List<String> sorted(List<String> names) {
        return names.stream().sorted().toList();
    }

    @Test
    void aStatusChangedInTheHubIsWrittenInEachLeafsOwnValues() {
        Map<Node, Long> before = writes("star_people", STAR);
        String email = "p11@topo.example";
        edit(CRM, "star_people", email, "status = 'Inactive'");
        awaitStatus("star_people", STAR, email, false);
        awaitQuiet("star_people", STAR);
        assertWrites("star_people", STAR, before, 1, "one write per system");
    }

    @Test
    void theSameFieldChangedInTwoLeavesAtOnceEndsTheSameEverywhereWithoutPingPong() {
        String email = "p12@topo.example";
        edit(HELPDESK, "star_people", email, "phone = '+1 helpdesk'");
        edit(BILLING, "star_people", email, "phone = '+1 billing'"); // later: last writer wins, on every pair
        awaitEverywhere("star_people", STAR, email, "phone", "+1 billing");
        awaitQuiet("star_people", STAR);
    }

    @Test
    void aRecordCreatedInALeafIsCreatedOnceInEveryOtherSystem() {
        Map<Node, Long> before = writes("star_people", STAR);
        String email = "new.leaf@topo.example";
        update(HELPDESK.url(), "INSERT INTO star_people (email, phone, active, modified) VALUES (?, '+1 555 new', 1, NOW(6))", email);
        for (Node system : STAR) {
            await().atMost(SYNC).until(() -> count(system.url(), "SELECT COUNT(*) FROM star_people WHERE email = ?", email) == 1);
        }
        awaitStatus("star_people", STAR, email, true);
        awaitQuiet("star_people", STAR);
        for (Node system : STAR) {
            assertEquals(1, count(system.url(), "SELECT COUNT(*) FROM star_people WHERE email = ?", email), system.name() + ": created once");
        }
        assertWrites("star_people", STAR, before, 1, "the user's insert in the help desk, one insert elsewhere");
    }

    @Test
    void aChangeAtOneEndOfTheChainReachesTheOtherEndWrittenOnceOnTheWay() {
        Map<Node, Long> before = writes("chain_people", CHAIN);
        List<String> emails = emails(1, 5);
        for (String email : emails) {
            edit(HELPDESK, "chain_people", email, "phone = '+33 1 " + email.hashCode() + "', active = 0");
        }
        for (String email : emails) {
            awaitEverywhere("chain_people", CHAIN, email, "phone", "+33 1 " + email.hashCode());
            awaitStatus("chain_people", CHAIN, email, false);
        }
        awaitQuiet("chain_people", CHAIN);
        assertWrites("chain_people", CHAIN, before, emails.size(), "each system once per change, also the far end (marketing)");
    }

    @Test
    void aChangeInACornerOfTheTriangleReachesBothOthersOnceAndStops() {
        Map<Node, Long> before = writes("tri_people", TRIANGLE);
        List<String> emails = emails(1, 5);
        changePhones(BILLING, "tri_people", TRIANGLE, emails, "+49 30 ");
        awaitQuiet("tri_people", TRIANGLE);
        assertWrites("tri_people", TRIANGLE, before, emails.size(), "both ways round the triangle bring the same value: written once");
    }

    @Test
    void theTriangleConvergesWhenTwoCornersChangeTheSameRecord() {
        String email = "p9@topo.example";
        edit(CRM, "tri_people", email, "phone = '+1 crm corner'");
        edit(HELPDESK, "tri_people", email, "phone = '+1 helpdesk corner', active = 0");
        awaitEverywhere("tri_people", TRIANGLE, email, "phone", "+1 helpdesk corner");
        awaitStatus("tri_people", TRIANGLE, email, false);
        awaitQuiet("tri_people", TRIANGLE);
    }

    private static List<String> emails(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "p" + i + "@topo.example").toList();
    }

    /** The users of one system change these people's phones; returns once every system of the topology holds them. */
    private static void changePhones(Node in, String table, List<Node> systems, List<String> emails, String prefix) {
        for (String email : emails) {
            edit(in, table, email, "phone = '" + prefix + email.hashCode() + "'");
        }
        for (String email : emails) {
            awaitEverywhere(table, systems, email, "phone", prefix + email.hashCode());
        }
    }

    /** A user's edit: the columns, and the marker where the application keeps it. */
    private static void edit(Node system, String table, String email, String set) {
        String sql = "UPDATE " + table + " SET " + set + (system.stampSql() == null ? "" : ", " + system.stampSql()) + " WHERE email = ?";
        assertEquals(1, update(system.url(), sql, email), sql);
    }

    private static void awaitEverywhere(String table, List<Node> systems, String email, String column, Object value) {
        for (Node system : systems) {
            await().atMost(SYNC).until(() -> value.equals(row(system.url(), "SELECT " + column + " FROM " + table + " WHERE email = ?", email)
                    .get(column)));
        }
    }

    private static void awaitStatus(String table, List<Node> systems, String email, boolean active) {
        for (Node system : systems) {
            String expected = active ? system.active() : system.inactive();
            await().atMost(SYNC).until(() -> expected.equals(String.valueOf(row(system.url(), "SELECT " + system.status() + " FROM " + table
                    + " WHERE email = ?", email).get(system.status()))));
        }
    }

    /**
     * Waits until no system of the topology has been written for 5 seconds (a loop would write on) and none of its pairs has
     * a window waiting (one whose apply failed, a deadlock say, is applied again later: the systems are not done yet).
     */
    private static void awaitQuiet(String table, List<Node> systems) {
        List<String> pairs = PAIRS.get(table.substring(0, table.indexOf('_')));
        Map<Node, Long>[] last = new Map[] {writes(table, systems)};
        long[] since = {System.nanoTime()};
        await().atMost(SYNC).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<Node, Long> now = writes(table, systems);
            if (!now.equals(last[0]) || pairs.stream().anyMatch(TopologyTest::waiting)) {
                last[0] = now;
                since[0] = System.nanoTime();
            }
            return System.nanoTime() - since[0] > Duration.ofSeconds(5).toNanos();
        });
    }

    /** Whether a pair has changes waiting in a window, open or closed. */
    private static boolean waiting(String pair) {
        return operator().get("/api/pairs/" + pair).then().statusCode(200).extract().jsonPath().getLong("twoWay.pendingWindows") > 0;
    }

    private static Map<Node, Long> writes(String table, List<Node> systems) {
        Map<Node, Long> writes = new LinkedHashMap<>();
        for (Node system : systems) {
            writes.put(system, count(system.url(), "SELECT n FROM topology_writes WHERE tbl = ?", table));
        }
        return writes;
    }

    private static void assertWrites(String table, List<Node> systems, Map<Node, Long> before, int expected, String message) {
        Map<Node, Long> after = writes(table, systems);
        Map<String, Long> written = new LinkedHashMap<>();
        systems.forEach(s -> written.put(s.name(), after.get(s) - before.get(s)));
        Map<String, Long> wanted = new LinkedHashMap<>();
        systems.forEach(s -> wanted.put(s.name(), (long) expected));
        assertEquals(wanted, written, message);
    }
}
