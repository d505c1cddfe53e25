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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.syncline.read.JdbcReader;
import io.syncline.testing.LogRecords;
import io.syncline.testing.RealDatabases;
import io.syncline.write.Faults;
import io.syncline.write.JdbcWriter;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tables as applications keep them, not as a test would make them (pair "customers", src/test/resources/stock-schemas): on
 * PostgreSQL, a table in a schema of its own ({@code sales.customers}, while {@code public.customers} is another table), uuid
 * ids, an enum type, {@code jsonb}, a {@code text[]} array, {@code inet} and {@code numeric}; on MariaDB, an {@code ENUM}, a {@code JSON} column, a
 * {@code TINYINT(1)} flag, a {@code YEAR} and a {@code TIMESTAMP} of whole seconds that MariaDB sets on every update. A Prisma
 * model (pair "models"), and tables without any change marker (pairs "items" and "offices"). Triggers count the rows
 * written on each side.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(StockSchemasTest.StockSchemas.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(4)
class StockSchemasTest {

    private static final Duration SYNC = Duration.ofSeconds(30);

    @Inject
    Faults faults;

    @Inject
    JdbcWriter pageWriter;

    /** Only the pair of this test. */
    public static class StockSchemas implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("camel.main.routes-include-pattern", "file:src/test/resources/stock-schemas/*.yaml");
        }
    }

    @Test
    @Order(1)
    void theFirstRunMatchesBothSidesAndCopiesWhatEachLacks() {
        // 20 in the shop, 7 in the help desk, of which 5 are the shop's (by email): 22 records on each side
        await().atMost(SYNC).until(() -> status().getLong("links") == 22);
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM sales.customers") == 22
                && count(helpdesk(), "SELECT COUNT(*) FROM buyers") == 22);
        assertEquals(0, count(crm(), "SELECT COUNT(*) FROM public.customers"), "the other table of that name is not touched");

        // the help desk's own records in the shop: a new uuid, the enum's value, numeric, boolean, jsonb
        assertEquals(1, count(crm(), "SELECT COUNT(*) FROM sales.customers WHERE email = 'd1@shop.example' AND name = 'Desk One'"
                + " AND status = 'inactive' AND credit = 5.50 AND vip AND attrs = '{\"source\": \"desk\"}'::jsonb AND tags = ARRAY['desk', 'help desk']"
                + " AND last_ip = '192.168.0.7'::inet AND since = 2019 AND opens = '08:00:00.125' AND id IS NOT NULL"));
        assertEquals(1, count(crm(), "SELECT COUNT(*) FROM sales.customers WHERE email = 'd2@shop.example' AND status = 'blocked'"
                + " AND credit IS NULL AND NOT vip AND attrs IS NULL AND tags IS NULL AND last_ip IS NULL AND since IS NULL"));
        // the shop's in the help desk
        Map<String, Object> c20 = row(helpdesk(), "SELECT full_name, state, credit, vip, extra, tags, last_ip FROM buyers WHERE email = 'c20@shop.example'");
        assertEquals("Customer 20", c20.get("full_name"));
        assertEquals("off", c20.get("state"), "inactive in the shop");
        assertEquals(0, new BigDecimal("205.00").compareTo((BigDecimal) c20.get("credit")), "credit " + c20.get("credit"));
        assertEquals(true, c20.get("vip"));
        assertEquals("{\"source\": \"web\", \"visits\": 20}", c20.get("extra"));
        assertEquals("{web,n20}", c20.get("tags"), "the array in PostgreSQL's text form");
        assertEquals("10.0.0.20", c20.get("last_ip"));
        assertEquals(1, count(helpdesk(), "SELECT COUNT(*) FROM buyers WHERE email = 'c20@shop.example' AND since = 2020"), "a YEAR");
        assertEquals(1, count(helpdesk(), "SELECT COUNT(*) FROM buyers WHERE email = 'c20@shop.example' AND opens = '09:50:15.250'"), "a time of day, to the millisecond");
        assertEquals("on", row(helpdesk(), "SELECT state FROM buyers WHERE email = 'c18@shop.example'").get("state"));

        awaitPolls("customers", 2);
        assertEquals(2, count(crm(), "SELECT n FROM sales_writes"), "the help desk's two records inserted, the matched five not written");
        assertEquals(15, count(helpdesk(), "SELECT n FROM buyers_writes"), "the shop's other fifteen inserted, the matched five not written");
        assertEquals(0, status().getLong("deadLetters"));
    }

    @Test
    @Order(2)
    void anEditOnEitherSideIsWrittenOnceToTheOther() {
        long shopWrites = count(crm(), "SELECT n FROM sales_writes");
        long deskWrites = count(helpdesk(), "SELECT n FROM buyers_writes");
        JsonPath before = status();
        Timestamp c8Stamp = (Timestamp) row(crm(), "SELECT updated_at FROM sales.customers WHERE email = 'c8@shop.example'").get("updated_at");

        update(crm(), "UPDATE sales.customers SET status = 'blocked', credit = 99.95, attrs = attrs || '{\"tier\": \"gold\"}',"
                + " tags = tags || ARRAY['vip list'], updated_at = now()"
                + " WHERE email = 'c7@shop.example'");
        update(helpdesk(), "UPDATE buyers SET full_name = 'Renamed Eight', vip = 0 WHERE email = 'c8@shop.example'");

        await().atMost(SYNC).until(() -> "blocked".equals(row(helpdesk(), "SELECT state FROM buyers WHERE email = 'c7@shop.example'").get("state")));
        Map<String, Object> c7 = row(helpdesk(), "SELECT credit, extra, tags FROM buyers WHERE email = 'c7@shop.example'");
        assertEquals(0, new BigDecimal("99.95").compareTo((BigDecimal) c7.get("credit")), "credit " + c7.get("credit"));
        assertEquals("{\"tier\": \"gold\", \"source\": \"web\", \"visits\": 7}", c7.get("extra"));
        assertEquals("{web,n7,\"vip list\"}", c7.get("tags"));
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM sales.customers WHERE email = 'c8@shop.example'"
                + " AND name = 'Renamed Eight' AND NOT vip") == 1);
        Timestamp stamped = (Timestamp) row(crm(), "SELECT updated_at FROM sales.customers WHERE email = 'c8@shop.example'").get("updated_at");
        assertTrue(stamped.after(c8Stamp), "Syncline's write stamped the shop's marker: " + c8Stamp + " -> " + stamped);

        awaitPolls("customers", 3); // both writes read back by both sides' polls: echoes, not changes
        JsonPath after = status();
        assertEquals(1, after.getLong("twoWay.writtenA") - before.getLong("twoWay.writtenA"), "one write to the shop");
        assertEquals(1, after.getLong("twoWay.writtenB") - before.getLong("twoWay.writtenB"), "one write to the help desk");
        assertEquals(2, count(crm(), "SELECT n FROM sales_writes") - shopWrites, "the user's edit and Syncline's one write");
        assertEquals(2, count(helpdesk(), "SELECT n FROM buyers_writes") - deskWrites, "the user's edit and Syncline's one write");
        assertEquals(0, after.getLong("deadLetters"));
        assertEquals(0, count(crm(), "SELECT COUNT(*) FROM public.customers"));
    }

    /**
     * Pair "models": a Prisma model, whose application gives ids, no default; Syncline gives the records it creates a UUID.
     * Records are matched by a uuid column (the first run's matching, and a window's new records, looked up by it).
     */
    @Test
    @Order(3)
    void aRecordCreatedInATableWhoseApplicationGivesIdsGetsAUuid() {
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM \"Member\" WHERE \"email\" = 'm2@models.example'") == 1);
        Map<String, Object> m2 = row(crm(), "SELECT \"id\", \"fullName\", \"updatedAt\" FROM \"Member\" WHERE \"email\" = 'm2@models.example'");
        assertTrue(String.valueOf(m2.get("id")).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), "a random UUID: " + m2.get("id"));
        assertEquals("Member Two", m2.get("fullname")); // labels in lower case
        assertEquals(1, count(helpdesk(), "SELECT COUNT(*) FROM app_members WHERE email = 'm1@models.example' AND name = 'Member One'"));

        update(helpdesk(), "INSERT INTO app_members (external_id, email, name) VALUES ('9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b63', 'm3@models.example',"
                + " 'Member Three')");
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM \"Member\" WHERE \"email\" = 'm3@models.example'") == 1);
        Object m3 = row(crm(), "SELECT \"id\" FROM \"Member\" WHERE \"email\" = 'm3@models.example'").get("id");
        assertTrue(!m3.equals(m2.get("id")) && String.valueOf(m3).length() == 36, "another UUID: " + m3);
        assertEquals(1, count(crm(), "SELECT COUNT(*) FROM \"Member\" WHERE \"externalId\" = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b63'"));

        update(crm(), "UPDATE \"Member\" SET \"fullName\" = 'Member Three, renamed', \"updatedAt\" = now() WHERE \"email\" = 'm3@models.example'");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM app_members WHERE name = 'Member Three, renamed'") == 1);
        JsonPath models = operator().get("/api/pairs/models").then().statusCode(200).extract().jsonPath();
        assertEquals(3, models.getLong("links"));
        assertEquals(0, models.getLong("deadLetters"));
    }

    /**
     * Pair "items" (legacy.yaml): a MariaDB table without any change marker, copied one way to PostgreSQL in pages of 7. Every
     * poll reads it whole; only the records that differ from their links are written, each once, whatever page they are on.
     */
    @Test
    @Order(4)
    void aTableWithoutChangeMarkerIsReadWholeAndOnlyItsChangesAreWritten() {
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM shop_items") == 30);
        awaitPolls("items", 3); // each read all 30 records again
        assertEquals(30, count(crm(), "SELECT n FROM shop_items_writes"), "each record written once, not once per poll");
        JsonPath items = status("items");
        assertEquals("none: read whole on every poll", items.getString("cursor"));
        assertEquals(30, items.getLong("rowsSynced"));

        update(helpdesk(), "UPDATE stock_items SET qty = 500 WHERE sku IN ('SKU-005', 'SKU-026')"); // the first page and the fourth
        update(helpdesk(), "UPDATE stock_items SET title = title WHERE sku = 'SKU-012'"); // a write that changes nothing
        update(helpdesk(), "INSERT INTO stock_items VALUES ('SKU-031', 'Item 31', 31)"); // the last page, alone
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM shop_items WHERE qty = 500") == 2
                && count(crm(), "SELECT COUNT(*) FROM shop_items WHERE sku = 'SKU-031' AND title = 'Item 31'") == 1);
        awaitPolls("items", 3);
        assertEquals(33, count(crm(), "SELECT n FROM shop_items_writes"), "the two edits and the new record, each once");
        assertEquals(33, status("items").getLong("rowsSynced"));
        assertEquals(0, status("items").getLong("deadLetters"));
    }

    /**
     * Pair "offices" (legacy.yaml): the CRM's offices, whose application sets {@code updated_at}, two way with the help desk's
     * branches, which have no change marker: the help desk's edits and new records are found by reading it whole on every
     * poll, the CRM's edits are written there once, and Syncline's own writes come back from neither side.
     */
    @Test
    @Order(5)
    void aSideWithoutChangeMarkerSyncsTwoWayWithoutEchoes() {
        await().atMost(SYNC).until(() -> status("offices").getLong("links") == 5);
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM offices WHERE name IN ('West', 'Central')") == 2
                && count(helpdesk(), "SELECT COUNT(*) FROM branches WHERE name IN ('North', 'South', 'East')") == 3);
        awaitPolls("offices", 3);
        assertEquals(2, count(crm(), "SELECT n FROM offices_writes"), "the help desk's two branches");
        assertEquals(3, count(helpdesk(), "SELECT n FROM branches_writes"), "the CRM's three offices");
        JsonPath before = status("offices");
        assertEquals("none: read whole on every poll", before.getString("twoWay.cursorB"));

        update(helpdesk(), "UPDATE branches SET city = 'Porto' WHERE name = 'West'");
        update(helpdesk(), "INSERT INTO branches (name, city) VALUES ('Harbour', 'Gdansk')");
        update(crm(), "UPDATE offices SET city = 'Bergen', updated_at = now() WHERE name = 'North'");
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM offices WHERE (name = 'West' AND city = 'Porto')"
                + " OR (name = 'Harbour' AND city = 'Gdansk')") == 2);
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM branches WHERE name = 'North' AND city = 'Bergen'") == 1);

        awaitPolls("offices", 3); // both sides read again: Syncline's writes are echoes, not changes
        JsonPath after = status("offices");
        assertEquals(2, after.getLong("twoWay.writtenA") - before.getLong("twoWay.writtenA"), "the edit and the new branch, to the CRM");
        assertEquals(1, after.getLong("twoWay.writtenB") - before.getLong("twoWay.writtenB"), "the CRM's edit, to the help desk");
        assertEquals(2 + 2 + 1, count(crm(), "SELECT n FROM offices_writes"), "Syncline's two writes and the user's edit");
        assertEquals(3 + 2 + 1, count(helpdesk(), "SELECT n FROM branches_writes"), "the user's edit and insert, and Syncline's one write");
        assertEquals(6, after.getLong("links"));
        assertEquals(0, after.getLong("deadLetters"));
    }

    /**
     * Pair "items" again: records deleted from its source are deleted from the target by reconciliation ({@code deletes:
     * delete}), which a dry run reports first; more than the guard allows pause the pair until an operator confirms.
     */
    @Test
    @Order(6)
    void recordsDeletedFromAOneWaySourceAreDeletedFromItsTargetByReconciliation() {
        update(helpdesk(), "DELETE FROM stock_items WHERE sku IN ('SKU-002', 'SKU-030')");
        JsonPath dryRun = operator().get("/api/pairs/items/dry-run").then().statusCode(200).extract().jsonPath();
        assertEquals(31, dryRun.getLong("links"));
        assertEquals(29, dryRun.getLong("aRecords"));
        assertEquals(2, dryRun.getLong("deletedInA"));
        assertEquals(2, dryRun.getLong("deletesToApply"));
        assertEquals(31, count(crm(), "SELECT COUNT(*) FROM shop_items"), "a dry run deletes nothing");
        assertTrue(operator().get("/console/pairs/items/dry-run").then().statusCode(200).extract().asString().contains("deletesToApply"),
                "the console's dry run, for a one-way pair too");

        JsonPath pass = operator().post("/api/pairs/items/reconcile").then().statusCode(200).extract().jsonPath();
        assertEquals(2, pass.getLong("applied.deleted"));
        assertEquals(0, count(crm(), "SELECT COUNT(*) FROM shop_items WHERE sku IN ('SKU-002', 'SKU-030')"));
        assertEquals(29, count(crm(), "SELECT COUNT(*) FROM shop_items"));
        assertEquals(29, status("items").getLong("links"));
        assertEquals(0, operator().post("/api/pairs/items/reconcile").then().statusCode(200).extract().jsonPath().getLong("deletesToApply"));

        // 5 of 29 is more than the guard's 10%: nothing is deleted, and the pair waits for an operator
        update(helpdesk(), "DELETE FROM stock_items WHERE sku IN ('SKU-010', 'SKU-011', 'SKU-012', 'SKU-013', 'SKU-014')");
        JsonPath held = operator().post("/api/pairs/items/reconcile").then().statusCode(200).extract().jsonPath();
        assertTrue(held.getString("guard").startsWith("mass-delete guard: this pass would delete 5 of 29 records of crm.shop_items"), held.getString("guard"));
        assertEquals(0, held.getLong("applied.deleted"));
        assertEquals(29, count(crm(), "SELECT COUNT(*) FROM shop_items"));
        assertEquals("PAUSED", status("items").getString("state"));
        assertEquals(held.getString("guard"), status("items").getString("deleteGuard"));
        String page = operator().get("/console/pairs/items").then().statusCode(200).extract().asString();
        assertTrue(page.contains("id=\"guard\"") && page.contains("id=\"confirm-deletes\""), "the console shows the guard and its confirmation");
        JsonPath confirmed = operator().post("/api/pairs/items/deletes/confirm").then().statusCode(200).extract().jsonPath();
        assertEquals(5, confirmed.getLong("applied.deleted"));
        assertEquals(24, count(crm(), "SELECT COUNT(*) FROM shop_items"));
        assertEquals(0, count(crm(), "SELECT COUNT(*) FROM shop_items WHERE sku BETWEEN 'SKU-010' AND 'SKU-014'"));
        assertEquals("RUNNING", status("items").getString("state"));
        assertEquals(null, status("items").getString("deleteGuard"));
        assertEquals(24, status("items").getLong("links"));
    }

    /**
     * Pair "items" again: records the target refuses to delete (ordered, a foreign key) are dead letters and keep their links;
     * every pass tries them again, and the guard counts only the deletes not tried before; once the orders are gone, they go.
     */
    @Test
    @Order(7)
    void aDeleteTheTargetRefusesIsADeadLetterTriedAgainByEachPass() {
        update(crm(), "INSERT INTO shop_orders (sku) VALUES ('SKU-015'), ('SKU-016'), ('SKU-017')");
        update(helpdesk(), "DELETE FROM stock_items WHERE sku IN ('SKU-015', 'SKU-016', 'SKU-017')");
        // 3 of 24 is more than the guard's 10%
        assertTrue(operator().post("/api/pairs/items/reconcile").then().statusCode(200).extract().jsonPath().getString("guard")
                .startsWith("mass-delete guard: this pass would delete 3 of 24"));
        JsonPath confirmed = operator().post("/api/pairs/items/deletes/confirm").then().statusCode(200).extract().jsonPath();
        assertEquals(0, confirmed.getLong("applied.deleted"));
        JsonPath items = status("items");
        assertEquals(3, items.getLong("deadLetters"));
        assertEquals(24, items.getLong("links"));
        assertEquals("RUNNING", items.getString("state"));
        assertEquals(24, count(crm(), "SELECT COUNT(*) FROM shop_items"));
        String reason = operator().get("/api/pairs/items/dead-letters").then().statusCode(200).extract().jsonPath().getString("[0].reason");
        assertTrue(reason.startsWith("deleted from helpdesk.stock_items, and crm.shop_items refused to delete it:"), reason);

        JsonPath again = operator().post("/api/pairs/items/reconcile").then().statusCode(200).extract().jsonPath();
        assertEquals(null, again.getString("guard"), "the deletes refused before do not trip the guard again");
        assertEquals(3, again.getLong("deletesToApply"));
        assertEquals(0, again.getLong("applied.deleted"));
        assertEquals("RUNNING", status("items").getString("state"));

        update(crm(), "DELETE FROM shop_orders");
        assertEquals(3, operator().post("/api/pairs/items/reconcile").then().statusCode(200).extract().jsonPath().getLong("applied.deleted"));
        assertEquals(21, count(crm(), "SELECT COUNT(*) FROM shop_items"));
        assertEquals(21, status("items").getLong("links"));
        assertEquals(0, status("items").getLong("deadLetters"));
    }

    /**
     * Pair "items" again: a resync of a side without change marker writes every record once more, as any full load does; the
     * pair has deletes, so its links stay, and a record deleted from the source before the resync is still deleted by the
     * next pass.
     */
    @Test
    @Order(8)
    void aResyncOfATableWithoutChangeMarkerWritesEveryRecordAgainAndForgetsNoDelete() {
        update(helpdesk(), "DELETE FROM stock_items WHERE sku = 'SKU-020'"); // not reconciled before the resync
        long before = count(crm(), "SELECT n FROM shop_items_writes");
        operator().post("/api/pairs/items/resync").then().statusCode(202);
        await().atMost(SYNC).until(() -> count(crm(), "SELECT n FROM shop_items_writes") - before == 20);
        awaitPolls("items", 2);
        assertEquals(20, count(crm(), "SELECT n FROM shop_items_writes") - before, "each record once");
        assertEquals(21, status("items").getLong("links"), "the link of the record deleted before is kept");
        assertEquals("none: read whole on every poll", status("items").getString("cursor"));
        assertEquals(1, operator().post("/api/pairs/items/reconcile").then().statusCode(200).extract().jsonPath().getLong("applied.deleted"));
        assertEquals(0, count(crm(), "SELECT COUNT(*) FROM shop_items WHERE sku = 'SKU-020'"));
        assertEquals(20, status("items").getLong("links"));
    }

    /**
     * Pair "suppliers" (a change marker on the source): a supplier deleted from the help desk is archived in the CRM by
     * reconciliation ({@code deletes: soft(status = gone)}, written through its mapping line as {@code G}, the target's marker
     * stamped); its link stays as a tombstone, so the next pass leaves it; created again under its id, it is written again.
     */
    @Test
    @Order(9)
    void aOneWaySoftDeleteMarksTheTargetsRecordAndARecordCreatedAgainIsWrittenAgain() {
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM supplier_copy WHERE status = 'A'") == 4);
        Timestamp stamp = (Timestamp) row(crm(), "SELECT changed_at FROM supplier_copy WHERE supplier_id = 2").get("changed_at");
        update(helpdesk(), "DELETE FROM suppliers WHERE id = 2");
        JsonPath pass = operator().post("/api/pairs/suppliers/reconcile").then().statusCode(200).extract().jsonPath();
        assertEquals(1, pass.getLong("applied.deleted"));
        Map<String, Object> archived = row(crm(), "SELECT name, status, changed_at FROM supplier_copy WHERE supplier_id = 2");
        assertEquals("G", archived.get("status"));
        assertEquals("Globex", archived.get("name"));
        assertTrue(((Timestamp) archived.get("changed_at")).after(stamp), "the target's marker stamped");
        assertEquals(3, count(crm(), "SELECT COUNT(*) FROM supplier_copy WHERE status = 'A'"));
        assertEquals(4, status("suppliers").getLong("links"), "the link stays, a tombstone");
        assertEquals(0, operator().post("/api/pairs/suppliers/reconcile").then().statusCode(200).extract().jsonPath().getLong("deletedInA"),
                "the next pass leaves the tombstone");

        update(helpdesk(), "INSERT INTO suppliers (id, name) VALUES (2, 'Globex Again')");
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM supplier_copy WHERE supplier_id = 2 AND status = 'A'"
                + " AND name = 'Globex Again'") == 1);
        assertEquals(0, status("suppliers").getLong("deadLetters"));
    }

    /**
     * Pair "refused": a side without change marker whose records the target refuses, every one, so that the pair never has
     * a link. Its first poll is its full load; every later one compares the side with its links, as for any such side: the
     * log does not announce a full load on every poll.
     */
    @Test
    @Order(10)
    void aSideWithoutChangeMarkerWhoseRecordsAreAllDeadLettersIsLoadedOnce() {
        long rows = count(helpdesk(), "SELECT COUNT(*) FROM stock_items");
        // at least: a record deleted from the stock list by an earlier test may keep its dead letter
        await().atMost(SYNC).until(() -> status("refused").getLong("deadLetters") >= rows);
        try (LogRecords log = LogRecords.of(JdbcReader.class)) {
            awaitPolls("refused", 3);
            assertEquals(List.of(), log.containing("pair 'refused': full load"), "polls after the first are comparisons");
        }
        assertEquals(0, status("refused").getLong("links"), "no record was written");
    }

    /**
     * Pair "items": a record deleted from the source and created again under its id while a reconciliation runs. Created again
     * after the pass read the source and before it deletes: the pass asks the source once more, and leaves the record the
     * poll has written meanwhile. Without that, the target lost it for good: its link held what the poll wrote, so no later
     * poll would write it again.
     */
    @Test
    @Order(11)
    void aRecordCreatedAgainBeforeReconciliationDeletesItStaysInTheTarget() {
        update(helpdesk(), "DELETE FROM stock_items WHERE sku = 'SKU-021'");
        faults.once("items", "SKU-021", Faults.BEFORE_GONE_CHECKED, () -> {
            update(helpdesk(), "INSERT INTO stock_items VALUES ('SKU-021', 'Item 21 again', 21)");
            await().atMost(SYNC).until(() -> "Item 21 again".equals(title("SKU-021")));
        });
        JsonPath pass = operator().post("/api/pairs/items/reconcile").then().statusCode(200).extract().jsonPath();
        awaitPolls("items", 2);
        assertEquals("Item 21 again", title("SKU-021"), "the record written again is still in the target");
        assertEquals(1, pass.getLong("deletedInA"), "found gone by the pass");
        assertEquals(0, pass.getLong("applied.deleted"), "there again when it was to be deleted");
        assertEquals(0, status("items").getLong("deadLetters"));
    }

    /**
     * Pair "items": a record created again after the pass asked the source once more, just before the target deletes it. The
     * poll that reads it waits with its page until the delete and the links are committed, then writes it again.
     */
    @Test
    @Order(12)
    void aRecordCreatedAgainAsReconciliationDeletesItIsWrittenAgainAfterTheDelete() {
        update(helpdesk(), "DELETE FROM stock_items WHERE sku = 'SKU-022'");
        faults.once("items", "SKU-022", Faults.BEFORE_GONE_DELETED, () -> {
            update(helpdesk(), "INSERT INTO stock_items VALUES ('SKU-022', 'Item 22 again', 22)");
            await().atMost(SYNC).until(() -> pageWriter.pageWaiting("items")); // a poll read it: its page would write it now
        });
        JsonPath pass = operator().post("/api/pairs/items/reconcile").then().statusCode(200).extract().jsonPath();
        assertEquals(1, pass.getLong("applied.deleted"));
        await().atMost(SYNC).until(() -> "Item 22 again".equals(title("SKU-022")));
        awaitPolls("items", 2);
        assertEquals("Item 22 again", title("SKU-022"));
        assertEquals(0, status("items").getLong("deadLetters"));
    }

    /**
     * Pair "mirror" (the suppliers into a copy, hard deletes): a record created again as it was, after the pass's last look at
     * the source and before the delete. The poll that reads it then finds it unchanged against its link, and its page, which
     * waits for the delete, moves the cursor on: here past the lookback, as a poll of a slower schedule would with the other
     * changes it reads (a supplier's marker set 10 s ahead stands for them). The pass asks the source once more after the
     * delete, and the record is read again by the next poll.
     */
    @Test
    @Order(13)
    void aRecordCreatedAgainUnchangedAsReconciliationDeletesItIsReadAgain() {
        update(helpdesk(), "INSERT INTO suppliers (id, name) VALUES (7, 'Hooli')");
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM supplier_mirror WHERE supplier_id = 7") == 1);
        update(helpdesk(), "DELETE FROM suppliers WHERE id = 7");
        faults.once("mirror", "7", Faults.BEFORE_GONE_DELETED, () -> {
            update(helpdesk(), "INSERT INTO suppliers (id, name) VALUES (7, 'Hooli')"); // as it was: the hash its link holds
            update(helpdesk(), "UPDATE suppliers SET name = 'Acme Two', modified = NOW(3) + INTERVAL 10 SECOND WHERE id = 1");
            await().atMost(SYNC).until(() -> pageWriter.pageWaiting("mirror")); // a poll read both; its page waits
        });
        JsonPath pass = operator().post("/api/pairs/mirror/reconcile").then().statusCode(200).extract().jsonPath();
        assertEquals(1, pass.getLong("applied.deleted"));
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM supplier_mirror WHERE supplier_id = 1 AND name = ?", "Acme Two") == 1);
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM supplier_mirror WHERE supplier_id = 7 AND name = ?", "Hooli") == 1);
        assertEquals(0, status("mirror").getLong("deadLetters"));
    }

    /**
     * Pair "arrivals": a table without change marker that is empty while the first polls read it. The first poll that finds
     * records is its full load (announced, its links inserted without a look-up), not a comparison.
     */
    @Test
    @Order(14)
    void aTableWithoutChangeMarkerThatWasEmptyIsFullyLoadedWithItsFirstRecords() {
        awaitPolls("arrivals", 2); // read whole, and empty
        try (LogRecords log = LogRecords.of(JdbcReader.class)) {
            update(helpdesk(), "INSERT INTO arrivals VALUES ('SKU-100', 5), ('SKU-101', 7), ('SKU-102', 9)");
            await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM arrival_copy") == 3);
            assertEquals(List.of("pair 'arrivals': full load of helpdesk.arrivals started: 3 rows"),
                    log.containing("pair 'arrivals': full load of"));
        }
    }

    private static Object title(String sku) {
        return row(crm(), "SELECT title FROM shop_items WHERE sku = ?", sku).get("title");
    }

    private static JsonPath status() {
        return status("customers");
    }

    private static JsonPath status(String pair) {
        return operator().get("/api/pairs/" + pair).then().statusCode(200).extract().jsonPath();
    }
}
