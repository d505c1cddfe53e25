package io.syncline.ops;

import static io.restassured.RestAssured.given;
import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Api.viewer;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.containsStringIgnoringCase;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.syncline.testing.RealDatabases;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The ops API in front of a network: nobody without a password, viewers read, operators act, and a
 * browser cannot be made to act for an operator from another site. Health stays open to probes.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(1)
class AccessTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void withoutCredentialsNothingIsShownOrDone() {
        given().get("/api/pairs").then().statusCode(401).header("WWW-Authenticate", containsStringIgnoringCase("basic"));
        given().get("/api/pairs/contacts/dead-letters").then().statusCode(401);
        given().get("/api/pairs/people/conflicts").then().statusCode(401);
        given().post("/api/pairs/contacts/pause").then().statusCode(401);
        given().auth().preemptive().basic("operator", "wrong").post("/api/pairs/contacts/pause").then().statusCode(401);
        given().auth().preemptive().basic("operator", "wrong").get("/api/pairs").then().statusCode(401);
        operator().get("/api/pairs/contacts").then().statusCode(200).body("state", not(equalTo("PAUSED")));
    }

    @Test
    void healthIsOpenToProbes() {
        int status = given().get("/q/health/ready").statusCode();
        org.junit.jupiter.api.Assertions.assertTrue(status == 200 || status == 503, "health answered " + status);
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void aViewerReadsButCannotAct() {
        viewer().get("/api/pairs").then().statusCode(200);
        viewer().get("/api/pairs/contacts/dead-letters").then().statusCode(200);
        viewer().get("/api/pairs/people/conflicts").then().statusCode(200);
        viewer().get("/api/pairs/people/dry-run").then().statusCode(200);
        for (String action : new String[] {"contacts/pause", "contacts/resume", "contacts/resync", "people/reconcile", "people/deletes/confirm"}) {
            viewer().post("/api/pairs/" + action).then().statusCode(403);
        }
        viewer().contentType(ContentType.JSON).body(Map.of("choose", "a")).post("/api/pairs/people/conflicts/1/resolve").then().statusCode(403);
        operator().get("/api/pairs/contacts").then().statusCode(200).body("state", not(equalTo("PAUSED")));
    }

    @Test
    void anOperatorActsOnlyFromThisSite() {
        String here = root.getProtocol() + "://" + root.getHost() + ":" + root.getPort();
        operator().header("Origin", "https://evil.example").post("/api/pairs/contacts/pause").then().statusCode(403)
                .body("error", containsString("cross-site request refused"));
        operator().header("Sec-Fetch-Site", "cross-site").post("/api/pairs/contacts/pause").then().statusCode(403);
        operator().header("Origin", "null").post("/api/pairs/contacts/pause").then().statusCode(403);
        operator().get("/api/pairs/contacts").then().statusCode(200).body("state", not(equalTo("PAUSED")));
        // from the server's own pages, and from clients that are not browsers
        operator().header("Origin", here).header("Sec-Fetch-Site", "same-origin").post("/api/pairs/contacts/pause").then().statusCode(200)
                .body("state", equalTo("PAUSED"));
        operator().post("/api/pairs/contacts/resume").then().statusCode(200).body("state", not(equalTo("PAUSED")));
    }
}
