package io.syncline.ops;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Api.viewer;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static io.syncline.testing.TwoWayPair.SYNC;
import static io.syncline.testing.TwoWayPair.crmId;
import static io.syncline.testing.TwoWayPair.helpdeskId;
import static io.syncline.testing.TwoWayPair.pause;
import static io.syncline.testing.TwoWayPair.resume;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.syncline.testing.RealDatabases;
import java.util.List;
import java.util.Map;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * Record history of the two-way pair {@code people} (CRM PostgreSQL <-> help desk MariaDB; status a-wins, phone
 * b-wins and sensitive): GET /api/pairs/people/records/{id}/history says, for each decision, which side changed
 * which field, which rule chose, the old and new values and the sides written, newest first.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@org.junit.jupiter.api.Order(3) // after TwoWaySyncTest, whose first test counts the people the run starts with
class RecordHistoryTest {

    private static JsonPath history(String query) {
        return viewer().get("/api/pairs/people/records/" + query).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aRecordsHistorySaysWhoChangedWhatWhichRuleDecidedAndWhatWasWritten() {
        String email = "history.ada@example.com";
        update(crm(), "INSERT INTO people (email, first_name, last_name, phone, status) VALUES (?, 'Ada', 'History', '+1 555 7001', 'Active')",
                email);
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM users WHERE email = ?", email) == 1);
        long crm = crmId(email);
        long helpdesk = helpdeskId(email);
        await().atMost(SYNC).until(() -> history(crm + "/history").getList("decisions").size() == 1);
        JsonPath created = history(crm + "/history");
        assertEquals(String.valueOf(helpdesk), created.getString("bId"));
        assertEquals("created on b", created.getString("decisions[0].what"));
        assertEquals("Ada", created.getString("decisions[0].changes.find { it.field == 'first' }.to"));
        assertEquals("a", created.getString("decisions[0].changes.find { it.field == 'first' }.changedOn"));
        assertEquals(List.of("b"), created.getList("decisions[0].changes.find { it.field == 'first' }.written"));

        // both sides change status within one window (a-wins decides), the help desk alone changes the phone
        pause();
        update(crm(), "UPDATE people SET status = 'Inactive' WHERE id = ?", crm);
        update(helpdesk(), "UPDATE users SET active = 2, phone = '+1 555 7002' WHERE id = ?", helpdesk);
        resume();
        await().atMost(SYNC).until(() -> Integer.valueOf(0).equals(((Number) row(helpdesk(), "SELECT active FROM users WHERE id = ?",
                helpdesk).get("active")).intValue()) && "+1 555 7002".equals(row(crm(), "SELECT phone FROM people WHERE id = ?", crm).get("phone")));
        await().atMost(SYNC).until(() -> history(crm + "/history").getList("decisions").size() == 2);

        JsonPath synced = history(crm + "/history");
        assertEquals("synced", synced.getString("decisions[0].what"), "newest first");
        Map<String, Object> status = synced.getMap("decisions[0].changes.find { it.field == 'status' }");
        assertEquals(1, ((Number) status.get("from")).intValue(), "canonical values, as the mapping makes them: Active -> 1");
        assertEquals(0, ((Number) status.get("to")).intValue(), "Inactive -> 0");
        assertEquals("both", status.get("changedOn"));
        assertEquals("a-wins", status.get("rule"), "the rule that chose between the two edits");
        assertEquals(List.of("b"), status.get("written"), "the help desk's Blocked overruled");
        Map<String, Object> phone = synced.getMap("decisions[0].changes.find { it.field == 'phone' }");
        assertEquals("b", phone.get("changedOn"));
        assertNull(phone.get("rule"), "one side changed it: no rule needed");
        assertEquals(List.of("a"), phone.get("written"));
        assertEquals("(sensitive)", phone.get("from"), "phone is sensitive: its values are not kept");
        assertEquals("(sensitive)", phone.get("to"));
        assertEquals("(sensitive)", synced.getString("agreed.phone"));
        assertEquals(0, synced.getInt("agreed.status"));
        String body = viewer().get("/api/pairs/people/records/" + crm + "/history").then().extract().asString();
        assertThat(body, not(Matchers.containsString("555 7002")));
        assertThat(body, not(Matchers.containsString("555 7001")));

        // only the decisions about one field; the same record found by its help-desk id
        JsonPath statusOnly = history(helpdesk + "/history?side=b&field=status");
        assertEquals(String.valueOf(crm), statusOnly.getString("aId"));
        assertEquals(List.of("status"), statusOnly.getList("decisions[0].changes.field"));
        assertEquals(2, statusOnly.getList("decisions").size(), "the create set status too, from nothing");
        assertEquals("created on b", statusOnly.getString("decisions[1].what"));

        viewer().get("/api/pairs/people/records/999999999/history").then().statusCode(404);
        viewer().get("/api/pairs/people/records/" + crm + "/history?side=c").then().statusCode(400);
    }

    @Test
    void aDeleteIsInTheHistoryOfBothRecordsAlsoOnceTheLinkHasEnded() {
        String gone = "history.gone@example.com";
        String left = "history.left@example.com";
        update(crm(), "INSERT INTO people (email, first_name, status) VALUES (?, 'Gone', 'Active'), (?, 'Left', 'Active')", gone, left);
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM users WHERE email IN (?, ?)", gone, left) == 2);
        long goneA = crmId(gone);
        long goneB = helpdeskId(gone);
        long leftA = crmId(left);
        long leftB = helpdeskId(left);
        await().atMost(SYNC).until(() -> history(leftA + "/history").getList("decisions").size() == 1);

        update(crm(), "DELETE FROM people WHERE id = ?", goneA); // aDeletes: delete
        update(helpdesk(), "DELETE FROM users WHERE id = ?", leftB); // bDeletes: soft(status = 0)
        operator().post("/api/pairs/people/reconcile").then().statusCode(200);
        assertEquals(0, count(helpdesk(), "SELECT COUNT(*) FROM users WHERE id = ?", goneB));

        for (String byEitherId : List.of(goneA + "/history", goneB + "/history?side=b")) {
            JsonPath ended = history(byEitherId);
            assertEquals(String.valueOf(goneA), ended.getString("aId"), byEitherId);
            assertEquals(String.valueOf(goneB), ended.getString("bId"), byEitherId);
            assertEquals("deleted on a, deleted on b (aDeletes: delete)", ended.getString("decisions[0].what"), byEitherId);
            assertEquals("created on b", ended.getString("decisions[1].what"), byEitherId);
        }

        JsonPath marked = history(leftB + "/history?side=b");
        assertEquals("deleted on b, marked on a (bDeletes: soft(status = 0))", marked.getString("decisions[0].what"));
        Map<String, Object> status = marked.getMap("decisions[0].changes.find { it.field == 'status' }");
        assertEquals(1, ((Number) status.get("from")).intValue());
        assertEquals(0, ((Number) status.get("to")).intValue());
        assertEquals("b", status.get("changedOn"), "the help desk's delete brought it");
        assertEquals(List.of("a"), status.get("written"));
        assertEquals(String.valueOf(leftA), marked.getString("aId"));
    }
}
