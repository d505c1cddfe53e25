package io.syncline.system.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.syncline.system.SynclineConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Each signature scheme as its senders compute it, two secrets during a rotation, replays, and what a body must hold. */
class WebhooksTest {

    private static final byte[] BODY = "{\"event\":\"story.changed\",\"data\":{\"id\":42}}".getBytes(StandardCharsets.UTF_8);
    private static final String OLD = "the-old-secret";
    private static final String NEW = "the-new-secret";

    private record Settings(String scheme, List<String> secrets, Optional<String> header, Optional<String> encoding, Optional<String> deliveryHeader)
            implements SynclineConfig.Webhook {
        Settings(String scheme, List<String> secrets) {
            this(scheme, secrets, Optional.empty(), Optional.empty(), Optional.empty());
        }

        @Override
        public Optional<Duration> tolerance() {
            return Optional.empty(); // five minutes
        }

        @Override
        public Optional<Integer> maxBody() {
            return Optional.of(1024);
        }
    }

    private static Webhooks.Delivery verify(Settings settings, Map<String, String> headers, byte[] body) {
        Map<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(headers);
        return new Webhooks("tracker", settings).verify(byName::get, body, "data", "id");
    }

    private static String hex(String secret, String prefix, byte[] body) {
        return HexFormat.of().formatHex(Webhooks.hmac(secret.getBytes(StandardCharsets.UTF_8), prefix.getBytes(StandardCharsets.UTF_8), body));
    }

    @Test
    void githubStyleWithEitherSecretOfARotation() {
        Settings github = new Settings("github", List.of(OLD, NEW));
        for (String secret : List.of(OLD, NEW)) {
            Webhooks.Delivery delivery = verify(github, Map.of("x-hub-signature-256", "sha256=" + hex(secret, "", BODY), "X-GitHub-Delivery", "d-1"), BODY);
            assertEquals(new Webhooks.Delivery("d-1", List.of("42")), delivery);
        }
        Webhooks.Refused wrong = assertThrows(Webhooks.Refused.class, () -> verify(github,
                Map.of("X-Hub-Signature-256", "sha256=" + hex("another", "", BODY)), BODY));
        assertEquals(401, wrong.status());
        assertEquals(401, assertThrows(Webhooks.Refused.class, () -> verify(github, Map.of(), BODY)).status(), "no signature");
        byte[] changed = "{\"event\":\"story.changed\",\"data\":{\"id\":43}}".getBytes(StandardCharsets.UTF_8);
        assertEquals(401, assertThrows(Webhooks.Refused.class, () -> verify(github,
                Map.of("X-Hub-Signature-256", "sha256=" + hex(NEW, "", BODY)), changed)).status(), "a body changed in transit");
    }

    @Test
    void stripeStyleSignsTheTimestampAndRefusesAReplay() {
        Settings stripe = new Settings("stripe", List.of(NEW));
        long now = Instant.now().getEpochSecond();
        String header = "t=" + now + ",v1=" + hex(NEW, now + ".", BODY) + ",v0=ignored";
        Webhooks.Delivery delivery = verify(stripe, Map.of("Stripe-Signature", header), BODY);
        assertEquals(List.of("42"), delivery.recordIds());
        assertThat("no delivery id: the content names it", delivery.id(), containsString("sha256:"));
        long old = now - 600;
        Webhooks.Refused replay = assertThrows(Webhooks.Refused.class, () -> verify(stripe,
                Map.of("Stripe-Signature", "t=" + old + ",v1=" + hex(NEW, old + ".", BODY)), BODY));
        assertThat(replay.getMessage(), containsString("600 s away from now; at most 300 s"));
        assertEquals(401, assertThrows(Webhooks.Refused.class, () -> verify(stripe,
                Map.of("Stripe-Signature", "t=" + now + ",v1=" + hex(NEW, (now + 1) + ".", BODY)), BODY)).status(), "the timestamp is signed");
    }

    @Test
    void standardWebhooksWithABase64Secret() {
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        Settings standard = new Settings("standard", List.of("whsec_" + Base64.getEncoder().encodeToString(key)));
        long now = Instant.now().getEpochSecond();
        String signed = "msg_2" + "." + now + ".";
        String signature = Base64.getEncoder().encodeToString(Webhooks.hmac(key, signed.getBytes(StandardCharsets.UTF_8), BODY));
        Webhooks.Delivery delivery = verify(standard, Map.of("webhook-id", "msg_2", "webhook-timestamp", String.valueOf(now),
                "webhook-signature", "v1,bm90IGl0 v1," + signature), BODY);
        assertEquals(new Webhooks.Delivery("msg_2", List.of("42")), delivery);
        assertEquals(401, assertThrows(Webhooks.Refused.class, () -> verify(standard, Map.of("webhook-id", "msg_3", "webhook-timestamp",
                String.valueOf(now), "webhook-signature", "v1," + signature), BODY)).status(), "the id is signed");
    }

    @Test
    void plainHmacInAHeaderOfYourChoice() {
        Settings hmac = new Settings("hmac", List.of(NEW), Optional.of("X-Tracker-Signature"), Optional.of("base64"), Optional.of("X-Tracker-Delivery"));
        String signature = Base64.getEncoder().encodeToString(Webhooks.hmac(NEW.getBytes(StandardCharsets.UTF_8), null, BODY));
        assertEquals(new Webhooks.Delivery("7", List.of("42")), verify(hmac, Map.of("X-Tracker-Signature", signature, "X-Tracker-Delivery", "7"), BODY));
        assertEquals(401, assertThrows(Webhooks.Refused.class, () -> verify(hmac, Map.of("X-Signature", signature), BODY)).status());
    }

    @Test
    void aBodyMustBeSmallJsonNamingRecords() {
        Settings github = new Settings("github", List.of(NEW));
        byte[] notJson = "{\"data\": {\"id\": 4".getBytes(StandardCharsets.UTF_8);
        Webhooks.Refused malformed = assertThrows(Webhooks.Refused.class, () -> verify(github,
                Map.of("X-Hub-Signature-256", "sha256=" + hex(NEW, "", notJson)), notJson));
        assertEquals(400, malformed.status());
        assertThat(malformed.getMessage(), containsString("the body is not JSON"));
        byte[] noId = "{\"data\": {\"name\": \"v1\"}}".getBytes(StandardCharsets.UTF_8);
        Webhooks.Refused nothing = assertThrows(Webhooks.Refused.class, () -> verify(github,
                Map.of("X-Hub-Signature-256", "sha256=" + hex(NEW, "", noId)), noId));
        assertEquals(400, nothing.status());
        assertThat(nothing.getMessage(), containsString("no record id at 'data.id'"));
        byte[] many = "{\"data\": [{\"id\": 1}, {\"id\": 2}]}".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("1", "2"), verify(github, Map.of("X-Hub-Signature-256", "sha256=" + hex(NEW, "", many)), many).recordIds());
        byte[] big = ("{\"pad\": \"" + "x".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertEquals(413, assertThrows(Webhooks.Refused.class, () -> verify(github, Map.of(), big)).status(), "too big, before the signature");
    }
}
