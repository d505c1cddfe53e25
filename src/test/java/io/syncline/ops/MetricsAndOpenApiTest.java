package io.syncline.ops;

import static io.restassured.RestAssured.given;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.update;
import static io.syncline.testing.TwoWayPair.SYNC;
import static io.syncline.testing.TwoWayPair.crmId;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.arc.Arc;
import io.syncline.testing.RealDatabases;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * What a monitoring system scrapes without a login: each pair's figures next to Camel's, moving as
 * records sync; and the ops API described at {@code /q/openapi}.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(1)
class MetricsAndOpenApiTest {

    @Test
    void eachPairsFiguresAreScrapedAndMoveWithASync() {
        await().atMost(SYNC).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("syncline_pair_up{pair=\"contacts\"} 1.0"))
                .body(containsString("syncline_pair_seconds_since_last_successful_poll{pair=\"people\"}"))
                .body(containsString("syncline_pair_dead_letters{pair=\"contacts\"}"))
                .body(containsString("syncline_pair_conflicts_open{pair=\"people\"}"))
                .body(containsString("syncline_pair_freshness_objective_seconds{pair=\"releases\"} 3600.0"))
                .body(containsString("syncline_pair_freshness_breached{pair=\"releases\"} 0.0"))
                .body(containsString("camel_exchanges")));
        // the people pair polls both sides every second: what it has not synced is seconds old, and so is its last change read
        double staleness = gauge("syncline_pair_staleness_seconds\\{pair=\"people\"\\}");
        assertTrue(staleness >= 0 && staleness < 30, "staleness " + staleness);
        update(crm(), "UPDATE people SET last_name = 'Lag' WHERE id = ?", crmId("person73@example.com"));
        await().atMost(SYNC).until(() -> gauge("syncline_pair_lag_seconds\\{pair=\"people\",side=\"crm\"\\}") < 30);
        double before = written("people", "b");
        double readFromCrm = gauge("syncline_pair_read_total\\{pair=\"people\",side=\"crm\"\\}");
        double skippedInHelpdesk = gauge("syncline_pair_skipped_total\\{pair=\"people\",side=\"helpdesk\"\\}");
        update(crm(), "UPDATE people SET phone = '+1 555 4242' WHERE id = ?", crmId("person42@example.com"));
        await().atMost(SYNC).until(() -> written("people", "b") > before);
        // (the write counter may have moved for the earlier edit's window first: wait for this one to be read)
        await().atMost(SYNC).until(() -> gauge("syncline_pair_read_total\\{pair=\"people\",side=\"crm\"\\}") > readFromCrm);
        // the write to the help desk is read back there and skipped: an echo
        await().atMost(SYNC).until(() -> gauge("syncline_pair_skipped_total\\{pair=\"people\",side=\"helpdesk\"\\}") > skippedInHelpdesk);
    }

    /**
     * Camel's route metrics, without the per-record costs they brought: no event notified for each of
     * the split's exchanges, no whole-context timer carried (and copied) on each.
     */
    @Test
    void camelsRouteMetricsCostNothingPerRecord() {
        CamelContext camel = Arc.container().instance(CamelContext.class).get();
        assertFalse(camel.getCamelContextExtension().isEventNotificationApplicable(), "Camel notifies an event for each exchange");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("camel_routes_running_routes{"), "route events are still counted");
        assertTrue(metrics.contains("routeId=\"people.apply\""), "exchanges are still timed per route");
        assertFalse(metrics.contains("eventType=\"context\""), "the whole context's timers ride on every exchange");
    }

    @Test
    void theOpsApiIsDescribed() {
        String api = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        for (String path : new String[] {"/api/pairs/{pair}/conflicts/{aId}/resolve", "/api/pairs/{pair}/dry-run", "/api/pairs/{pair}/resync",
                "/api/pairs/{pair}/dead-letters", "/api/pairs/{pair}/dead-letters/{side}/{id}/retry"}) {
            assertTrue(api.contains("\"" + path + "\""), path + " is described");
        }
        // every operation says what it does, and its answers include the errors an operator meets
        io.restassured.path.json.JsonPath json = io.restassured.path.json.JsonPath.from(api);
        java.util.Map<String, java.util.Map<String, java.util.Map<String, Object>>> paths = json.getMap("paths");
        paths.forEach((path, operations) -> operations.forEach((method, operation) -> {
            if (path.startsWith("/api/")) {
                assertTrue(operation.get("summary") instanceof String summary && !summary.isBlank(), method + " " + path + " has a summary");
                assertTrue(((java.util.Map<?, ?>) operation.get("responses")).containsKey("401"), method + " " + path + " says 401");
            }
        }));
        java.util.Map<String, Object> resolve = json.getMap("paths.'/api/pairs/{pair}/conflicts/{aId}/resolve'.post.responses");
        assertTrue(resolve.keySet().containsAll(java.util.List.of("200", "400", "403", "404", "409")), "resolve answers " + resolve.keySet());
    }

    /** A metric's value (the pattern matches its name and labels), or NaN. */
    private static double gauge(String pattern) {
        Matcher m = Pattern.compile(pattern + " ([-0-9.E]+|NaN)").matcher(given().get("/q/metrics").asString());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static double written(String pair, String side) {
        String metrics = given().get("/q/metrics").asString();
        Matcher m = Pattern.compile("syncline_pair_written_total\\{pair=\"" + pair + "\",side=\"" + side + "\"\\} ([0-9.E]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
