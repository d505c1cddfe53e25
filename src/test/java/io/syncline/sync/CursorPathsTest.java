package io.syncline.sync;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.syncline.testing.RealDatabases;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Every kind of cursor the README promises, on the test pairs of {@code src/test/resources/routes}:
 * "orders" reads a PostgreSQL {@code timestamptz} marker that the application sets (as Django
 * does) and stamps the help desk's {@code modified}, which has no default; "invoices" reads an
 * integer version; both read pages of 10 rows. "tasks" has Laravel's nullable timestamps.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(1)
class CursorPathsTest {

    private static final Duration SYNC = Duration.ofSeconds(30);

    @Test
    void timestamptzCursorReadsRowsSharingOneTimestampAcrossPages() {
        // one transaction: now() is its start, so all 35 share one timestamp, and pages of 10 split them
        update(crm(), "INSERT INTO orders (reference, total, note, modified) SELECT 'A-' || x, x * 1.5, 'café ☕ ' || x, now()"
                + " FROM generate_series(1, 35) AS x");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM orders WHERE reference LIKE 'A-%'") == 35);
        assertEquals("café ☕ 7", row(helpdesk(), "SELECT note FROM orders WHERE reference = 'A-7'").get("note"));
        assertNotNull(row(helpdesk(), "SELECT modified FROM orders WHERE reference = 'A-7'").get("modified"), "targetStamp: stamped on insert");
        assertEquals(0, new BigDecimal("10.50").compareTo((BigDecimal) row(helpdesk(), "SELECT total FROM orders WHERE reference = 'A-7'").get("total")));
    }

    @Test
    void lateCommitBehindTheCursorIsPickedUpByTheLookback() throws Exception {
        update(crm(), "INSERT INTO orders (reference, total, modified) VALUES ('L-1', 1, now())");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM orders WHERE reference = 'L-1'") == 1);
        Timestamp targetStamp = (Timestamp) row(helpdesk(), "SELECT modified FROM orders WHERE reference = 'L-1'").get("modified");
        try (Connection late = DriverManager.getConnection(crm(), "postgres", null)) {
            late.setAutoCommit(false);
            Instant stamped;
            try (PreparedStatement ps = late.prepareStatement(
                    "UPDATE orders SET total = 99.99, modified = now() WHERE reference = 'L-1' RETURNING modified")) {
                ResultSet rs = ps.executeQuery(); // stamped with its transaction's start, committed later
                rs.next();
                stamped = rs.getObject(1, OffsetDateTime.class).toInstant();
            }
            update(crm(), "INSERT INTO orders (reference, total, modified) VALUES ('L-2', 2, now())"); // a later stamp, committed first
            await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM orders WHERE reference = 'L-2'") == 1
                    && cursorTime("orders").isAfter(stamped));
            assertNotEquals(0, new BigDecimal("99.99").compareTo(total("L-1")), "not committed yet, so not synced");
            late.commit(); // now visible, behind the cursor: only the lookback re-read can find it
        }
        await().atMost(SYNC).until(() -> new BigDecimal("99.99").compareTo(total("L-1")) == 0);
        Timestamp restamped = (Timestamp) row(helpdesk(), "SELECT modified FROM orders WHERE reference = 'L-1'").get("modified");
        assertTrue(restamped.after(targetStamp), "targetStamp: stamped again on update: " + targetStamp + " -> " + restamped);
    }

    @Test
    void versionCursorBreaksTiesById() {
        update(crm(), "INSERT INTO invoices SELECT x, x * 10, 7 FROM generate_series(1, 15) AS x");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM invoices") == 15);
        await().atMost(SYNC).until(() -> "7 / 15".equals(cursor("invoices")));
        // the same version again, with higher ids: behind "version > 7", found by "version = 7 and id > 15"
        update(crm(), "INSERT INTO invoices SELECT x, x * 10, 7 FROM generate_series(16, 25) AS x");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM invoices") == 25);
        update(crm(), "UPDATE invoices SET amount = 1, version = 8 WHERE id = 3");
        await().atMost(SYNC).until(() -> ((Number) row(helpdesk(), "SELECT amount FROM invoices WHERE crm_id = 3").get("amount")).intValue() == 1);
        // the page's state commit (its links and cursor) follows the target's: the cursor moves just after the row is there
        await().atMost(SYNC).untilAsserted(() -> assertEquals("8 / 3", cursor("invoices")));
    }

    @Test
    void aRowWithoutAChangeMarkerIsADeadLetterUntilItHasOne() {
        // "tasks" keeps Laravel's nullable timestamps; eleven imported rows have none: the full load goes past them, to the end
        // of the table, although its first page holds only two changes
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM tasks") == 2);
        await().atMost(SYNC).untilAsserted(() -> assertEquals(11, operator().get("/api/pairs/tasks/dead-letters").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.reason.contains(\"change marker 'updated_at' is empty\") }").size()));
        update(crm(), "UPDATE tasks SET updated_at = LOCALTIMESTAMP WHERE id = 2");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM tasks") == 3);
        await().atMost(SYNC).untilAsserted(() -> operator().get("/api/pairs/tasks/dead-letters").then().body("recordId", not(hasItem("2"))));
    }

    private static BigDecimal total(String reference) {
        return (BigDecimal) row(helpdesk(), "SELECT total FROM orders WHERE reference = ?", reference).get("total");
    }

    private static String cursor(String pair) {
        return operator().get("/api/pairs/" + pair).then().statusCode(200).extract().jsonPath().getString("cursor");
    }

    /** The time part of a timestamp cursor, "2026-11-26T10:00:00.123456Z / 42". */
    private static Instant cursorTime(String pair) {
        String cursor = cursor(pair);
        assertTrue(cursor.contains(" / "), "a cursor: " + cursor);
        return Instant.parse(cursor.substring(0, cursor.indexOf(" / ")));
    }
}
