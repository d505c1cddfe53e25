package io.syncline.sync;

import static io.restassured.RestAssured.given;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.row;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.syncline.testing.RealDatabases;
import io.syncline.testing.Tracker;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Webhooks (pair {@code releases}: the tracker's releases into PostgreSQL, taken by webhook, polled every ten
 * seconds as a safety net): the tracker sends a signed event naming the record for each change; Syncline checks
 * it, stores it, answers 202 and writes the record as the API holds it. Forged, replayed, malformed and oversized
 * deliveries; a delivery lost in transit; a delivery taken while the API is down.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(1)
class WebhookSyncTest {

    /**
     * Well inside the ten seconds between the safety-net polls. A change made just after a poll has carried the one
     * before it waits ten seconds for the next poll: only a webhook brings both of two changes in a row this fast.
     */
    private static final Duration WEBHOOK = Duration.ofSeconds(6);

    @TestHTTPResource("/webhooks/releases")
    URL endpoint;

    @BeforeEach
    void trackerSendsWebhooks() {
        Tracker.healthy();
        webhooks(true);
    }

    @AfterEach
    void healthyAgain() {
        Tracker.healthy();
    }

    private void webhooks(boolean on) {
        var hook = Tracker.object().put("collection", "releases").put("secret", RealDatabases.TRACKER_WEBHOOK_SECRET);
        if (on) {
            hook.put("url", endpoint.toString());
        } else {
            hook.putNull("url");
        }
        Tracker.control(Tracker.object().set("webhook", hook));
    }

    private static long release(String name) {
        return Tracker.create("releases", Tracker.object().put("name", name).put("state", "planned")).get("id").asLong();
    }

    private static String state(long id) {
        return (String) row(crm(), "SELECT state FROM releases WHERE tracker_id = ?", id).get("state");
    }

    private static byte[] event(long id) {
        return ("{\"event\":\"releases.changed\",\"data\":{\"id\":" + id + "}}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void eachChangeArrivesByWebhookBeforeAnyPoll() {
        Tracker.resetStats();
        for (int i = 0; i < 3; i++) {
            long id = release("2.0." + i);
            await().atMost(WEBHOOK).pollInterval(Duration.ofMillis(50)).until(() -> "planned".equals(state(id)));
            Tracker.patch("releases", id, Tracker.object().put("state", "shipped"));
            await().atMost(WEBHOOK).pollInterval(Duration.ofMillis(50)).until(() -> "shipped".equals(state(id)));
        }
        // the tracker counts a webhook once its answer is back, which may be just after the row is written
        await().atMost(WEBHOOK).until(() -> Tracker.stats().get("webhooksSent").asInt() >= 6);
        JsonNode stats = Tracker.stats();
        assertEquals(6, stats.get("webhooksSent").asInt());
        assertEquals(6, stats.at("/webhookAnswers/202").asInt(), "each answered 202 once stored: " + stats.get("webhookAnswers"));
    }

    @Test
    void aForgedDeliveryIsRefusedAndNothingIsStored() throws Exception {
        webhooks(false);
        long id = release("forged");
        byte[] body = event(id);
        String delivery = UUID.randomUUID().toString();
        given().header("X-Hub-Signature-256", Tracker.signature("not-the-secret", body)).header("X-GitHub-Delivery", delivery)
                .contentType("application/json").body(body).post(endpoint)
                .then().statusCode(401).contentType("application/json").body("error", containsString("the signature does not match"));
        given().contentType("application/json").body(body).post(endpoint)
                .then().statusCode(401).body("error", containsString("X-Hub-Signature-256 header is missing"));
        // nothing was stored: the same delivery, signed, is new (202, not a 200 for a duplicate)
        given().header("X-Hub-Signature-256", Tracker.signature(RealDatabases.TRACKER_OLD_WEBHOOK_SECRET, body)).header("X-GitHub-Delivery", delivery)
                .contentType("application/json").body(body).post(endpoint)
                .then().statusCode(202).body("delivery", equalTo(delivery)).body("records", equalTo(1));
        await().atMost(WEBHOOK).until(() -> "planned".equals(state(id)));
    }

    @Test
    void aReplayedDeliveryIsAppliedOnce() throws Exception {
        webhooks(false);
        long id = release("replayed");
        byte[] body = event(id);
        String delivery = UUID.randomUUID().toString();
        given().header("X-Hub-Signature-256", Tracker.signature(RealDatabases.TRACKER_WEBHOOK_SECRET, body)).header("X-GitHub-Delivery", delivery)
                .contentType("application/json").body(body).post(endpoint).then().statusCode(202);
        await().atMost(WEBHOOK).until(() -> "planned".equals(state(id)));
        Tracker.resetStats();
        given().header("X-Hub-Signature-256", Tracker.signature(RealDatabases.TRACKER_WEBHOOK_SECRET, body)).header("X-GitHub-Delivery", delivery)
                .contentType("application/json").body(body).post(endpoint)
                .then().statusCode(200).body("duplicate", equalTo(true));
        assertEquals(0, Tracker.stats().get("reads").asInt(), "not applied again: the record was not read from the API again");
    }

    @Test
    void malformedOversizedAndEmptyDeliveriesAreRefusedWithWhatIsWrong() throws Exception {
        byte[] malformed = "{\"data\": {\"id\": 1".getBytes(StandardCharsets.UTF_8);
        given().header("X-Hub-Signature-256", Tracker.signature(RealDatabases.TRACKER_WEBHOOK_SECRET, malformed)).contentType("application/json")
                .body(malformed).post(endpoint).then().statusCode(400).body("error", containsString("the body is not JSON"));
        byte[] noRecord = "{\"event\": \"ping\"}".getBytes(StandardCharsets.UTF_8);
        given().header("X-Hub-Signature-256", Tracker.signature(RealDatabases.TRACKER_WEBHOOK_SECRET, noRecord)).contentType("application/json")
                .body(noRecord).post(endpoint).then().statusCode(400).body("error", containsString("no record id at 'data.id'"));
        byte[] big = ("{\"data\": {\"id\": 1}, \"pad\": \"" + "x".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        given().header("X-Hub-Signature-256", Tracker.signature(RealDatabases.TRACKER_WEBHOOK_SECRET, big)).contentType("application/json")
                .body(big).post(endpoint).then().statusCode(413);
        given().get(endpoint).then().statusCode(anyOf(equalTo(404), equalTo(405))); // only POST is taken
    }

    @Test
    void aDeliveryLostInTransitIsRecoveredByTheSafetyNetPoll() {
        Tracker.resetStats();
        Tracker.control(Tracker.object().put("dropWebhooks", 1));
        long id = release("lost");
        await().atMost(Duration.ofSeconds(25)).until(() -> "planned".equals(state(id)));
        assertEquals(0, Tracker.stats().get("webhooksSent").asInt(), "its webhook was lost: the poll brought it");
    }

    @Test
    void aDeliveryTakenWhileTheApiIsDownIsAppliedOnceItIsBack() throws Exception {
        webhooks(false);
        long id = release("during maintenance");
        Tracker.control(Tracker.object().put("down", true));
        byte[] body = event(id);
        given().header("X-Hub-Signature-256", Tracker.signature(RealDatabases.TRACKER_WEBHOOK_SECRET, body)).header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .contentType("application/json").body(body).post(endpoint)
                .then().statusCode(202).body("status", containsString("applied by the next poll"));
        Tracker.healthy();
        await().atMost(Duration.ofSeconds(40)).until(() -> "planned".equals(state(id)));
    }
}
