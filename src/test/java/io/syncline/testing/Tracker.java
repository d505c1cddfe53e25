package io.syncline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** The tracker's users and operators, over HTTP: they edit records, set faults and read its figures ({@link FakeTrackerApi}). */
public final class Tracker {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private Tracker() {
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** Creates a record as a user does in the tracker; returns it with its id, version and updated_at. */
    public static JsonNode create(String collection, ObjectNode record) {
        return call("POST", "/_admin/" + collection, record);
    }

    public static JsonNode patch(String collection, long id, ObjectNode fields) {
        return call("PATCH", "/_admin/" + collection + "/" + id, fields);
    }

    /** A change a user makes that leaves the record's version and updated_at as they were: no poll sees it, a webhook may tell. */
    public static JsonNode patchSilently(String collection, long id, ObjectNode fields) {
        return call("PATCH", "/_admin/" + collection + "/" + id + "?silent=true", fields);
    }

    /** A GitHub-style signature of a webhook body ({@code X-Hub-Signature-256}), as the tracker signs its deliveries. */
    public static String signature(String secret, byte[] body) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body));
    }

    /** Every record of the collection, oldest change first. */
    public static List<JsonNode> all(String collection) {
        List<JsonNode> records = new ArrayList<>();
        call("GET", "/_admin/" + collection, null).forEach(records::add);
        return records;
    }

    public static void clear(String collection) {
        call("DELETE", "/_admin/" + collection, null);
    }

    /** Sets faults: {@code failEvery}, {@code limit} (requests per second, then 429), {@code down}. */
    public static void control(ObjectNode faults) {
        call("POST", "/_control", faults);
    }

    public static void healthy() {
        control(object().put("failEvery", 0).put("limit", 0).put("down", false).put("maxTitle", 0));
    }

    /** requests, maxPerSecond, tooMany, failures, writes since the last reset. */
    public static JsonNode stats() {
        return call("GET", "/_stats", null);
    }

    public static void resetStats() {
        call("POST", "/_stats/reset", object());
    }

    private static JsonNode call(String method, String path, JsonNode body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(RealDatabases.trackerBase() + path))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build();
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " " + response.body());
            }
            return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
