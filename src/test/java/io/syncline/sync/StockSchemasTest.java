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
import io.syncline.testing.RealDatabases;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tables as applications keep them, not as a test would make them (pair "customers", src/test/resources/stock-schemas): on
 * PostgreSQL, a table in a schema of its own ({@code sales.customers}, while {@code public.customers} is another table), uuid
 * ids, an enum type, {@code jsonb}, a {@code text[]} array, {@code inet} and {@code numeric}; on MariaDB, an {@code ENUM}, a {@code JSON} column, a
 * {@code TINYINT(1)} flag, a {@code YEAR} and a {@code TIMESTAMP} of whole seconds that MariaDB sets on every update. Triggers count the
 * rows written on each side.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(StockSchemasTest.StockSchemas.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(4)
class StockSchemasTest {

    private static final Duration SYNC = Duration.ofSeconds(30);

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

    private static JsonPath status() {
        return operator().get("/api/pairs/customers").then().statusCode(200).extract().jsonPath();
    }
}
