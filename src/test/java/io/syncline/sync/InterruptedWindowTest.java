package io.syncline.sync;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static io.syncline.testing.TwoWayPair.SYNC;
import static io.syncline.testing.TwoWayPair.awaitQuiet;
import static io.syncline.testing.TwoWayPair.crmId;
import static io.syncline.testing.TwoWayPair.helpdeskId;
import static io.syncline.testing.TwoWayPair.status;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.syncline.testing.RealDatabases;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A window of "people" stopped at its commit points, as a crash would stop it (syncline.faults):
 * first after its intent is stored and before either side commits, then, applied again, after both
 * sides committed and before its links moved. Meanwhile the side the window had nothing to write
 * to is edited. Nothing may be lost, and once done the record must not show as drift.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(InterruptedWindowTest.Faults.class)
@Order(4)
class InterruptedWindowTest {

    public static class Faults implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // person95 has id 95 in the CRM (seeded in order)
            return Map.of("syncline.faults", "people/95:before-sides-commit,people/95:before-state-commit");
        }
    }

    @Test
    void anEditMadeWhileAWindowIsInterruptedIsNotLostAndTheLinkMovesOnceBothSidesAgree() {
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM users WHERE LOWER(TRIM(email)) = 'person95@example.com'") == 1);
        awaitQuiet();
        long a = crmId("person95@example.com");
        assertEquals(95, a, "the record the faults are armed for");
        long b = helpdeskId("person95@example.com");
        update(crm(), "UPDATE people SET first_name = 'Interrupted' WHERE id = ?", a); // the window writes the help desk only
        await().atMost(SYNC).until(() -> String.valueOf(status().getString("twoWay.applyError")).contains("before-sides-commit"));
        assertTrue(status().getInt("twoWay.applyFailures") >= 1, "counted");
        assertNotNull(status().getString("twoWay.nextApply"), "the failed window waits before it is tried again");
        // while the window waits to be applied again, the help desk edits another field
        update(helpdesk(), "UPDATE users SET last_name = 'Meanwhile' WHERE id = ?", b);

        Map<String, Object> expected = Map.of("first_name", "Interrupted", "last_name", "Meanwhile");
        await().atMost(SYNC).untilAsserted(() -> {
            assertEquals(expected, row(crm(), "SELECT first_name, last_name FROM people WHERE id = ?", a));
            assertEquals(expected, row(helpdesk(), "SELECT first_name, last_name FROM users WHERE id = ?", b));
        });
        awaitQuiet();
        JsonPath dry = operator().get("/api/pairs/people/dry-run").then().statusCode(200).extract().jsonPath();
        assertEquals(0, dry.getLong("drift"), "the link moved once both sides held the window's result: " + dry.prettify());
        assertNull(status().getString("twoWay.applyError"), "applied in the end");
        assertEquals(0, status().getInt("twoWay.applyFailures"));
        assertNull(status().getString("twoWay.nextApply"));
    }
}
