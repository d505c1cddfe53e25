package io.syncline.system.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.system.Entity;
import io.syncline.system.ExternalSystem;
import io.syncline.system.SynclineConfig;
import io.syncline.system.SystemException;
import io.syncline.system.Table;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Producer;
import org.apache.camel.component.http.HttpComponent;

/**
 * One named HTTP API: its base URL, how Syncline signs in, the request budget every pair that uses it
 * shares, and the retry rules of every request, sent through Camel's HTTP component: timeouts and 5xx are tried again with exponential
 * backoff and jitter, a 429 waits what {@code Retry-After} says. Its collections are declared in
 * configuration ({@link SynclineConfig.Collection}); each is read and written by an {@link HttpEntity}.
 */
public final class HttpSystem implements ExternalSystem {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The longest a {@code Retry-After} is waited; a longer one fails the call (it is tried again with the next poll). */
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(2);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final String name;
    private final String url;
    private final SynclineConfig.Connection config;
    private final Map<String, SynclineConfig.Collection> collections = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final HttpComponent component;
    private final Endpoint endpoint;
    private final Producer http;
    private final RequestBudget budget;
    private final OAuth2Token oauth2;
    private final Optional<Webhooks> webhooks;

    /**
     * @param camel the Camel context whose HTTP component ({@code camel-http}, Apache HttpClient) carries the requests:
     *              one component per system, with the system's timeouts
     */
    public HttpSystem(String name, SynclineConfig.Connection config, CamelContext camel) {
        this.name = name;
        this.url = config.url().endsWith("/") ? config.url().substring(0, config.url().length() - 1) : config.url();
        this.config = config;
        this.collections.putAll(config.entities());
        this.budget = new RequestBudget(config.requestsPerSecond().orElse(0d));
        String auth = config.auth().toLowerCase(Locale.ROOT);
        if (!List.of("none", "bearer", "basic", "api-key", "oauth2").contains(auth)) {
            throw new IllegalStateException("system '" + name + "': auth '" + config.auth() + "' is not one of none, bearer, basic, api-key, oauth2");
        }
        if ((auth.equals("bearer") || auth.equals("api-key")) && config.token().isEmpty()) {
            throw new IllegalStateException("system '" + name + "': auth=" + auth + " needs a token: set SYNCLINE_SYSTEMS_"
                    + name.toUpperCase(Locale.ROOT) + "_TOKEN");
        }
        if ((auth.equals("basic") || auth.equals("oauth2")) && (config.username().isEmpty() || config.password().isEmpty())) {
            throw new IllegalStateException("system '" + name + "': auth=" + auth + " needs a username and a password (SYNCLINE_SYSTEMS_"
                    + name.toUpperCase(Locale.ROOT) + "_PASSWORD)");
        }
        if (auth.equals("oauth2") && config.tokenUrl().isEmpty()) {
            throw new IllegalStateException("system '" + name + "': auth=oauth2 needs token-url, the token endpoint of the client-credentials grant");
        }
        this.webhooks = Webhooks.of(name, config.webhook());
        this.oauth2 = auth.equals("oauth2") ? new OAuth2Token(this, config.tokenUrl().get(), config.username().get(), config.password().get(),
                config.scope().orElse(null)) : null;
        HttpComponent component = new HttpComponent();
        component.setCamelContext(camel);
        component.setConnectTimeout(config.connectTimeout().toMillis());
        component.setResponseTimeout(config.readTimeout().toMillis());
        component.setSoTimeout(config.readTimeout().toMillis());
        component.start();
        this.component = component;
        try {
            // the requests' URIs are set per exchange; the endpoint carries the component's options and no secret
            this.endpoint = component.createEndpoint(url + "?throwExceptionOnFailure=false&followRedirects=true");
            this.http = endpoint.createProducer();
            this.http.start();
        } catch (Exception e) {
            throw new IllegalStateException("system '" + name + "': url '" + url + "' is not an HTTP URL Camel can call: " + e.getMessage(), e);
        }
    }

    public static boolean isHttp(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        return u.startsWith("http://") || u.startsWith("https://");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public String entityKind() {
        return "collection";
    }

    @Override
    public boolean transactional() {
        return false;
    }

    @Override
    public boolean stamps() {
        return false;
    }

    @Override
    public boolean stampsVersions() {
        return false;
    }

    /**
     * The collection's declared fields as a table; the collection is read once (one record) so that a wrong
     * path or credentials are reported at start-up, and an API that does not answer makes the pairs wait.
     */
    @Override
    public Optional<Table> table(String entity) {
        SynclineConfig.Collection collection = collections.get(entity);
        if (collection == null) {
            return Optional.empty();
        }
        ApiCollection described = ApiCollection.of(name, entity, collection);
        Response answer = send(ApiRequest.get(described.readUri(url, Map.of(), 1)), true);
        if (answer.status() == 404) {
            throw new SystemException("collection '" + entity + "' at " + collection.path() + " answered " + answer.describe(), null);
        }
        if (!answer.ok()) {
            throw new SystemException("reading collection '" + entity + "': " + answer.describe(), null);
        }
        described.records(answer.json()); // the records are where the configuration says
        return Optional.of(described.table());
    }

    /**
     * Checks and reads a webhook the API sent about a collection's records.
     *
     * @throws Webhooks.Refused with the status to answer
     */
    public Webhooks.Delivery receive(String entity, java.util.function.Function<String, String> header, byte[] body) {
        SynclineConfig.Collection collection = collections.get(entity);
        if (webhooks.isEmpty()) {
            throw new Webhooks.Refused(404, "system '" + name + "' has no webhook settings (syncline.systems." + name + ".webhook.scheme, .secrets)");
        }
        if (collection == null) {
            throw new Webhooks.Refused(404, "system '" + name + "' has no collection '" + entity + "'");
        }
        return webhooks.get().verify(header, body, collection.webhookRecords().orElse(null), collection.id());
    }

    /** Whether the API's webhooks can be taken: its scheme and secrets are configured. */
    public boolean takesWebhooks() {
        return webhooks.isPresent();
    }

    @Override
    public Entity entity(String reference, Table table, Table.Column key, Table.Column marker, List<String> columns,
            List<Table.Column> written, Table.Column stamp, String upsertKey, boolean givesIds) {
        String entity = reference.substring(reference.indexOf('.') + 1);
        return new HttpEntity(reference, this, ApiCollection.of(name, entity, collections.get(entity)), table, key, marker, written, upsertKey);
    }

    int maxAttempts() {
        return config.maxAttempts();
    }

    /** What an API answered. */
    record Response(int status, String body, Map<String, List<String>> headers) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        Optional<String> header(String header) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(header)).flatMap(e -> e.getValue().stream()).findFirst();
        }

        JsonNode json() {
            try {
                return body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new SystemException("the answer is not JSON: " + trimmed(), e);
            }
        }

        /** "HTTP 422: {body, trimmed}": the status and what the API said about it. */
        String describe() {
            return "HTTP " + status + (body.isBlank() ? "" : ": " + trimmed());
        }

        private String trimmed() {
            String oneLine = body.strip().replaceAll("\\s+", " ");
            return oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine;
        }
    }

    /**
     * Sends a request within the request budget, signed in, and tries it again on a timeout, a 5xx or a
     * 429; returns the last answer (a 4xx is the caller's to judge).
     *
     * @param idempotent whether the request may be sent again after the API may have acted on it (a GET,
     *                   PUT, PATCH or DELETE); a POST is sent again only when the API cannot have acted on it
     *                   (no connection, 429, 503)
     * @throws SystemException when the API does not answer, or keeps failing, after the attempts
     */
    Response send(ApiRequest request, boolean idempotent) {
        request.header("Accept", "application/json");
        Duration backoff = FIRST_BACKOFF;
        boolean refreshedToken = false;
        for (int attempt = 1;; attempt++) {
            budget.take();
            Response answer;
            try {
                sign(request);
                answer = exchange(request);
            } catch (IOException e) {
                boolean notSent = e instanceof ConnectException || e instanceof org.apache.hc.client5.http.ConnectTimeoutException;
                if (attempt >= config.maxAttempts() || !(idempotent || notSent)) {
                    throw new SystemException("system '" + name + "' does not answer: " + e, e);
                }
                backoff = pause(backoff);
                continue;
            }
            if (answer.status() == 401 && oauth2 != null && !refreshedToken) {
                oauth2.expire(); // a token revoked or expired early: ask for a new one, once
                refreshedToken = true;
                attempt--;
                continue;
            }
            boolean again = answer.status() == 429 || answer.status() == 503
                    || idempotent && (answer.status() >= 500 || answer.status() == 408);
            if (!again) {
                return answer;
            }
            if (attempt >= config.maxAttempts()) {
                throw new SystemException("system '" + name + "' answered " + answer.describe() + " " + attempt + " times", unavailable(answer));
            }
            Optional<Duration> retryAfter = answer.header("Retry-After").map(HttpSystem::retryAfter);
            if (retryAfter.isPresent() && retryAfter.get().compareTo(MAX_RETRY_AFTER) > 0) {
                throw new SystemException("system '" + name + "' asks to wait " + retryAfter.get().toSeconds() + " s (Retry-After)", unavailable(answer));
            }
            if (retryAfter.isPresent()) {
                sleep(retryAfter.get());
            } else {
                backoff = pause(backoff);
            }
        }
    }

    /**
     * One exchange with the API through Camel's HTTP component: the request's method, URI, headers and body out,
     * the status, headers and body back, whatever the status.
     *
     * @throws IOException when no answer came (no connection, a timeout)
     */
    private Response exchange(ApiRequest request) throws IOException {
        Exchange done = endpoint.createExchange();
        Message out = done.getMessage();
        out.setHeader(Exchange.HTTP_METHOD, request.method());
        out.setHeader(Exchange.HTTP_URI, request.uri().toString());
        request.headers().forEach(out::setHeader);
        out.setBody(request.body());
        try {
            http.process(done); // the producer itself: pairs are validated (and their APIs read) before the Camel context has started
        } catch (Exception e) {
            done.setException(e);
        }
        Exception failed = done.getException();
        if (failed instanceof IOException io) {
            throw io;
        }
        if (failed != null) {
            throw new SystemException("system '" + name + "': " + request.method() + " " + request.uri().getPath() + " failed: " + failed, failed);
        }
        Message answer = done.getMessage();
        Integer status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String body = answer.getBody(String.class);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        answer.getHeaders().forEach((header, value) -> { // the answer's own headers: not Camel's, not those the request carried
            if (!header.startsWith("Camel") && value != null && request.headers().keySet().stream().noneMatch(header::equalsIgnoreCase)) {
                headers.put(header, value instanceof List<?> values ? values.stream().map(String::valueOf).toList() : List.of(value.toString()));
            }
        });
        return new Response(status == null ? 0 : status, body == null ? "" : body, headers);
    }

    /** An API that keeps answering 5xx or 429 is down or overloaded for now: the pair waits for it, as for a database that does not answer. */
    private static java.util.concurrent.TimeoutException unavailable(Response answer) {
        return new java.util.concurrent.TimeoutException("HTTP " + answer.status());
    }

    private void sign(ApiRequest request) {
        switch (config.auth().toLowerCase(Locale.ROOT)) {
            case "bearer" -> request.header("Authorization", "Bearer " + config.token().orElseThrow());
            case "api-key" -> request.header(config.apiKeyHeader(), config.token().orElseThrow());
            case "basic" -> request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (config.username().orElseThrow() + ":" + config.password().orElseThrow()).getBytes(StandardCharsets.UTF_8)));
            case "oauth2" -> request.header("Authorization", "Bearer " + oauth2.get());
            default -> {
            }
        }
    }

    /** Sends a request as it is, once, without signing it (the OAuth2 token request). */
    Response sendUnsigned(ApiRequest request) {
        budget.take();
        try {
            return exchange(request);
        } catch (IOException e) {
            throw new SystemException("system '" + name + "': the token endpoint does not answer: " + e, e);
        }
    }

    /** Waits between half and all of {@code backoff} (equal jitter); returns the next backoff, twice as long up to a limit. */
    private static Duration pause(Duration backoff) {
        sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2, backoff.toMillis() + 1)));
        Duration next = backoff.multipliedBy(2);
        return next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemException("interrupted while waiting to call an API again", e);
        }
    }

    /** A {@code Retry-After} value: seconds, or an HTTP date. */
    static Duration retryAfter(String value) {
        String v = value.trim();
        if (v.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Duration until = Duration.between(Instant.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return FIRST_BACKOFF;
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static URI uri(String url) {
        return URI.create(url);
    }

    @Override
    public void close() {
        http.stop();
        component.stop();
    }

    @Override
    public String toString() {
        return name + " (HTTP)";
    }
}
