package io.syncline.testing;

import static io.restassured.RestAssured.given;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static org.awaitility.Awaitility.await;

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
        return given().get("/api/pairs/people").then().statusCode(200).extract().jsonPath();
    }

    public static void pause() {
        given().post("/api/pairs/people/pause").then().statusCode(200);
    }

    public static void resume() {
        given().post("/api/pairs/people/resume").then().statusCode(200);
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
