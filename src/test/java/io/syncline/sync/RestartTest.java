package io.syncline.sync;

import static io.restassured.RestAssured.given;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.syncline.testing.RealDatabases;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A second start of the server over the same databases and state store (Quarkus restarts the
 * application for this profile, after the tests without one). Before it starts, one contact is
 * edited, as if while Syncline was down; and {@link PendingWindowTest} left a two-way change
 * waiting in an open window when its server stopped.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(RestartTest.Restarted.class)
@Order(5)
class RestartTest {

    public static class Restarted implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EditWhileDown.class));
        }
    }

    /** Runs before the restarted server: notes the target's write count, then edits one contact. */
    public static class EditWhileDown implements QuarkusTestResourceLifecycleManager {
        static long writesBefore = -1;

        @Override
        public Map<String, String> start() {
            RealDatabases.configuration();
            writesBefore = count(helpdesk(), "SELECT n FROM customer_writes");
            update(crm(), "UPDATE contacts SET first_name = 'Edited', updated_at = LOCALTIMESTAMP WHERE id = 42");
            return Map.of();
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void restartResumesFromTheCursorWithoutRewritingUnchangedRows() throws InterruptedException {
        await().atMost(Duration.ofSeconds(30)).until(
                () -> "Edited Lovelace".equals(row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 42").get("full_name")));
        given().get("/api/pairs/contacts").then().statusCode(200).body("lastSuccessfulPoll", notNullValue());
        Thread.sleep(2_500); // more polls over the lookback window
        assertEquals(EditWhileDown.writesBefore + 1, count(helpdesk(), "SELECT n FROM customer_writes"),
                "only the contact edited while the server was down is written again");
    }

    @Test
    void aWindowStillOpenAtShutdownIsAppliedAfterTheRestart() {
        await().atMost(Duration.ofSeconds(60)).until(() -> PendingWindowTest.PHONE.equals(row(helpdesk(),
                "SELECT phone FROM users WHERE id = ?", io.syncline.testing.TwoWayPair.helpdeskId(PendingWindowTest.EMAIL)).get("phone")));
    }
}
