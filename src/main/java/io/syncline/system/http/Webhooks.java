package io.syncline.system.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.syncline.system.SynclineConfig;
import io.syncline.value.Values;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhooks an API sends: their signature checked by the API's scheme against each of its secrets
 * (two during a rotation) in constant time, a replayed timestamp refused, and the delivery's id and
 * record ids read from it. Nothing here stores anything: a delivery that is refused leaves no trace.
 */
public final class Webhooks {

    /** A delivery whose signature holds: its id (the scheme's, or its content's hash) and the ids of the records it names. */
    public record Delivery(String id, List<String> recordIds) {
    }

    /** A delivery refused, with the HTTP status to answer and what is wrong (no secret, no signature in it). */
    public static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final String system;
    private final SynclineConfig.Webhook config;
    private final String scheme;
    private final List<byte[]> keys = new ArrayList<>();
    private final int maxBody;
    private final Duration tolerance;

    Webhooks(String system, SynclineConfig.Webhook config) {
        this.system = system;
        this.config = config;
        this.scheme = config.scheme().toLowerCase(Locale.ROOT);
        this.maxBody = config.maxBody().orElse(1_048_576);
        this.tolerance = config.tolerance().orElse(Duration.ofMinutes(5));
        if (!List.of("github", "stripe", "standard", "hmac").contains(scheme)) {
            throw new IllegalStateException("system '" + system + "': webhook scheme '" + config.scheme() + "' is not one of github, stripe, standard, hmac");
        }
        for (String secret : config.secrets()) {
            String s = secret.trim();
            if (s.isEmpty()) {
                continue;
            }
            // Standard Webhooks' secrets are base64, written with a whsec_ prefix
            keys.add(scheme.equals("standard") ? Base64.getDecoder().decode(s.startsWith("whsec_") ? s.substring(6) : s) : s.getBytes(StandardCharsets.UTF_8));
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException("system '" + system + "': webhook secrets are missing: set SYNCLINE_SYSTEMS_" + system.toUpperCase(Locale.ROOT)
                    + "_WEBHOOK_SECRETS");
        }
    }

    /**
     * Checks a delivery and reads it.
     *
     * @param header   a request header by name (any case), or null
     * @param recordsAt where the records (or their ids) are in the body, null for the body itself
     * @param idField  the path of a record's id within a record
     * @throws Refused 413 over the size limit, 401 without a valid signature or with a timestamp out of tolerance,
     *                 400 for a body that is not JSON or names no record
     */
    public Delivery verify(Function<String, String> header, byte[] body, String recordsAt, String idField) {
        if (body.length > maxBody) {
            throw new Refused(413, "the body has " + body.length + " bytes; at most " + maxBody + " are taken");
        }
        String deliveryId = switch (scheme) {
            case "github" -> {
                String signature = required(header, "X-Hub-Signature-256");
                if (!signature.startsWith("sha256=") || !matchesAny(hex(signature.substring(7)), body, null)) {
                    throw wrongSignature();
                }
                yield header.apply(config.deliveryHeader().orElse("X-GitHub-Delivery"));
            }
            case "stripe" -> {
                String timestamp = null;
                List<byte[]> signatures = new ArrayList<>();
                for (String part : required(header, "Stripe-Signature").split(",")) {
                    String p = part.trim();
                    if (p.startsWith("t=")) {
                        timestamp = p.substring(2);
                    } else if (p.startsWith("v1=")) {
                        signatures.add(hex(p.substring(3)));
                    }
                }
                if (timestamp == null || signatures.isEmpty()) {
                    throw new Refused(401, "Stripe-Signature lacks t= or v1=");
                }
                checkTimestamp(timestamp);
                byte[] signed = (timestamp + ".").getBytes(StandardCharsets.UTF_8);
                if (signatures.stream().noneMatch(s -> matchesAny(s, body, signed))) {
                    throw wrongSignature();
                }
                yield config.deliveryHeader().map(header).orElse(null);
            }
            case "standard" -> {
                String id = required(header, "webhook-id");
                String timestamp = required(header, "webhook-timestamp");
                checkTimestamp(timestamp);
                byte[] signed = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
                boolean valid = false;
                for (String entry : required(header, "webhook-signature").split(" ")) {
                    if (entry.startsWith("v1,") && matchesAny(base64(entry.substring(3)), body, signed)) {
                        valid = true;
                    }
                }
                if (!valid) {
                    throw wrongSignature();
                }
                yield id;
            }
            default -> {
                String signature = required(header, config.header().orElse("X-Signature"));
                String value = signature.startsWith("sha256=") ? signature.substring(7) : signature;
                if (!matchesAny(config.encoding().orElse("hex").equalsIgnoreCase("base64") ? base64(value) : hex(value), body, null)) {
                    throw wrongSignature();
                }
                yield config.deliveryHeader().map(header).orElse(null);
            }
        };
        JsonNode json;
        try {
            json = HttpSystem.JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Refused(400, "the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Refused(400, "the body cannot be read: " + e.getMessage());
        }
        if (json == null || json.isMissingNode()) {
            throw new Refused(400, "the body is empty");
        }
        if (deliveryId == null || deliveryId.isBlank()) {
            deliveryId = scheme.equals("stripe") && json.hasNonNull("id") ? json.get("id").asText() : "sha256:" + contentHash(body);
        }
        return new Delivery(deliveryId, recordIds(json, recordsAt, idField));
    }

    private static List<String> recordIds(JsonNode json, String recordsAt, String idField) {
        JsonNode records = recordsAt == null || recordsAt.isBlank() ? json : ApiCollection.at(json, recordsAt.split("\\."));
        List<String> ids = new ArrayList<>();
        if (records != null && records.isArray()) {
            records.forEach(r -> ids.add(recordId(r, idField)));
        } else if (records != null) {
            ids.add(recordId(records, idField));
        }
        if (ids.isEmpty() || ids.contains(null)) {
            throw new Refused(400, "no record id at '" + (recordsAt == null ? "" : recordsAt + ".") + idField + "' in the body");
        }
        return ids;
    }

    private static String recordId(JsonNode record, String idField) {
        if (record.isValueNode()) {
            return record.asText();
        }
        JsonNode id = ApiCollection.at(record, idField.split("\\."));
        return id == null || id.isNull() || !id.isValueNode() ? null : id.asText();
    }

    private void checkTimestamp(String timestamp) {
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new Refused(401, "the signed timestamp '" + timestamp + "' is not in seconds");
        }
        Duration age;
        try {
            age = Duration.between(Instant.ofEpochSecond(seconds), Instant.now()).abs();
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw new Refused(401, "the signed timestamp '" + timestamp + "' is not a time");
        }
        if (age.compareTo(tolerance) > 0) {
            throw new Refused(401, "the signed timestamp is " + age.toSeconds() + " s away from now; at most " + tolerance.toSeconds()
                    + " s are taken (a replay, or a clock that is wrong)");
        }
    }

    /** Whether {@code signature} is the HMAC-SHA256 of {@code prefix + body} under one of the secrets, compared in constant time. */
    private boolean matchesAny(byte[] signature, byte[] body, byte[] prefix) {
        if (signature == null) {
            return false;
        }
        boolean matched = false;
        for (byte[] key : keys) {
            matched |= MessageDigest.isEqual(hmac(key, prefix, body), signature);
        }
        return matched;
    }

    static byte[] hmac(byte[] key, byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            if (prefix != null) {
                mac.update(prefix);
            }
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static String contentHash(byte[] body) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Values.sha256(body));
    }

    private static String required(Function<String, String> header, String name) {
        String value = header.apply(name);
        if (value == null || value.isBlank()) {
            throw new Refused(401, "the " + name + " header is missing");
        }
        return value.trim();
    }

    private Refused wrongSignature() {
        return new Refused(401, "the signature does not match (system '" + system + "', scheme " + scheme + ")");
    }

    private static byte[] hex(String text) {
        try {
            return HexFormat.of().parseHex(text.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] base64(String text) {
        try {
            return Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static Optional<Webhooks> of(String system, Optional<SynclineConfig.Webhook> config) {
        return config.map(c -> new Webhooks(system, c));
    }
}
