package io.syncline.sync;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static io.syncline.testing.TwoWayPair.SYNC;
import static io.syncline.testing.TwoWayPair.crmId;
import static io.syncline.testing.TwoWayPair.helpdeskId;
import static io.syncline.testing.TwoWayPair.status;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.syncline.testing.RealDatabases;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A server whose window never closes: a change is read, its cursor moves on, and it waits in the
 * pending window when the server stops. {@link RestartTest} (the next start) checks it arrives.
 * No lookback here or there: the restarted server cannot read the change again, only the window
 * kept in the state store can bring it. The one-way pair "tickets" is paused here, to stay paused;
 * the test pair "stalled" never polls.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(PendingWindowTest.LongWindow.class)
@Order(5)
class PendingWindowTest {

    static final String EMAIL = "person60@example.com";
    static final String PHONE = "+1 555 pending";

    public static class LongWindow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("people.window", "10m", "people.lookback", "0s",
                    // and a pair whose trigger never fires
                    "camel.main.routes-include-pattern", "file:routes/*.yaml,file:src/test/resources/routes/*.yaml,"
                            + "file:src/test/resources/stalled-routes/*.yaml");
        }
    }

    @Test
    void aChangeReadIntoTheWindowIsKeptDurablyUntilApplied() {
        String cursorBefore = status().getString("cursor");
        update(crm(), "UPDATE people SET phone = ? WHERE id = ?", PHONE, crmId(EMAIL));
        await().atMost(SYNC).until(() -> status().getLong("twoWay.pendingWindows") > 0 && !cursorBefore.equals(status().getString("cursor")));
        assertNotEquals(PHONE, row(helpdesk(), "SELECT phone FROM users WHERE id = ?", helpdeskId(EMAIL)).get("phone"), "not applied yet");
        assertEquals(PHONE, row(crm(), "SELECT phone FROM people WHERE id = ?", crmId(EMAIL)).get("phone"));
        // the server stops after this test, with the window still open
    }

    @Test
    void aPairThatDoesNotPollIsReportedOverdue() {
        await().atMost(SYNC).untilAsserted(() -> operator().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'syncline-pair-stalled' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'syncline-pair-stalled' }.data.reason", containsString("overdue")));
        operator().get("/q/health/ready").then().body("checks.find { it.name == 'syncline-pair-orders' }.status", equalTo("UP"));
    }

    @Test
    void aPausedPairIsPausedDurably() {
        operator().post("/api/pairs/tickets/pause").then().statusCode(200).body("state", equalTo("PAUSED"));
        // RestartTest checks that it is still paused after the restart
    }
}
