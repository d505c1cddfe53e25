package io.syncline.sync;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Api.viewer;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.syncline.write.Faults;
import io.syncline.testing.Polls;
import io.syncline.testing.RealDatabases;
import io.syncline.testing.Tracker;
import jakarta.inject.Inject;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * HTTP systems, one way in each direction, against a tracker API with its own data ({@code FakeTrackerApi}):
 * stories polled from the API into PostgreSQL ({@code stories}), help-desk articles from MariaDB written to the
 * API ({@code notes}). Faults the API shows in real life: 429 with Retry-After, 500s, a maintenance window.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(1)
class HttpSyncTest {

    private static final Duration SYNC = Duration.ofSeconds(40);
    private static final AtomicInteger ARTICLE_SEQUENCE = new AtomicInteger();

    @Inject
    Faults faults;

    @AfterEach
    void healthyAgain() {
        Tracker.healthy();
    }

    private static ObjectNode story(String title, String owner, String status, int points, String... tags) {
        ObjectNode story = Tracker.object().put("title", title).put("status", status).put("points", points);
        story.putObject("owner").put("email", owner).put("name", "Someone");
        var array = story.putArray("tags");
        for (String tag : tags) {
            array.add(tag);
        }
        return story;
    }

    private static long article(String title, String body) {
        String marker = "article-" + ARTICLE_SEQUENCE.incrementAndGet();
        update(helpdesk(), "INSERT INTO articles (title, body, modified) VALUES (?, ?, NOW(6))", title, body + " " + marker);
        return count(helpdesk(), "SELECT id FROM articles WHERE body LIKE ?", "% " + marker);
    }

    private static JsonNode note(long articleId) {
        return Tracker.all("notes").stream().filter(n -> n.path("external_id").asLong() == articleId).findFirst().orElse(null);
    }

    @Test
    void storiesArePolledFromTheApiWithNestedFieldsListsAndOffsetTimes() {
        JsonNode first = Tracker.create("stories", story("Checkout page", "Ada@Example.com", "doing", 5, "backend", "urgent"));
        for (int i = 0; i < 120; i++) { // more than two API pages of 50
            Tracker.create("stories", story("Story " + i, "grace" + i + "@example.com", "todo", i % 8));
        }
        long id = first.get("id").asLong();
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM stories WHERE tracker_id >= ?", id) == 121);
        Map<String, Object> row = row(crm(), "SELECT * FROM stories WHERE tracker_id = ?", id);
        assertEquals("Checkout page", row.get("title"));
        assertEquals("In progress", row.get("status"), "doing -> In progress");
        assertEquals(5, ((Number) row.get("points")).intValue());
        assertEquals("ada@example.com", row.get("owner_email"), "owner.email, lower-cased");
        assertEquals("backend, urgent", row.get("tags"), "a JSON array joined");
        Instant stamped = OffsetDateTime.parse(first.get("updated_at").asText()).toInstant(); // written with +01:00 by the API
        assertEquals(stamped, ((Timestamp) row.get("changed_at")).toInstant(), "the API's offset time is the same instant in timestamptz");

        Tracker.patch("stories", id, Tracker.object().put("status", "done"));
        await().atMost(SYNC).until(() -> "Done".equals(row(crm(), "SELECT status FROM stories WHERE tracker_id = ?", id).get("status")));
    }

    /**
     * Pair "labels": a collection that declares no change marker ({@code cursor: none}) is listed whole on every poll, over
     * its pages; only the labels that differ from their links are written, and a change that leaves {@code updated_at} as
     * it was, which no poll by change marker sees, is synced too.
     */
    @Test
    void aCollectionWithoutChangeMarkerIsListedWholeAndOnlyItsChangesAreWritten() {
        long before = count(crm(), "SELECT n FROM labels_writes");
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) { // two of the API's pages of 50
            ids.add(Tracker.create("labels", Tracker.object().put("name", "label " + i).put("color", "grey")).get("id").asLong());
        }
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM labels WHERE tracker_id >= ?", ids.get(0)) == 60);
        Polls.awaitPolls("labels", 3); // each listed all 60 again
        assertEquals(60, count(crm(), "SELECT n FROM labels_writes") - before, "each label written once, not once per poll");

        Tracker.patchSilently("labels", ids.get(3), Tracker.object().put("color", "red")); // updated_at stays
        Tracker.patch("labels", ids.get(55), Tracker.object().put("name", "renamed")); // on the second page
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM labels WHERE (tracker_id = ? AND color = 'red')"
                + " OR (tracker_id = ? AND name = 'renamed')", ids.get(3), ids.get(55)) == 2);
        Polls.awaitPolls("labels", 2);
        assertEquals(62, count(crm(), "SELECT n FROM labels_writes") - before, "the two changes, each once");
        JsonPath labels = viewer().get("/api/pairs/labels").then().statusCode(200).extract().jsonPath();
        assertEquals("none: read whole on every poll", labels.getString("cursor"));
        assertEquals(0, labels.getLong("deadLetters"));
    }

    /**
     * An API listed whole, page after page, lists a record that a user edits between two of its pages twice: once as it was,
     * once at the end as it is now. Pair "labels" reads both API pages as one page of its own (100). When both copies differ
     * from what was synced, the label is written once, with what it holds now, by the poll that listed it twice, and is no
     * dead letter ("2 records have one value of the key").
     */
    @Test
    void aRecordListedTwiceInOnePageIsWrittenOnceAsItIsNow() {
        Tracker.clear("labels");
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) { // two of the API's pages of 50
            ids.add(Tracker.create("labels", Tracker.object().put("name", "listed " + i).put("color", "green")).get("id").asLong());
        }
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM labels WHERE tracker_id >= ?", ids.get(0)) == 60);
        Polls.awaitPolls("labels", 1);
        long writes = count(crm(), "SELECT n FROM labels_writes");
        long edited = ids.get(10);
        Tracker.resetStats();
        ObjectNode edit = Tracker.object().put("collection", "labels").put("id", edited);
        edit.putObject("first").put("color", "red"); // not synced yet when the page lists it: both copies are changes
        edit.putObject("fields").put("color", "blue");
        Tracker.control((ObjectNode) Tracker.object().set("editAfterListing", edit));
        java.util.concurrent.atomic.AtomicBoolean deadLettered = new java.util.concurrent.atomic.AtomicBoolean();
        await().atMost(SYNC).pollInterval(Duration.ofMillis(50)).until(() -> {
            deadLettered.compareAndSet(false, deadLetter("labels", edited) != null); // a dead letter lasts until the next poll (2 s)
            return "blue".equals(row(crm(), "SELECT color FROM labels WHERE tracker_id = ?", edited).get("color"));
        });
        assertEquals(1, Tracker.stats().get("editsAfterListing").asLong(), "listed twice: before and after the edit");
        assertTrue(!deadLettered.get(), "never a dead letter");
        assertEquals(1, count(crm(), "SELECT n FROM labels_writes") - writes, "the edited label alone, once");
    }

    /**
     * Each record deleted from an API costs requests ({@code GET ?external_id=}, then {@code DELETE}), sent within the
     * request budget while the pair's pages wait for the delete: a pass deletes a small batch at a time, and the pages
     * wait for a batch at most. Seen from the fault point where each batch begins: how many of the notes were gone by then.
     */
    @Test
    void deletesFromAnApiAreAppliedInSmallBatches() {
        List<Long> articles = new java.util.ArrayList<>();
        for (int i = 0; i < 45; i++) {
            articles.add(article("Deleted in batches " + i, "text"));
        }
        await().atMost(SYNC).until(() -> articles.stream().allMatch(a -> note(a) != null));
        java.util.Set<Long> goneWhenABatchBegan = new java.util.concurrent.ConcurrentSkipListSet<>();
        for (long article : articles) { // each batch runs the actions of its records
            faults.once("notes", String.valueOf(article), Faults.BEFORE_GONE_CHECKED, () -> {
                java.util.Set<Long> inTracker = Tracker.all("notes").stream().map(n -> n.path("external_id").asLong())
                        .collect(java.util.stream.Collectors.toSet());
                goneWhenABatchBegan.add(articles.stream().filter(a -> !inTracker.contains(a)).count());
            });
        }
        update(helpdesk(), "DELETE FROM articles WHERE title LIKE 'Deleted in batches %'");
        JsonPath held = operator().post("/api/pairs/notes/reconcile").then().statusCode(200).extract().jsonPath();
        assertThat(held.getString("guard"), containsString("this pass would delete 45 of")); // more than the guard's 10%
        JsonPath confirmed = operator().post("/api/pairs/notes/deletes/confirm").then().statusCode(200).extract().jsonPath();
        assertEquals(45, confirmed.getLong("applied.deleted"));
        assertTrue(articles.stream().allMatch(a -> note(a) == null), "all deleted from the tracker");
        List<Long> gone = List.copyOf(goneWhenABatchBegan);
        assertEquals(0L, gone.get(0), "the first batch began before any delete: " + gone);
        assertThat("batches of at most 20: " + gone, gone.size(), greaterThanOrEqualTo(3));
        for (int i = 1; i < gone.size(); i++) {
            assertThat("the batch before deleted at most 20: " + gone, gone.get(i) - gone.get(i - 1), lessThanOrEqualTo(20L));
        }
    }

    /**
     * Deletes to an API target, found there by the pair's key: pair "notes" deletes the note of an article deleted from the
     * help desk ({@code GET ?external_id=}, then {@code DELETE}); pair "memos", whose collection is replaced whole with PUT,
     * archives the memo of a deleted draft instead ({@code soft(status = archived)}): the memo is read and sent back whole
     * with that status. A second pass has nothing left to do.
     */
    @Test
    void recordsDeletedFromTheSourceAreDeletedOrArchivedInTheApi() {
        List<Long> articles = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) { // two of them deleted: within the pair's mass-delete guard (10%)
            articles.add(article("Deleted later " + i, "text"));
        }
        await().atMost(SYNC).until(() -> articles.stream().allMatch(a -> note(a) != null));
        long deleted = articles.get(3);
        long locked = articles.get(7);
        Tracker.patch("notes", note(locked).get("id").asLong(), Tracker.object().put("locked", true)); // the tracker refuses to delete it
        update(helpdesk(), "DELETE FROM articles WHERE id IN (?, ?)", deleted, locked);
        JsonPath pass = operator().post("/api/pairs/notes/reconcile").then().statusCode(200).extract().jsonPath();
        assertEquals(1, pass.getLong("applied.deleted"));
        assertEquals(null, note(deleted), "deleted from the tracker");
        assertTrue(articles.stream().filter(a -> a != deleted).allMatch(a -> note(a) != null), "the others stay, the locked note too");
        String reason = deadLetter("notes", locked);
        assertThat(reason, containsString("and tracker.notes refused to delete it"));
        assertThat(reason, containsString("HTTP 409"));

        Tracker.patch("notes", note(locked).get("id").asLong(), Tracker.object().put("locked", false));
        assertEquals(1, operator().post("/api/pairs/notes/reconcile").then().statusCode(200).extract().jsonPath().getLong("applied.deleted"),
                "its link stayed: the next pass tries again");
        assertEquals(null, note(locked));
        assertEquals(null, deadLetter("notes", locked), "deleted at last: no longer a dead letter");
        assertEquals(0, operator().post("/api/pairs/notes/reconcile").then().statusCode(200).extract().jsonPath().getLong("deletesToApply"));

        long first = count(helpdesk(), "SELECT COALESCE(MAX(id), 0) FROM memo_drafts") + 1;
        for (int i = 0; i < 12; i++) {
            update(helpdesk(), "INSERT INTO memo_drafts (title, modified) VALUES (?, NOW(6))", "Draft " + i);
        }
        await().atMost(SYNC).until(() -> Tracker.all("memos").stream().filter(m -> m.path("external_id").asLong() >= first).count() == 12);
        long archived = first + 5;
        update(helpdesk(), "DELETE FROM memo_drafts WHERE id = ?", archived);
        assertEquals(1, operator().post("/api/pairs/memos/reconcile").then().statusCode(200).extract().jsonPath().getLong("applied.deleted"));
        JsonNode memo = Tracker.all("memos").stream().filter(m -> m.path("external_id").asLong() == archived).findFirst().orElseThrow();
        assertEquals("archived", memo.path("status").asText());
        assertEquals("Draft 5", memo.path("title").asText(), "sent back whole: PUT replaces the memo");
        assertEquals(11, Tracker.all("memos").stream().filter(m -> m.path("external_id").asLong() >= first)
                .filter(m -> m.path("status").asText().equals("open")).count());
        assertEquals(0, operator().post("/api/pairs/memos/reconcile").then().statusCode(200).extract().jsonPath().getLong("deletesToApply"),
                "its link stays as a tombstone");
    }

    @Test
    void anIdleCollectionIsAskedOnlyForWhatChangedSinceTheCursor() throws InterruptedException {
        for (int i = 0; i < 60; i++) {
            Tracker.create("stories", story("Idle " + i, "idle@example.com", "todo", 1));
        }
        Thread.sleep(3000); // the last change alone within the lookback (2 s) before the cursor
        long last = Tracker.create("stories", story("The last change", "idle@example.com", "done", 1)).get("id").asLong();
        await().atMost(SYNC).until(() -> count(crm(), "SELECT COUNT(*) FROM stories WHERE tracker_id = ?", last) == 1);
        Polls.awaitPolls("stories", 1);
        Tracker.resetStats();
        Polls.awaitPolls("stories", 3);
        JsonNode stats = Tracker.stats();
        assertThat("polls ran", stats.get("requests").asLong(), greaterThanOrEqualTo(3L));
        long stories = Tracker.all("stories").size();
        long pages = stats.at("/listedBy/stories").asLong();
        assertThat("pages of stories listed by three idle polls", pages, greaterThanOrEqualTo(3L));
        assertThat("records the API served to " + pages + " pages of idle polls (the last change, re-read within the lookback) of "
                + stories + " stories", stats.at("/servedBy/stories").asLong(), lessThanOrEqualTo(pages));
    }

    @Test
    void articlesAreWrittenToTheApiFoundByTheirKeyAndUpdatedInPlace() {
        long first = article("Resetting a password", "Open the settings");
        long second = article("Exporting invoices", "Use the export button");
        await().atMost(SYNC).until(() -> note(first) != null && note(second) != null);
        JsonNode note = note(first);
        assertEquals("Resetting a password", note.get("title").asText());
        assertThat(note.at("/content/text").asText(), containsString("Open the settings"));
        assertEquals("markdown", note.at("/content/format").asText(), "a nested body written from a literal");
        assertEquals(1, note.get("version").asLong());

        update(helpdesk(), "UPDATE articles SET title = 'Resetting a forgotten password', modified = NOW(6) WHERE id = ?", first);
        await().atMost(SYNC).until(() -> "Resetting a forgotten password".equals(note(first).get("title").asText()));
        JsonNode updated = note(first);
        assertEquals(note.get("id").asLong(), updated.get("id").asLong(), "the same record, updated in place");
        assertEquals(2, updated.get("version").asLong());
        assertEquals(1, Tracker.all("notes").stream().filter(n -> n.path("external_id").asLong() == first).count(), "no duplicate");
        assertEquals("markdown", updated.at("/content/format").asText(), "PATCH keeps the nested body");
    }

    @Test
    void aRecordTheApiRefusesIsADeadLetterWithItsAnswerAndTheOthersFlow() {
        long refused = article("A".repeat(150), "Too long a title for the tracker");
        long fine = article("Shipping times", "Two to five days");
        await().atMost(SYNC).until(() -> note(fine) != null);
        await().atMost(SYNC).until(() -> deadLetter("notes", refused) != null);
        assertTrue(note(refused) == null, "nothing written for the refused record");
        String reason = deadLetter("notes", refused);
        assertThat(reason, containsString("tracker.notes refused the record: HTTP 422"));
        assertThat(reason, containsString("title: at most 120 characters, got 150"));
    }

    @Test
    void rateLimitsAndServerErrorsAreWaitedOutAndNothingIsLost() {
        Tracker.resetStats();
        Tracker.control(Tracker.object().put("limit", 8).put("failEvery", 7));
        List<Long> articles = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            articles.add(article("Busy " + i, "Written while the API pushes back"));
        }
        JsonNode story = Tracker.create("stories", story("Busy story", "busy@example.com", "todo", 2));
        await().atMost(Duration.ofSeconds(60)).until(() -> articles.stream().allMatch(a -> note(a) != null)
                && count(crm(), "SELECT COUNT(*) FROM stories WHERE tracker_id = ?", story.get("id").asLong()) == 1);
        JsonNode stats = Tracker.stats();
        assertThat("429s were sent", stats.get("tooMany").asLong(), greaterThan(0L));
        assertThat("500s were sent", stats.get("failures").asLong(), greaterThan(0L));
        for (long a : articles) {
            assertTrue(deadLetter("notes", a) == null, "article " + a + " is no dead letter: 429 and 500 are waited out");
        }
    }

    @Test
    void theRequestBudgetIsSharedAndNeverExceeded() {
        Tracker.resetStats();
        List<Long> articles = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) { // a lookup and a create each: more requests than three seconds of budget
            articles.add(article("Budget " + i, "Counted"));
        }
        await().atMost(SYNC).until(() -> articles.stream().allMatch(a -> note(a) != null));
        JsonNode stats = Tracker.stats();
        assertThat(stats.get("requests").asLong(), greaterThanOrEqualTo(80L));
        assertThat("requests in any one second, budget " + RealDatabases.TRACKER_BUDGET, stats.get("maxPerSecond").asInt(),
                lessThanOrEqualTo(RealDatabases.TRACKER_BUDGET + 1));
    }

    @Test
    void anApiDownForAWhileIsWaitedForAndNothingIsLost() {
        Tracker.control(Tracker.object().put("down", true));
        JsonNode story = Tracker.create("stories", story("Written during maintenance", "down@example.com", "todo", 3));
        long article = article("Written during maintenance", "The API answers 503");
        await().atMost(SYNC).until(() -> viewer().get("/q/health").then().extract().asString().contains("HTTP 503"));
        assertEquals(0, count(crm(), "SELECT COUNT(*) FROM stories WHERE tracker_id = ?", story.get("id").asLong()));
        Tracker.healthy();
        await().atMost(Duration.ofSeconds(60)).until(() -> note(article) != null
                && count(crm(), "SELECT COUNT(*) FROM stories WHERE tracker_id = ?", story.get("id").asLong()) == 1);
        assertTrue(deadLetter("notes", article) == null);
    }

    /** The reason of the pair's dead letter for a record, or null. */
    private static String deadLetter(String pair, long id) {
        JsonPath letters = viewer().get("/api/pairs/" + pair + "/dead-letters").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> all = letters.getList("$");
        return all.stream().filter(l -> String.valueOf(id).equals(String.valueOf(l.get("recordId")))).map(l -> (String) l.get("reason"))
                .findFirst().orElse(null);
    }
}
