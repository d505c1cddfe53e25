package io.syncline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * A project tracker's REST API, as a SaaS offers one, with its own data: collections of JSON records
 * ({@code /api/stories}, {@code /api/notes}, ...) with server-kept {@code id}, {@code version} and
 * {@code updated_at} (an offset time, as such APIs write it); a changed-since filter
 * ({@code updated_since}), filters by field, page-number pagination with {@code per_page} and a
 * {@code Link} header, cursor tokens ({@code cursor} / {@code next_cursor}); PUT, PATCH and DELETE (with
 * {@code If-Match} on the record's ETag: 412 when it changed), POST; a title longer than 120 characters refused
 * with 422, and the DELETE of a record whose {@code locked} is true with 409. It signs requests in with a bearer token or an OAuth2 client-credentials token.
 *
 * <p>Its faults and figures are set and read over HTTP, so that any class loader and any process
 * reach the same server: {@code POST /_control} ({@code failEvery}: every n-th API request answers
 * 500; {@code limit}: more than that many requests in a second answer 429 with {@code Retry-After: 1};
 * {@code down}: 503; {@code webhook}: a collection's changes sent, signed GitHub style, to a URL;
 * {@code dropWebhooks}: the next n lost in transit; {@code maxTitle}: the longest title taken; {@code editAfterListing}: a user's edit of a
 * record ({@code first}, at once and silent), then another applied just after a list page that holds it is served, before the next page is asked for; {@code raceNextWrite}: a user's edit
 * applied just before the next API write to a collection), {@code GET /_stats} (requests, the most in any one second, 429s and 500s sent,
 * writes, records served by lists (all, and per collection), list pages served per collection, records read one by one), {@code POST /_stats/reset}. Its users edit through {@code /_admin/{collection}}, which
 * neither counts nor fails.
 */
public final class FakeTrackerApi {

    public static final String TOKEN = "tracker-test-token";
    public static final String CLIENT_ID = "syncline";
    public static final String CLIENT_SECRET = "tracker-client-secret";
    private static final int MAX_TITLE = 120;
    private volatile int maxTitle = MAX_TITLE;
    /** Whether records are answered with an ETag and writes honour If-Match (some APIs have neither). */
    private volatile boolean etags = true;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final ZoneOffset ZONE = ZoneOffset.ofHours(1);
    private static final Set<String> RESERVED = Set.of("updated_since", "page", "per_page", "cursor", "offset", "sort");

    private record Stored(long id, Instant updated, ObjectNode json) {
    }

    private static final Comparator<Stored> CHANGE_ORDER = Comparator.comparing(Stored::updated).thenComparing(Stored::id);

    /** A collection's records by id, and by change (updated_at, then id) so that a list costs what it returns. */
    private static final class Records extends TreeMap<Long, Stored> {
        final java.util.TreeSet<Stored> byChange = new java.util.TreeSet<>(CHANGE_ORDER);

        @Override
        public Stored put(Long id, Stored stored) {
            Stored old = super.put(id, stored);
            if (old != null) {
                byChange.remove(old);
            }
            byChange.add(stored);
            return old;
        }

        @Override
        public Stored remove(Object id) {
            Stored old = super.remove(id);
            if (old != null) {
                byChange.remove(old);
            }
            return old;
        }

        @Override
        public void clear() {
            super.clear();
            byChange.clear();
        }
    }

    private final Map<String, Records> collections = new ConcurrentHashMap<>();
    private final Set<String> issuedTokens = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<Long> lastSecond = new ArrayDeque<>();
    private long nextId = 1;
    private Instant lastStamp = Instant.EPOCH;
    private long requests;
    private int maxPerSecond;
    private long tooMany;
    private long failures;
    private long writes;
    private long served;
    /** Records served by lists, per collection. */
    private final Map<String, Long> servedBy = new TreeMap<>();
    /** List pages served, per collection. */
    private final Map<String, Long> listedBy = new TreeMap<>();
    private long reads;
    private long preconditionFailed;
    /** A user's edit made just before the next API write to a collection (then forgotten): a race with Syncline's write. */
    private final Map<String, ObjectNode> raceNextWrite = new ConcurrentHashMap<>();
    /** Per collection, {"id": .., "fields": {..}}: a user's edit waiting for a list page that holds the record and has pages after it. */
    private final Map<String, JsonNode> editAfterListing = new ConcurrentHashMap<>();
    private long editsAfterListing;
    private int failEvery;
    private int limit;
    private boolean down;
    private final HttpServer server;
    /** Webhooks: by collection, where they go and the secret they are signed with (GitHub style). */
    private final Map<String, String[]> webhooks = new ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-tracker-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    private int dropWebhooks;
    private long webhooksSent;
    private final Map<Integer, Long> webhookAnswers = new TreeMap<>();

    private FakeTrackerApi(int port) throws IOException {
        // without it, each answer waits for the client's delayed ACK (about 40 ms): the API, not Syncline, would be measured
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-tracker-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on a free port; its base URL is {@code http://127.0.0.1:<port>}. */
    public static FakeTrackerApi start() throws IOException {
        return new FakeTrackerApi(0);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String[] parts = path.substring(1).split("/");
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String method = exchange.getRequestMethod();
            if (path.equals("/oauth/token") && method.equals("POST")) {
                token(exchange);
            } else if (path.startsWith("/_control")) {
                control(exchange);
            } else if (path.startsWith("/_stats")) {
                stats(exchange, path.endsWith("/reset"));
            } else if (parts[0].equals("_admin") && parts.length >= 2) {
                record(exchange, method, parts[1], parts.length > 2 ? parts[2] : null, query, false);
            } else if (parts[0].equals("api") && parts.length >= 2) {
                String refusal = admit(exchange);
                if (refusal == null) {
                    record(exchange, method, parts[1], parts.length > 2 ? parts[2] : null, query, true);
                }
            } else {
                send(exchange, 404, error("no such path " + path));
            }
        } catch (RuntimeException e) {
            send(exchange, 500, error(e.toString()));
        }
    }

    /** Counts an API request and applies the faults; returns why it was refused (the answer is sent), else null. */
    private String admit(HttpExchange exchange) throws IOException {
        int inLastSecond;
        boolean fail;
        boolean downNow;
        synchronized (this) {
            long now = System.nanoTime();
            lastSecond.addLast(now);
            while (!lastSecond.isEmpty() && now - lastSecond.peekFirst() >= 1_000_000_000L) {
                lastSecond.pollFirst();
            }
            inLastSecond = lastSecond.size();
            maxPerSecond = Math.max(maxPerSecond, inLastSecond);
            requests++;
            fail = failEvery > 0 && requests % failEvery == 0;
            downNow = down;
            if (limit > 0 && inLastSecond > limit) {
                tooMany++;
            } else if (fail || downNow) {
                failures++;
            }
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !(auth.equals("Bearer " + TOKEN) || auth.startsWith("Bearer ") && issuedTokens.contains(auth.substring(7)))) {
            send(exchange, 401, error("sign in with a bearer token"));
            return "unauthorized";
        }
        if (limit > 0 && inLastSecond > limit) {
            exchange.getResponseHeaders().add("Retry-After", "1");
            send(exchange, 429, error("rate limit: " + limit + " requests per second"));
            return "429";
        }
        if (downNow) {
            send(exchange, 503, error("down for maintenance"));
            return "503";
        }
        if (fail) {
            send(exchange, 500, error("internal server error"));
            return "500";
        }
        return null;
    }

    private void token(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!expected.equals(auth) || !form.contains("grant_type=client_credentials")) {
            send(exchange, 401, error("invalid_client"));
            return;
        }
        String token = UUID.randomUUID().toString();
        issuedTokens.add(token);
        ObjectNode body = JSON.createObjectNode().put("access_token", token).put("token_type", "Bearer").put("expires_in", 3600);
        send(exchange, 200, body);
    }

    private void control(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        synchronized (this) {
            if (body.has("failEvery")) {
                failEvery = body.get("failEvery").asInt();
            }
            if (body.has("limit")) {
                limit = body.get("limit").asInt();
            }
            if (body.has("down")) {
                down = body.get("down").asBoolean();
            }
            if (body.has("webhook")) { // {"collection": .., "url": .., "secret": ..}; url null stops them
                JsonNode hook = body.get("webhook");
                if (hook.path("url").isTextual()) {
                    webhooks.put(hook.get("collection").asText(), new String[] {hook.get("url").asText(), hook.get("secret").asText()});
                } else {
                    webhooks.remove(hook.get("collection").asText());
                }
            }
            if (body.has("maxTitle")) { // the API's rule changes (0: back to 120)
                maxTitle = body.get("maxTitle").asInt() > 0 ? body.get("maxTitle").asInt() : MAX_TITLE;
            }
            if (body.has("etags")) {
                etags(body.get("etags").asBoolean());
            }
            if (body.has("raceNextWrite")) { // {"collection": .., "fields": {..}}: a user's edit lands just before the next API write
                JsonNode race = body.get("raceNextWrite");
                raceNextWrite.put(race.get("collection").asText(), (ObjectNode) race.get("fields"));
            }
            if (body.has("editAfterListing")) { // {"collection": .., "id": .., "first": {..}, "fields": {..}}
                JsonNode edit = body.get("editAfterListing");
                String collection = edit.get("collection").asText();
                Records records = collections.computeIfAbsent(collection, c -> new Records());
                synchronized (records) { // no list page between the first edit and the one that waits
                    if (edit.has("first")) { // silent (updated_at kept): the record keeps its place in the list
                        Stored held = records.get(edit.get("id").asLong());
                        ObjectNode next = held.json().deepCopy();
                        edit.get("first").fields().forEachRemaining(f -> next.set(f.getKey(), f.getValue()));
                        records.put(held.id(), new Stored(held.id(), held.updated(), next));
                    }
                    editAfterListing.put(collection, edit);
                }
            }
            if (body.has("dropWebhooks")) {
                dropWebhooks = body.get("dropWebhooks").asInt();
            }
        }
        send(exchange, 204, null);
    }

    private synchronized void stats(HttpExchange exchange, boolean reset) throws IOException {
        if (reset) {
            requests = 0;
            maxPerSecond = 0;
            tooMany = 0;
            failures = 0;
            writes = 0;
            served = 0;
            servedBy.clear();
            listedBy.clear();
            reads = 0;
            webhooksSent = 0;
            preconditionFailed = 0;
            editsAfterListing = 0;
            webhookAnswers.clear();
            lastSecond.clear();
            send(exchange, 204, null);
            return;
        }
        ObjectNode stats = JSON.createObjectNode().put("requests", requests).put("maxPerSecond", maxPerSecond).put("tooMany", tooMany)
                .put("failures", failures).put("writes", writes).put("served", served).put("reads", reads)
                .put("preconditionFailed", preconditionFailed).put("webhooksSent", webhooksSent)
                .put("editsAfterListing", editsAfterListing);
        stats.set("servedBy", JSON.valueToTree(servedBy));
        stats.set("listedBy", JSON.valueToTree(listedBy));
        stats.set("webhookAnswers", JSON.valueToTree(webhookAnswers));
        send(exchange, 200, stats);
    }

    private void record(HttpExchange exchange, String method, String collection, String id, Map<String, String> query, boolean api)
            throws IOException {
        Records records = collections.computeIfAbsent(collection, c -> new Records());
        synchronized (records) {
            if (id == null && method.equals("GET")) {
                list(exchange, collection, records, query, api);
            } else if (id == null && method.equals("POST")) {
                JsonNode body = body(exchange);
                if (body == null) {
                    return;
                }
                String refusal = refusal(body);
                if (refusal != null) {
                    send(exchange, 422, error(refusal));
                    return;
                }
                long newId = body.has("id") && !api ? body.get("id").asLong() : nextId();
                Stored stored = stamp(newId, (ObjectNode) body, 1);
                records.put(newId, stored);
                written(api);
                changed(collection, newId);
                exchange.getResponseHeaders().add("Location", "/api/" + collection + "/" + newId);
                sendRecord(exchange, 201, stored);
            } else if (id == null && method.equals("DELETE") && !api) {
                records.clear();
                send(exchange, 204, null);
            } else if (id != null) {
                one(exchange, method, collection, records, Long.parseLong(id), api, !api && "true".equals(query.get("silent")));
            } else {
                send(exchange, 405, error(method + " not allowed"));
            }
        }
    }

    /** One record's request; {@code silent}: a user's change that leaves version and updated_at as they were (no poll sees it). */
    private void one(HttpExchange exchange, String method, String collection, Records records, long id, boolean api, boolean silent)
            throws IOException {
        if (api && !method.equals("GET") && records.containsKey(id)) {
            ObjectNode race = raceNextWrite.remove(collection);
            if (race != null) {
                update(collection, id, race);
            }
        }
        Stored stored = records.get(id);
        if (stored == null) {
            send(exchange, 404, error("no record " + id));
            return;
        }
        String etag = "\"" + stored.json().get("version").asLong() + "\"";
        String ifMatch = exchange.getRequestHeaders().getFirst("If-Match");
        if (etags && !method.equals("GET") && ifMatch != null && !ifMatch.equals(etag)) {
            synchronized (this) {
                preconditionFailed++;
            }
            send(exchange, 412, error("the record changed: its ETag is " + etag));
            return;
        }
        switch (method) {
            case "GET" -> {
                if (api) {
                    synchronized (this) {
                        reads++;
                    }
                }
                sendRecord(exchange, 200, stored);
            }
            case "DELETE" -> {
                if (stored.json().path("locked").asBoolean()) {
                    send(exchange, 409, error("record " + id + " is locked"));
                    return;
                }
                records.remove(id);
                written(api);
                send(exchange, 204, null);
            }
            case "PUT", "PATCH" -> {
                JsonNode body = body(exchange);
                if (body == null) {
                    return;
                }
                ObjectNode next = method.equals("PUT") ? JSON.createObjectNode() : stored.json().deepCopy();
                body.fields().forEachRemaining(f -> next.set(f.getKey(), f.getValue()));
                String refusal = refusal(next);
                if (refusal != null) {
                    send(exchange, 422, error(refusal));
                    return;
                }
                Stored updated = silent ? new Stored(id, stored.updated(), next) : stamp(id, next, stored.json().get("version").asLong() + 1);
                records.put(id, updated);
                written(api);
                changed(collection, id);
                sendRecord(exchange, 200, updated);
            }
            default -> send(exchange, 405, error(method + " not allowed"));
        }
    }

    private void list(HttpExchange exchange, String collection, Records records, Map<String, String> query, boolean api) throws IOException {
        Instant since = query.containsKey("updated_since") ? OffsetDateTime.parse(query.get("updated_since")).toInstant() : null;
        java.util.NavigableSet<Stored> changed = since == null ? records.byChange : records.byChange.tailSet(new Stored(Long.MIN_VALUE, since, null), true);
        if ("desc".equals(query.get("sort"))) {
            changed = changed.descendingSet();
        }
        List<Map.Entry<String, String>> byField = query.entrySet().stream().filter(q -> !RESERVED.contains(q.getKey())).toList();
        java.util.function.Predicate<Stored> filter = r -> byField.stream()
                .allMatch(q -> r.json().has(q.getKey()) && r.json().get(q.getKey()).asText().equals(q.getValue()));
        if (!api) {
            ArrayNode all = JSON.createArrayNode();
            changed.stream().filter(filter).forEach(r -> all.add(r.json()));
            send(exchange, 200, all);
            return;
        }
        int perPage = Math.min(100, Integer.parseInt(query.getOrDefault("per_page", "50")));
        int from = query.containsKey("cursor") ? Integer.parseInt(new String(Base64.getUrlDecoder().decode(query.get("cursor")), StandardCharsets.UTF_8))
                : query.containsKey("offset") ? Integer.parseInt(query.get("offset"))
                : (Integer.parseInt(query.getOrDefault("page", "1")) - 1) * perPage;
        List<Stored> page = changed.stream().filter(filter).skip(from).limit(perPage + 1L).collect(Collectors.toList());
        boolean more = page.size() > perPage;
        int to = from + Math.min(perPage, page.size());
        synchronized (this) {
            served += Math.min(perPage, page.size());
            servedBy.merge(collection, (long) Math.min(perPage, page.size()), Long::sum);
            listedBy.merge(collection, 1L, Long::sum);
        }
        ArrayNode data = JSON.createArrayNode();
        page.stream().limit(perPage).forEach(r -> data.add(r.json()));
        ObjectNode body = JSON.createObjectNode();
        body.set("data", data);
        if (more) {
            body.put("next_cursor", Base64.getUrlEncoder().encodeToString(String.valueOf(to).getBytes(StandardCharsets.UTF_8)));
            Map<String, String> next = new LinkedHashMap<>(query);
            next.remove("cursor");
            next.put("page", String.valueOf(from / perPage + 2));
            String link = next.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            exchange.getResponseHeaders().add("Link", "<" + exchange.getRequestURI().getRawPath() + "?" + link + ">; rel=\"next\"");
        } else {
            body.putNull("next_cursor");
        }
        JsonNode edit = editAfterListing.get(collection);
        if (api && more && edit != null && page.stream().limit(perPage).anyMatch(r -> r.id() == edit.get("id").asLong())) {
            editAfterListing.remove(collection);
            update(collection, edit.get("id").asLong(), (ObjectNode) edit.get("fields")); // it moves to the end: listed again
            synchronized (this) {
                editsAfterListing++;
            }
        }
        send(exchange, 200, body);
    }

    /** Creates a record as the tracker's users do (for tests in this class loader); returns it with its id, version and updated_at. */
    public JsonNode create(String collection, ObjectNode record) {
        Records records = collections.computeIfAbsent(collection, c -> new Records());
        synchronized (records) {
            Stored stored = stamp(nextId(), record.deepCopy(), 1);
            records.put(stored.id(), stored);
            changed(collection, stored.id());
            return stored.json();
        }
    }

    /** Changes a record as the tracker's users do (for tests in this class loader); returns it as it is now. */
    public JsonNode update(String collection, long id, ObjectNode fields) {
        Records records = collections.get(collection);
        synchronized (records) {
            ObjectNode next = records.get(id).json().deepCopy();
            fields.fields().forEachRemaining(f -> next.set(f.getKey(), f.getValue()));
            Stored stored = stamp(id, next, next.get("version").asLong() + 1);
            records.put(id, stored);
            changed(collection, id);
            return stored.json();
        }
    }

    /** A record as the API holds it, or null (for tests in this class loader). */
    public JsonNode find(String collection, long id) {
        Records records = collections.computeIfAbsent(collection, c -> new Records());
        synchronized (records) {
            Stored stored = records.get(id);
            return stored == null ? null : stored.json().deepCopy();
        }
    }

    private synchronized long nextId() {
        return nextId++;
    }

    private synchronized void written(boolean api) {
        if (api) {
            writes++;
        }
    }

    /** Sends the collection's webhook for a changed record, if one is set: a thin event naming the record, signed GitHub style. */
    private void changed(String collection, long id) {
        String[] hook = webhooks.get(collection);
        if (hook == null) {
            return;
        }
        synchronized (this) {
            if (dropWebhooks > 0) {
                dropWebhooks--; // lost in transit
                return;
            }
        }
        byte[] body = JSON.createObjectNode().put("event", collection + ".changed").set("data", JSON.createObjectNode().put("id", id))
                .toString().getBytes(StandardCharsets.UTF_8);
        sender.execute(() -> {
            try {
                javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
                mac.init(new javax.crypto.spec.SecretKeySpec(hook[1].getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                String signature = "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body));
                var answer = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(hook[0]))
                        .header("Content-Type", "application/json").header("X-Hub-Signature-256", signature)
                        .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                synchronized (this) {
                    webhooksSent++;
                    webhookAnswers.merge(answer.statusCode(), 1L, Long::sum);
                }
            } catch (Exception e) {
                synchronized (this) {
                    webhooksSent++;
                    webhookAnswers.merge(0, 1L, Long::sum);
                }
            }
        });
    }

    /** The record with its server-kept fields: id, version, and updated_at later than any before (micro-seconds, offset +01:00). */
    private Stored stamp(long id, ObjectNode json, long version) {
        Instant now;
        synchronized (this) {
            now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            if (!now.isAfter(lastStamp)) {
                now = lastStamp.plus(1, ChronoUnit.MICROS);
            }
            lastStamp = now;
            nextId = Math.max(nextId, id + 1);
        }
        json.put("id", id);
        json.put("version", version);
        json.put("updated_at", STAMP.format(now.atOffset(ZONE)));
        return new Stored(id, now, json);
    }

    private String refusal(JsonNode record) {
        JsonNode title = record.get("title");
        if (title != null && title.asText().length() > maxTitle) {
            return "title: at most " + maxTitle + " characters, got " + title.asText().length();
        }
        return null;
    }

    private static JsonNode body(HttpExchange exchange) throws IOException {
        try {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            if (body == null || !body.isObject()) {
                send(exchange, 400, error("the body must be a JSON object"));
                return null;
            }
            return body;
        } catch (IOException e) {
            send(exchange, 400, error("malformed JSON"));
            return null;
        }
    }

    /** Whether records carry ETags and writes honour If-Match; without, an API that offers no conditional writes. */
    public void etags(boolean on) {
        etags = on;
    }

    private void sendRecord(HttpExchange exchange, int status, Stored stored) throws IOException {
        if (etags) {
            exchange.getResponseHeaders().add("ETag", "\"" + stored.json().get("version").asLong() + "\"");
        }
        send(exchange, status, stored.json());
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(k, v);
            }
        }
        return params;
    }
}
