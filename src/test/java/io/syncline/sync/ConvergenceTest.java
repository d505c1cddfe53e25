package io.syncline.sync;

import static io.restassured.RestAssured.given;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static io.syncline.testing.TwoWayPair.awaitQuiet;
import static io.syncline.testing.TwoWayPair.crmWrites;
import static io.syncline.testing.TwoWayPair.helpdeskWrites;
import static io.syncline.testing.TwoWayPair.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.syncline.testing.RealDatabases;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Random interleavings of inserts, updates and deletes on both sides of the two-way pair
 * "people", while it syncs; then quiet, then both sides must agree. The operations are drawn
 * from a seeded generator ({@code -Dconvergence.seed=N} repeats a run's operations; when they
 * land relative to the pair's windows depends on timing).
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(3)
class ConvergenceTest {

    private static final int OPERATIONS = 300;
    private static final List<String> FIELDS = List.of("first_name", "last_name", "phone", "status");
    private static final Map<String, Integer> ACTIVE = Map.of("Active", 1, "Inactive", 0, "Blocked", 2);

    /** The edits the test made to one record's field, in order, by side. */
    private record Edit(String side, Object value) {
    }

    private final Map<String, Map<String, List<Edit>>> edits = new LinkedHashMap<>();
    private final List<String> emails = new ArrayList<>();
    private final Set<String> deletedInCrm = new java.util.HashSet<>();
    private final Set<String> deletedInHelpdesk = new java.util.HashSet<>();
    private final Map<String, String> initialNotes = new HashMap<>();
    private int crmOwnWrites;
    private int helpdeskOwnWrites;

    @Test
    void randomEditsOnBothSidesConvergeWithNoLostUpdateAndNoEchoWrites() throws InterruptedException {
        long seed = Long.getLong("convergence.seed", 20261126L);
        System.out.println("ConvergenceTest: seed " + seed + " (repeat with -Dconvergence.seed=" + seed + ")");
        Random random = new Random(seed);
        awaitQuiet();
        for (int i = 20; i < 50; i++) {
            emails.add("person" + i + "@example.com");
        }
        long crmBefore = crmWrites();
        long helpdeskBefore = helpdeskWrites();
        int deletes = 0;
        for (int op = 0; op < OPERATIONS; op++) {
            int kind = random.nextInt(100);
            boolean crmSide = random.nextBoolean();
            if (kind < 6) {
                insert(crmSide, op);
            } else if (kind < 8 && deletes < 6) {
                if (delete(crmSide, random)) {
                    deletes++;
                }
            } else {
                edit(crmSide, random, op);
            }
            Thread.sleep(random.nextInt(30));
        }
        awaitQuiet();
        given().post("/api/pairs/people/reconcile").then().statusCode(200); // hard deletes are found by reconciliation
        awaitQuiet();
        JsonPath again = given().post("/api/pairs/people/reconcile").then().statusCode(200).extract().jsonPath();
        assertEquals(0, again.getLong("drift") + again.getLong("createInA") + again.getLong("createInB") + again.getLong("deletesToApply"),
                "a second pass finds nothing to repair: " + again.prettify());

        int checked = 0;
        for (String email : emails) {
            Map<String, Object> a = row(crm(), "SELECT first_name, last_name, phone, status, notes FROM people WHERE LOWER(TRIM(email)) = ?", email);
            Map<String, Object> b = row(helpdesk(), "SELECT first_name, last_name, phone, active, notes FROM users WHERE LOWER(TRIM(email)) = ?", email);
            if (deletedInCrm.contains(email) && !deletedInHelpdesk.contains(email)) {
                assertTrue(a.isEmpty() && b.isEmpty(), email + ": deleted in the CRM, so deleted in the help desk: " + a + " / " + b);
                continue;
            }
            if (deletedInHelpdesk.contains(email)) {
                assertTrue(b.isEmpty(), email + ": deleted in the help desk");
                assertTrue(a.isEmpty() || "Inactive".equals(a.get("status")), email + ": marked inactive in the CRM: " + a);
                continue;
            }
            assertTrue(!a.isEmpty() && !b.isEmpty(), email + " exists on both sides: " + a + " / " + b);
            for (String field : List.of("first_name", "last_name", "phone", "notes")) {
                assertEquals(a.get(field), b.get(field), email + ": " + field + " agrees");
            }
            assertEquals(ACTIVE.get((String) a.get("status")), ((Number) b.get("active")).intValue(), email + ": status agrees");
            for (String field : FIELDS) {
                List<Edit> history = edits.getOrDefault(email, Map.of()).getOrDefault(field, List.of());
                if (history.isEmpty()) {
                    continue;
                }
                Object lastCrm = last(history, "crm");
                Object lastHelpdesk = last(history, "helpdesk");
                Object now = a.get(field);
                assertTrue(Objects.equals(now, lastCrm) || Objects.equals(now, lastHelpdesk), email + ": " + field + " is '" + now
                        + "', which is neither side's last edit (crm " + lastCrm + ", help desk " + lastHelpdesk + "): a lost update");
                if (lastCrm == null || lastHelpdesk == null) {
                    assertEquals(lastCrm != null ? lastCrm : lastHelpdesk, now, email + ": " + field + " was edited on one side only");
                }
            }
            checked++;
        }
        assertTrue(checked > 20, "most records were compared field by field: " + checked);

        long synclineCrm = crmWrites() - crmBefore - crmOwnWrites;
        long synclineHelpdesk = helpdeskWrites() - helpdeskBefore - helpdeskOwnWrites;
        System.out.printf("ConvergenceTest: %d operations; Syncline wrote %d rows to the CRM and %d to the help desk%n", OPERATIONS,
                synclineCrm, synclineHelpdesk);
        assertTrue(synclineCrm + synclineHelpdesk <= OPERATIONS, "at most one write per change: echoes are not written back");
        assertTrue(status().getLong("twoWay.echoesSuppressed") > 0);
    }

    private static Object last(List<Edit> history, String side) {
        Object value = null;
        for (Edit e : history) {
            if (e.side().equals(side)) {
                value = e.value();
            }
        }
        return value;
    }

    private void insert(boolean crmSide, int op) {
        String email = "random" + op + "@example.com";
        if (crmSide) {
            crmOwnWrites += update(crm(), "INSERT INTO people (email, first_name, last_name, status, notes) VALUES (?, 'New', 'InCrm', 'Active', 'n')", email);
        } else {
            helpdeskOwnWrites += update(helpdesk(), "INSERT INTO users (email, first_name, last_name, active, notes) VALUES (?, 'New', 'InHelpdesk', 1, 'n')", email);
        }
        emails.add(email);
    }

    private boolean delete(boolean crmSide, Random random) {
        String email = emails.get(random.nextInt(emails.size()));
        if (deletedInCrm.contains(email) || deletedInHelpdesk.contains(email)) {
            return false;
        }
        int n = crmSide ? update(crm(), "DELETE FROM people WHERE LOWER(TRIM(email)) = ?", email)
                : update(helpdesk(), "DELETE FROM users WHERE LOWER(TRIM(email)) = ?", email);
        if (n > 0) {
            (crmSide ? deletedInCrm : deletedInHelpdesk).add(email);
        }
        return n > 0;
    }

    private void edit(boolean crmSide, Random random, int op) {
        String email = emails.get(random.nextInt(emails.size()));
        if (deletedInCrm.contains(email) || deletedInHelpdesk.contains(email)) {
            return;
        }
        String field = FIELDS.get(random.nextInt(FIELDS.size()));
        String value = switch (field) {
            case "status" -> List.of("Active", "Inactive", "Blocked").get(random.nextInt(3));
            default -> field + "-" + op;
        };
        int n;
        if (crmSide) {
            n = update(crm(), "UPDATE people SET " + field + " = ? WHERE LOWER(TRIM(email)) = ?", value, email);
            crmOwnWrites += n;
        } else if (field.equals("status")) {
            n = update(helpdesk(), "UPDATE users SET active = ? WHERE LOWER(TRIM(email)) = ?", ACTIVE.get(value), email);
            helpdeskOwnWrites += n;
        } else {
            n = update(helpdesk(), "UPDATE users SET " + field + " = ? WHERE LOWER(TRIM(email)) = ?", value, email);
            helpdeskOwnWrites += n;
        }
        if (n > 0) { // a record inserted on the other side may not have arrived yet
            edits.computeIfAbsent(email, e -> new HashMap<>()).computeIfAbsent(field, f -> new ArrayList<>())
                    .add(new Edit(crmSide ? "crm" : "helpdesk", value));
        }
    }
}
