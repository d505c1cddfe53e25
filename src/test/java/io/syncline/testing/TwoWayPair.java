package io.syncline.testing;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** The two-way pair "people" (crm.people <-> helpdesk.users) as a test drives it: ids by email, counters, quiet. */
public final class TwoWayPair {

    public static final Duration SYNC = Duration.ofSeconds(60);

    private TwoWayPair() {
    }

    /** The CRM id of the person with this email (trimmed, any case). */
    public static long crmId(String email) {
        return count(crm(), "SELECT id FROM people WHERE LOWER(TRIM(email)) = ?", email.toLowerCase());
    }

    public static long helpdeskId(String email) {
        return count(helpdesk(), "SELECT id FROM users WHERE LOWER(TRIM(email)) = ?", email.toLowerCase());
    }

    /** Rows inserted or updated in each system since its schema was created, counted by triggers. */
    public static long crmWrites() {
        return count(crm(), "SELECT n FROM people_writes");
    }

    public static long helpdeskWrites() {
        return count(helpdesk(), "SELECT n FROM user_writes");
    }

    public static JsonPath status() {
        return operator().get("/api/pairs/people").then().statusCode(200).extract().jsonPath();
    }

    public static void pause() {
        operator().post("/api/pairs/people/pause").then().statusCode(200);
    }

    public static void resume() {
        operator().post("/api/pairs/people/resume").then().statusCode(200);
    }

    /**
     * The end of a randomized run: the users repair what the mapping refused, an operator resolves
     * the conflicts left for review, then nothing may be left for reconciliation but the hard
     * deletes; after it, a second pass finds nothing and every record holds its expected values.
     * Returns how many records were compared field by field.
     */
    public static int settleAndVerify(RandomEdits edits) {
        edits.repair();
        awaitQuiet();
        edits.resolveConflicts();
        awaitQuiet();
        assertNothingLeftForReconciliation(edits.deletes());
        operator().post("/api/pairs/people/reconcile").then().statusCode(200);
        awaitQuiet();
        JsonPath again = operator().post("/api/pairs/people/reconcile").then().statusCode(200).extract().jsonPath();
        assertEquals(0, again.getLong("drift") + again.getLong("createInA") + again.getLong("createInB") + again.getLong("deletesToApply"),
                "a second pass finds nothing to repair: " + again.prettify());
        return edits.verify();
    }

    /**
     * What must hold once the pair is quiet, before any reconciliation could repair it: a dry run
     * finds nothing to create on either side and no drift (what polling missed, a window lost, a
     * crash left half done), only the hard deletes that polling cannot see; no dead letter, parked
     * record, open conflict or apply error is left; and each person is on each side exactly once.
     */
    public static void assertNothingLeftForReconciliation(int deletesMade) {
        JsonPath dry = operator().get("/api/pairs/people/dry-run").then().statusCode(200).extract().jsonPath();
        String report = dry.prettify();
        assertEquals(0, dry.getLong("createInA"), "a record polling did not bring to the CRM: " + report);
        assertEquals(0, dry.getLong("createInB"), "a record polling did not bring to the help desk: " + report);
        assertEquals(0, dry.getLong("matched"), "records polling left unlinked: " + report);
        assertEquals(0, dry.getLong("drift"), "changes polling and the windows did not apply: " + report);
        assertTrue(dry.getLong("deletedInA") + dry.getLong("deletedInB") <= deletesMade, "only the hard deletes made: " + report);
        JsonPath s = status();
        assertEquals(0, s.getLong("deadLetters"), "dead letters left: " + operator().get("/api/pairs/people/dead-letters").asString());
        assertEquals(0, s.getLong("twoWay.parked"), "parked records left");
        assertEquals(0, s.getLong("twoWay.conflictsOpen"), "conflicts left open");
        assertNull(s.getString("twoWay.applyError"), "a window failed to apply");
        assertEquals(count(crm(), "SELECT COUNT(*) FROM people"), count(crm(), "SELECT COUNT(DISTINCT LOWER(TRIM(email))) FROM people"),
                "each person once in the CRM");
        assertEquals(count(helpdesk(), "SELECT COUNT(*) FROM users"), count(helpdesk(), "SELECT COUNT(DISTINCT LOWER(TRIM(email))) FROM users"),
                "each person once in the help desk");
    }

    /**
     * Waits until the pair has nothing pending and neither side has been written for a few
     * windows: both sides have converged, and no echo keeps them busy.
     */
    public static void awaitQuiet() {
        AtomicReference<String> last = new AtomicReference<>("");
        AtomicLong since = new AtomicLong(System.nanoTime());
        await().atMost(SYNC).pollInterval(Duration.ofMillis(300)).until(() -> {
            JsonPath s = status();
            String now = s.getLong("twoWay.writtenA") + "/" + s.getLong("twoWay.writtenB") + "/" + crmWrites() + "/" + helpdeskWrites()
                    + "/" + s.getString("cursor") + "/" + s.getString("twoWay.cursorB");
            if (!now.equals(last.getAndSet(now)) || s.getLong("twoWay.pendingWindows") > 0) {
                since.set(System.nanoTime());
                return false;
            }
            return System.nanoTime() - since.get() > 3_000_000_000L;
        });
    }
}
