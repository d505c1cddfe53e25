package io.syncline.ops;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Api.viewer;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.update;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.syncline.testing.Polls;
import io.syncline.testing.RealDatabases;
import io.syncline.testing.Tracker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Dead letters an operator acts on (pair {@code notes}: help-desk articles written to the tracker API, which refuses
 * a title over 120 characters): once the API takes longer titles, a refused article that has not changed stays a
 * dead letter until it is retried, then it is written; another is discarded and stays so.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(1)
class DeadLetterActionsTest {

    @AfterEach
    void trackerAsItWas() {
        Tracker.healthy();
    }

    private static long article(String title) {
        update(helpdesk(), "INSERT INTO articles (title, body, modified) VALUES (?, 'kept', NOW(6))", title);
        return count(helpdesk(), "SELECT MAX(id) FROM articles WHERE title = ?", title);
    }

    private static JsonNode note(long article) {
        return Tracker.all("notes").stream().filter(n -> n.path("external_id").asLong() == article).findFirst().orElse(null);
    }

    private static Map<String, Object> letter(long article) {
        List<Map<String, Object>> letters = viewer().get("/api/pairs/notes/dead-letters").then().statusCode(200).extract().jsonPath().getList("$");
        return letters.stream().filter(l -> String.valueOf(article).equals(String.valueOf(l.get("recordId")))).findFirst().orElse(null);
    }

    @Test
    void aRetriedDeadLetterIsWrittenOnceItsTargetTakesItAndADiscardedOneStaysDiscarded() throws InterruptedException {
        long retried = article("R".repeat(150));
        long discarded = article("D".repeat(160));
        await().atMost(Duration.ofSeconds(30)).until(() -> letter(retried) != null && letter(discarded) != null);
        Thread.sleep(6_000);
        long later = article("A later article");
        await().atMost(Duration.ofSeconds(30)).until(() -> note(later) != null); // the cursor is past the lookback of the refused ones

        Tracker.control(Tracker.object().put("maxTitle", 200)); // the API now takes them
        Polls.awaitPolls("notes", 2);
        assertNull(note(retried), "unchanged at the source and past the lookback: nothing brings it back by itself");

        viewer().post("/api/pairs/notes/dead-letters/helpdesk/" + retried + "/retry").then().statusCode(403);
        operator().post("/api/pairs/notes/dead-letters/helpdesk/" + retried + "/retry").then().statusCode(202)
                .body("retrying", equalTo(1)).body("message", containsString("with the pair's next poll"));
        await().atMost(Duration.ofSeconds(30)).until(() -> note(retried) != null && letter(retried) == null);
        assertEquals("R".repeat(150), note(retried).get("title").asText());

        operator().delete("/api/pairs/notes/dead-letters/helpdesk/" + discarded).then().statusCode(200).body("discarded", equalTo(true));
        operator().delete("/api/pairs/notes/dead-letters/helpdesk/" + discarded).then().statusCode(404)
                .body("error", containsString("has no dead letter for record " + discarded));
        Polls.awaitPolls("notes", 2);
        assertNull(letter(discarded), "discarded, and not refused again: it is not read again until it changes");
        assertNull(note(discarded));

        operator().post("/api/pairs/notes/dead-letters/helpdesk/" + discarded + "/retry").then().statusCode(404);
        assertNotNull(note(later));
    }
}
