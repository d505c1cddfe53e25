package io.syncline.sync;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Polls.awaitPolls;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.syncline.testing.RealDatabases;
import io.syncline.write.Faults;
import jakarta.inject.Inject;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Tables whose change marker the application maintains (no default, no trigger), as Django, Rails
 * and Laravel keep them: the test pair "accounts" (src/test/resources/routes) stamps both sides'
 * {@code modified} on every write, so inserts succeed, the applications' own readers see Syncline's
 * changes, and the echo of a stamped write is still recognised.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(1)
class ApplicationMaintainedMarkersTest {

    private static final Duration SYNC = Duration.ofSeconds(30);

    @Inject
    Faults faults;

    @Test
    void writesStampTheChangeMarkersTheApplicationsMaintain() {
        update(crm(), "INSERT INTO accounts (name, plan, modified) VALUES ('Acme', 'free', now())");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM clients WHERE name = 'Acme'") == 1);
        assertEquals("free", row(helpdesk(), "SELECT plan FROM clients WHERE name = 'Acme'").get("plan"));
        assertNotNull(row(helpdesk(), "SELECT modified FROM clients WHERE name = 'Acme'").get("modified"), "stamped on insert");
        Timestamp crmModified = (Timestamp) row(crm(), "SELECT modified FROM accounts WHERE name = 'Acme'").get("modified");
        awaitPolls("accounts", 2);
        JsonPath before = status();

        update(helpdesk(), "UPDATE clients SET plan = 'gold', modified = NOW(6) WHERE name = 'Acme'");
        await().atMost(SYNC).until(() -> "gold".equals(row(crm(), "SELECT plan FROM accounts WHERE name = 'Acme'").get("plan")));
        Timestamp stamped = (Timestamp) row(crm(), "SELECT modified FROM accounts WHERE name = 'Acme'").get("modified");
        assertTrue(stamped.after(crmModified), "Syncline's update moved the CRM's marker: " + crmModified + " -> " + stamped);

        awaitPolls("accounts", 3); // the stamped write is read back on both sides' polls
        JsonPath after = status();
        assertEquals(1, after.getLong("twoWay.writtenA") - before.getLong("twoWay.writtenA"), "one write to the CRM");
        assertEquals(0, after.getLong("twoWay.writtenB") - before.getLong("twoWay.writtenB"), "its echo is not written back");
        assertEquals(0, after.getLong("deadLetters"));
    }

    /**
     * The pair's windows also close on their second page ({@code completionSize: 2}, pages of one record), a page that
     * Camel's aggregator hands to the repository only as it closes the window. That page is stored with its window all
     * the same: when the window's apply fails (here once, as a crash would stop it), window recovery applies all of it
     * again, and the polls go on.
     */
    @Test
    void aWindowClosedOnAPageWhoseApplyFailsIsAppliedAgain() {
        update(crm(), "INSERT INTO accounts (name, plan, modified) VALUES ('Hooli', 'free', now()), ('Initrode', 'free', now())");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM clients WHERE name IN ('Hooli', 'Initrode')") == 2);
        long initrode = count(crm(), "SELECT id FROM accounts WHERE name = 'Initrode'"); // read after Hooli: the window's second page
        AtomicBoolean failed = new AtomicBoolean();
        faults.once("accounts", String.valueOf(initrode), Faults.BEFORE_SIDES_COMMIT, () -> {
            failed.set(true);
            throw new IllegalStateException("the test stops the apply before the sides commit");
        });
        update(crm(), "UPDATE accounts SET plan = 'platinum', modified = now() WHERE name IN ('Hooli', 'Initrode')");
        await().atMost(Duration.ofSeconds(60)).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM clients WHERE plan = 'platinum'") == 2);
        assertTrue(failed.get(), "the window's apply failed once");
        update(crm(), "UPDATE accounts SET plan = 'silver', modified = now() WHERE id = ?", initrode);
        await("a later edit: the polls went on").atMost(SYNC)
                .until(() -> "silver".equals(row(helpdesk(), "SELECT plan FROM clients WHERE name = 'Initrode'").get("plan")));
    }

    private static JsonPath status() {
        return operator().get("/api/pairs/accounts").then().statusCode(200).extract().jsonPath();
    }
}
