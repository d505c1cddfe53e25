package io.syncline.sync;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static org.awaitility.Awaitility.await;
import static io.syncline.testing.Polls.awaitPolls;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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
@Order(6)
class RestartTest {

    public static class Restarted implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EditWhileDown.class));
        }
    }

    /**
     * Runs before the restarted server: notes the target's write count and whether the pending
     * window's change had reached the help desk, then edits one contact and one ticket.
     */
    public static class EditWhileDown implements QuarkusTestResourceLifecycleManager {
        static long writesBefore = -1;
        static Object phoneBeforeRestart;

        @Override
        public Map<String, String> start() {
            RealDatabases.configuration();
            writesBefore = count(helpdesk(), "SELECT n FROM customer_writes");
            phoneBeforeRestart = row(helpdesk(), "SELECT phone FROM users WHERE LOWER(TRIM(email)) = ?", PendingWindowTest.EMAIL).get("phone");
            update(crm(), "UPDATE contacts SET first_name = 'Edited', updated_at = LOCALTIMESTAMP WHERE id = 42");
            update(helpdesk(), "UPDATE tickets SET status = 'closed', updated_at = NOW(6) WHERE id = 11");
            return Map.of("people.lookback", "0s"); // only the stored window can bring the pending change
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void restartResumesFromTheCursorWithoutRewritingUnchangedRows() {
        await().atMost(Duration.ofSeconds(30)).until(
                () -> "Edited Lovelace".equals(row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 42").get("full_name")));
        awaitPolls("contacts", 3); // more polls over the lookback window
        assertEquals(EditWhileDown.writesBefore + 1, count(helpdesk(), "SELECT n FROM customer_writes"),
                "only the contact edited while the server was down is written again");
    }

    @Test
    void aWindowStillOpenAtShutdownIsAppliedAfterTheRestart() {
        assertNotEquals(PendingWindowTest.PHONE, EditWhileDown.phoneBeforeRestart, "the change was still waiting when the server stopped");
        await().atMost(Duration.ofSeconds(60)).until(() -> PendingWindowTest.PHONE.equals(row(helpdesk(),
                "SELECT phone FROM users WHERE id = ?", io.syncline.testing.TwoWayPair.helpdeskId(PendingWindowTest.EMAIL)).get("phone")));
    }

    @Test
    void aPairPausedBeforeTheRestartStaysPausedUntilResumed() {
        operator().get("/api/pairs/tickets").then().statusCode(200).body("state", equalTo("PAUSED"));
        awaitPolls("contacts", 2); // the other pairs poll meanwhile
        assertEquals(true, row(crm(), "SELECT is_open FROM tickets WHERE helpdesk_id = 11").get("is_open"), "not synced while paused");
        operator().post("/api/pairs/tickets/resume").then().statusCode(200).body("state", not(equalTo("PAUSED")));
        await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.FALSE.equals(row(crm(), "SELECT is_open FROM tickets WHERE helpdesk_id = 11").get("is_open")));
    }
}
