package io.syncline.system.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.syncline.system.Entity;
import io.syncline.system.Position;
import io.syncline.system.SynclineConfig;
import io.syncline.system.SystemException;
import io.syncline.system.Table;
import io.syncline.testing.FakeTrackerApi;
import io.syncline.testing.SystemConnection;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An HTTP system against the tracker API ({@link FakeTrackerApi}, real HTTP, its own data), without the
 * server around it: each pagination, the changed-since cursor, sign-in schemes, and the errors a user
 * must be told about.
 */
class HttpSystemTest {

    private static final int RECORDS = 130;
    private static FakeTrackerApi api;
    /** The Camel context whose HTTP component the systems send through, as the server's is. */
    private static org.apache.camel.CamelContext camel;
    private static final List<String> ids = new ArrayList<>();
    private static final List<String> stamps = new ArrayList<>();

    @BeforeAll
    static void seed() throws Exception {
        camel = new org.apache.camel.impl.DefaultCamelContext();
        camel.start();
        api = FakeTrackerApi.start();
        for (int i = 0; i < RECORDS; i++) {
            var record = api.create("items", JsonNodeFactory.instance.objectNode().put("title", "Item " + i));
            ids.add(record.get("id").asText());
            stamps.add(record.get("updated_at").asText());
        }
    }

    @AfterAll
    static void stop() {
        api.stop();
        camel.stop();
    }

    private record Items(String path, String pagination, Optional<String> sizeParam, Optional<String> query, String fields, String update)
            implements SynclineConfig.Collection {
        Items(String path, String pagination, Optional<String> sizeParam, Optional<String> query) {
            this(path, pagination, sizeParam, query, "id:integer, title, updated_at:instant", "patch");
        }

        Items(String pagination, Optional<String> sizeParam, Optional<String> query) {
            this("/items", pagination, sizeParam, query);
        }

        @Override
        public String id() {
            return "id";
        }

        @Override
        public Optional<String> records() {
            return Optional.of("data");
        }

        @Override
        public Optional<String> changedSince() {
            return Optional.of("updated_since");
        }

        @Override
        public String changedSinceFormat() {
            return "iso";
        }

        @Override
        public String pageParam() {
            return "page";
        }

        @Override
        public int firstPage() {
            return 1;
        }

        @Override
        public String offsetParam() {
            return "offset";
        }

        @Override
        public int pageSize() {
            return 50;
        }

        @Override
        public String cursorParam() {
            return "cursor";
        }

        @Override
        public String nextCursor() {
            return "next_cursor";
        }

        @Override
        public Optional<String> webhookRecords() {
            return Optional.empty();
        }
    }

    private static HttpSystem system(Items items) {
        return new HttpSystem("tracker", new SystemConnection(base() + "/api", "bearer", Optional.of(FakeTrackerApi.TOKEN), Optional.empty(),
                Optional.empty(), Optional.empty(), Map.of("items", items)), camel);
    }

    private static String base() {
        return "http://127.0.0.1:" + api.port();
    }

    private static Entity entity(HttpSystem system) {
        Table table = system.table("items").orElseThrow();
        return system.entity("tracker.items", table, table.column("id").orElseThrow(), table.column("updated_at").orElseThrow(),
                List.of("id", "title", "updated_at"), List.of(), null, null, false);
    }

    /** The ids a feed hands out, page after page. */
    private static List<String> read(Entity entity, Position from, Duration lookback) {
        List<String> read = new ArrayList<>();
        try (Entity.Feed feed = entity.changedSince(from, lookback, 40)) {
            for (List<Entity.Record> page = feed.next(); !page.isEmpty(); page = feed.next()) {
                page.forEach(r -> read.add(r.id()));
            }
        }
        return read;
    }

    @Test
    void everyPaginationReadsEveryRecordOnceOldestChangeFirstAndTheCursorReadsOnlyWhatFollows() {
        for (Items items : List.of(new Items("page", Optional.of("per_page"), Optional.empty()), new Items("page", Optional.empty(), Optional.empty()),
                new Items("offset", Optional.of("per_page"), Optional.empty()), new Items("cursor", Optional.of("per_page"), Optional.empty()),
                new Items("link", Optional.empty(), Optional.empty()))) {
            Entity entity = entity(system(items));
            assertEquals(ids, read(entity, Position.START, Duration.ZERO), items.pagination() + " " + items.sizeParam());
            Position at100 = new Position(java.time.OffsetDateTime.parse(stamps.get(99)).toInstant().toString(), ids.get(99));
            assertEquals(ids.subList(100, RECORDS), read(entity, at100, Duration.ZERO), "after the cursor, " + items.pagination());
        }
        Entity none = entity(system(new Items("none", Optional.empty(), Optional.empty())));
        assertEquals(ids.subList(0, 50), read(none, Position.START, Duration.ZERO), "no pagination: the first page only, as the API answers it");
    }

    @Test
    void aRecordChangedDuringAPollDoesNotHideAnother() {
        var api2 = api; // a collection of its own, so that the other tests' records stay as they are
        List<String> own = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            own.add(api2.create("moving", JsonNodeFactory.instance.objectNode().put("title", "Moving " + i)).get("id").asText());
        }
        HttpSystem system = system(new Items("/moving", "page", Optional.of("per_page"), Optional.empty()));
        Entity entity = entity(system);
        java.util.Set<String> read = new java.util.LinkedHashSet<>();
        try (Entity.Feed feed = entity.changedSince(Position.START, Duration.ZERO, 40)) {
            feed.next().forEach(r -> read.add(r.id())); // the API's first page (50) is read; 40 handed out
            api2.update("moving", Long.parseLong(own.get(5)), JsonNodeFactory.instance.objectNode().put("title", "Moved to the end"));
            for (List<Entity.Record> page = feed.next(); !page.isEmpty(); page = feed.next()) {
                page.forEach(r -> read.add(r.id()));
            }
        }
        assertEquals(new java.util.LinkedHashSet<>(own), new java.util.TreeSet<>(read).stream().sorted(java.util.Comparator.comparingLong(Long::parseLong))
                .collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new)), "every record read, none hidden by the one that moved");
    }

    @Test
    void aSessionWritesOnlyRecordsThatAreStillAsItReadThem() {
        for (boolean etags : List.of(true, false)) { // If-Match on the ETag read; without ETags, the record read again and compared
            api.etags(etags);
            try {
                String first = api.create("sessions", JsonNodeFactory.instance.objectNode().put("title", "First")).get("id").asText();
                String second = api.create("sessions", JsonNodeFactory.instance.objectNode().put("title", "Second")).get("id").asText();
                HttpSystem system = system(new Items("/sessions", "page", Optional.of("per_page"), Optional.empty()));
                Table table = system.table("items").orElseThrow();
                Entity entity = system.entity("tracker.items", table, table.column("id").orElseThrow(), table.column("updated_at").orElseThrow(),
                        List.of("id", "title", "updated_at"), List.of(table.column("title").orElseThrow()), null, null, false);
                try (Entity.Session session = entity.open()) {
                    assertEquals(java.util.Set.of(first, second), session.lock(List.of(first, second)).keySet());
                    api.update("sessions", Long.parseLong(second), JsonNodeFactory.instance.objectNode().put("title", "Changed by a user"));
                    assertEquals(Map.of(), session.update(List.of(new Entity.Write(first, new Object[] {"Written"}),
                            new Entity.Write(second, new Object[] {"Written"}))), "kept until the commit");
                    Entity.CommitRefused refused = assertThrows(Entity.CommitRefused.class, session::commit);
                    assertEquals(java.util.Set.of(second), refused.changed(), "etags " + etags);
                    assertEquals(Map.of(), refused.refused());
                }
                Map<String, Entity.Record> now = entity.fetch(List.of(first, second));
                assertEquals("Written", now.get(first).values().get("title"), "etags " + etags);
                assertEquals("Changed by a user", now.get(second).values().get("title"), "the user's edit is not overwritten, etags " + etags);
            } finally {
                api.etags(true);
            }
        }
    }

    @Test
    void aLookbackReadsAgainWhatChangedShortlyBeforeTheCursor() {
        Entity entity = entity(system(new Items("page", Optional.of("per_page"), Optional.empty())));
        Position atLast = new Position(java.time.OffsetDateTime.parse(stamps.get(RECORDS - 1)).toInstant().toString(), ids.get(RECORDS - 1));
        assertEquals(List.of(), read(entity, atLast, Duration.ZERO));
        List<String> again = read(entity, atLast, Duration.ofHours(1));
        assertEquals(ids, again, "everything changed within the hour before the cursor");
    }

    /**
     * A one-way pair's deletes to an API target: each record found by the pair's key (here {@code external_id}, asked with
     * {@code GET ?external_id=}), then deleted, or its field set (PATCH with that field; PUT with the record read and sent
     * back whole). A record already gone is done; a key that several records hold, and what the API refuses, come back with
     * the reason, the record left as it was.
     */
    @Test
    void deletesAndMarksFindTheRecordByTheKeyAndReturnWhatTheApiRefused() {
        for (String update : List.of("patch", "put")) {
            String collection = "marked-" + update;
            Map<Integer, Long> byKey = new java.util.HashMap<>();
            for (int key = 1; key <= 4; key++) {
                byKey.put(key, api.create(collection, JsonNodeFactory.instance.objectNode().put("external_id", key).put("title", "Record " + key)
                        .put("status", "open").put("comment", "a field the pair does not map").put("locked", key == 4)).get("id").asLong());
            }
            for (int twice = 0; twice < 2; twice++) {
                api.create(collection, JsonNodeFactory.instance.objectNode().put("external_id", 9).put("title", "Twin " + twice).put("status", "open"));
            }
            HttpSystem system = system(new Items("/" + collection, "page", Optional.of("per_page"), Optional.empty(),
                    "id:integer, external_id:integer, title, status, updated_at:instant", update));
            Table table = system.table("items").orElseThrow();
            Entity entity = system.entity("tracker.items", table, table.column("external_id").orElseThrow(), table.column("updated_at").orElseThrow(),
                    List.of("id", "external_id", "title", "status", "updated_at"), List.of(), null, "external_id", false);

            Map<String, String> refused = entity.markByKey(table.column("status").orElseThrow(), "archived", List.of("1", "3", "77", "9"));
            assertEquals(java.util.Set.of("9"), refused.keySet(), update + ": only the key two records hold");
            assertThat(refused.get("9"), containsString("2 of its records hold external_id '9'"));
            for (int key : List.of(1, 3)) {
                var record = api.find(collection, byKey.get(key));
                assertEquals("archived", record.path("status").asText(), update);
                assertEquals("Record " + key, record.path("title").asText(), update + ": the other fields stay");
                assertEquals("a field the pair does not map", record.path("comment").asText(), update + ": also those the pair does not know");
            }
            assertEquals("open", api.find(collection, byKey.get(2)).get("status").asText(), update + ": a record not asked for");

            refused = entity.markByKey(table.column("title").orElseThrow(), "T".repeat(150), List.of("2"));
            assertThat(update, refused.get("2"), containsString("tracker.items refused the record: HTTP 422"));
            assertEquals("Record 2", api.find(collection, byKey.get(2)).get("title").asText(), update);

            assertEquals(Map.of(), entity.deleteByKey(List.of("1", "77")), update + ": a record not there is deleted already");
            assertEquals(null, api.find(collection, byKey.get(1)), update);
            refused = entity.deleteByKey(List.of("4", "2"));
            assertEquals(java.util.Set.of("4"), refused.keySet(), update);
            assertThat(refused.get("4"), containsString("HTTP 409"));
            assertThat(refused.get("4"), containsString("is locked"));
            assertTrue(api.find(collection, byKey.get(4)) != null, update + ": the refused record stays");
            assertEquals(null, api.find(collection, byKey.get(2)), update + ": the others go on");
        }
    }

    @Test
    void anApiThatDoesNotSortByChangeFailsLoudlyRatherThanSkipRecords() {
        Entity entity = entity(system(new Items("page", Optional.of("per_page"), Optional.of("sort=desc"))));
        SystemException e = assertThrows(SystemException.class, () -> read(entity, Position.START, Duration.ZERO));
        assertThat(e.getMessage(), containsString("tracker.items: the API does not return records oldest change first"));
        assertThat(e.getMessage(), containsString("add its sort parameters to the collection's query"));
    }

    @Test
    void oauth2ClientCredentialsSignIn() {
        Items items = new Items("page", Optional.of("per_page"), Optional.empty());
        HttpSystem signedIn = new HttpSystem("tracker", new SystemConnection(base() + "/api", "oauth2", Optional.empty(),
                Optional.of(FakeTrackerApi.CLIENT_ID), Optional.of(FakeTrackerApi.CLIENT_SECRET), Optional.of(base() + "/oauth/token"),
                Map.of("items", items)), camel);
        assertEquals(RECORDS, read(entity(signedIn), Position.START, Duration.ZERO).size());

        HttpSystem wrongSecret = new HttpSystem("tracker", new SystemConnection(base() + "/api", "oauth2", Optional.empty(),
                Optional.of(FakeTrackerApi.CLIENT_ID), Optional.of("wrong"), Optional.of(base() + "/oauth/token"), Map.of("items", items)), camel);
        SystemException e = assertThrows(SystemException.class, () -> wrongSecret.table("items"));
        assertThat(e.getMessage(), containsString("the token endpoint refused the client credentials: HTTP 401"));
        assertFalse(e.unreachable(), "a configuration error, not a system to wait for");
    }

    @Test
    void aWrongTokenIsReportedAndAnApiThatDoesNotAnswerIsWaitedFor() throws Exception {
        Items items = new Items("page", Optional.of("per_page"), Optional.empty());
        HttpSystem wrongToken = new HttpSystem("tracker", new SystemConnection(base() + "/api", "bearer", Optional.of("nope"), Optional.empty(),
                Optional.empty(), Optional.empty(), Map.of("items", items)), camel);
        SystemException refused = assertThrows(SystemException.class, () -> wrongToken.table("items"));
        assertThat(refused.getMessage(), containsString("HTTP 401"));
        assertFalse(refused.unreachable());

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HttpSystem gone = new HttpSystem("tracker", new SystemConnection("http://127.0.0.1:" + closedPort + "/api", "none", Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Map.of("items", items)), camel);
        SystemException down = assertThrows(SystemException.class, () -> gone.table("items"));
        assertTrue(down.unreachable(), "the pair waits for it: " + down.getMessage());

        assertTrue(system(items).table("epics").isEmpty(), "a collection that is not configured");
        assertThrows(IllegalStateException.class, () -> new HttpSystem("tracker", new SystemConnection(base(), "bearer", Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Map.of()), camel), "bearer without a token");
    }

    @Test
    void retryAfterInSecondsOrAsAnHttpDate() {
        assertEquals(Duration.ofSeconds(7), HttpSystem.retryAfter("7"));
        Duration untilDate = HttpSystem.retryAfter(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(30)));
        assertTrue(untilDate.compareTo(Duration.ofSeconds(25)) > 0 && untilDate.compareTo(Duration.ofSeconds(31)) <= 0, untilDate.toString());
        assertEquals(Duration.ZERO, HttpSystem.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), "a date past");
    }

    @Test
    void nestedFieldsAndListsGoBothWaysBetweenJsonAndValues() {
        var record = JsonNodeFactory.instance.objectNode();
        record.putObject("owner").putObject("address").put("city", "Lyon");
        record.putArray("tags").add("a").add(2);
        record.put("done", "true").put("points", "12").put("due", "2026-12-01").put("at", "2026-11-26T10:00:00+01:00");
        assertEquals("Lyon", ApiCollection.value(ApiCollection.at(record, new String[] {"owner", "address", "city"}), ApiCollection.FieldKind.TEXT));
        assertEquals(List.of("a", new java.math.BigDecimal(2)), ApiCollection.value(record.get("tags"), ApiCollection.FieldKind.LIST));
        assertEquals(Boolean.TRUE, ApiCollection.value(record.get("done"), ApiCollection.FieldKind.BOOLEAN));
        assertEquals(12L, ApiCollection.value(record.get("points"), ApiCollection.FieldKind.INTEGER));
        assertEquals(java.time.LocalDate.of(2026, 12, 1), ApiCollection.value(record.get("due"), ApiCollection.FieldKind.DATE));
        assertEquals(java.time.Instant.parse("2026-11-26T09:00:00Z"), ApiCollection.value(record.get("at"), ApiCollection.FieldKind.INSTANT));
        assertEquals("soon", ApiCollection.value(JsonNodeFactory.instance.textNode("soon"), ApiCollection.FieldKind.DATE),
                "kept as text: the mapping refuses the record, not the poll");

        Table.Column city = new Table.Column("owner.address.city", java.sql.Types.VARCHAR, "text");
        Table.Column zip = new Table.Column("owner.address.zip", java.sql.Types.VARCHAR, "text");
        Table.Column tags = new Table.Column("tags", java.sql.Types.ARRAY, "list");
        assertEquals("{\"owner\":{\"address\":{\"city\":\"Lyon\",\"zip\":\"69001\"}},\"tags\":[\"a\",\"b\"]}",
                ApiCollection.body(List.of(city, zip, tags), new Object[] {"Lyon", "69001", List.of("a", "b")}).toString());
    }
}
