package io.syncline.system;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Syncline's typed configuration: the systems it syncs, and its own state store. */
@ConfigMapping(prefix = "syncline")
public interface SynclineConfig {

    /** The systems, by name: {@code syncline.systems.crm.url=jdbc:postgresql://...}. */
    Map<String, Connection> systems();

    /** Syncline's own database: links, cursors, dead letters. */
    State state();

    /**
     * Where Syncline keeps its files: the default state store and the demo's databases ({@code ./data}, set in
     * application.properties, whose default URLs name it as {@code ${syncline.data-dir}}).
     */
    @io.smallrye.config.WithName("data-dir")
    String dataDir();

    /** The embedded demo's users, who edit records so that a newcomer sees them move. */
    Demo demo();

    /**
     * Validation mode, for the pipelines of those who write pairs: the pair files are checked against the configured
     * systems, the problems listed, and the server exits (0: all valid, 1: problems) without starting any route.
     */
    @io.smallrye.config.WithName("validate-only")
    @WithDefault("false")
    boolean validateOnly();

    /** Record history (two-way pairs): how long the decisions about each record are kept. */
    History history();

    interface History {
        /** How long an entry is kept, e.g. {@code 30d}, {@code 72h}. */
        @WithDefault("30d")
        Duration keep();
    }

    /** For tests only: commit points where a window's apply fails once, {@code pair:point}, e.g. {@code people:before-sides-commit}. */
    Optional<List<String>> faults();

    interface Demo {
        @WithDefault("false")
        boolean enabled();
    }

    /** The state store: a database, which one server uses at a time. */
    interface State extends Connection {
        /**
         * How long a server that starts waits for another that holds the state store to stop (a rolling update), before it
         * stops with an error that names the other.
         */
        @io.smallrye.config.WithName("lock-wait")
        @WithDefault("2m")
        Duration lockWait();
    }

    /**
     * A system: a database ({@code jdbc:...} URL) or an HTTP API ({@code http(s)://...} base URL, its
     * entities declared under {@code entities}).
     */
    interface Connection {
        String url();

        /** A database's user; an HTTP API's user for {@code auth=basic}, or the client id for {@code auth=oauth2}. */
        Optional<String> username();

        /** Give it through the environment, e.g. SYNCLINE_SYSTEMS_CRM_PASSWORD; never in a committed file. */
        Optional<String> password();

        @WithDefault("8")
        int maxConnections();

        /** HTTP: how Syncline signs in: none, bearer (token), basic (username, password), api-key (token in apiKeyHeader), oauth2. */
        @WithDefault("none")
        String auth();

        /** HTTP: the bearer token or API key; from the environment, e.g. SYNCLINE_SYSTEMS_TRACKER_TOKEN. */
        Optional<String> token();

        @WithDefault("X-API-Key")
        String apiKeyHeader();

        /** HTTP, auth=oauth2: the token endpoint of the client-credentials grant (username = client id, password = secret). */
        Optional<String> tokenUrl();

        /** HTTP, auth=oauth2: the scopes asked for, space separated. */
        Optional<String> scope();

        @WithDefault("5s")
        Duration connectTimeout();

        @WithDefault("30s")
        Duration readTimeout();

        /** HTTP: the request budget, shared by every pair that uses the system; unlimited when absent. */
        Optional<Double> requestsPerSecond();

        /** HTTP: attempts per request when the API times out, answers 5xx or 429 (with backoff and jitter) before the call fails. */
        @WithDefault("5")
        int maxAttempts();

        /** HTTP: the API's collections, by the name pairs use ({@code tracker.stories}). */
        Map<String, Collection> entities();

        /** HTTP: how the API signs the webhooks it sends (pairs take them with the {@code syncline-webhook} Kamelet). */
        Optional<Webhook> webhook();
    }

    /** How an API signs its webhooks, and what a delivery may be (no defaults here: an optional group with defaults is always present). */
    interface Webhook {
        /**
         * github ({@code X-Hub-Signature-256: sha256=<hex HMAC of the body>}), stripe ({@code Stripe-Signature: t=..,v1=..}
         * over {@code t.body}), standard (Standard Webhooks: {@code webhook-id}, {@code webhook-timestamp},
         * {@code webhook-signature}), or hmac (a hex or base64 HMAC-SHA256 of the body in {@code header}).
         */
        String scheme();

        /** The signing secrets, comma separated: two during a rotation. From the environment, SYNCLINE_SYSTEMS_<NAME>_WEBHOOK_SECRETS. */
        List<String> secrets();

        /** scheme=hmac: the header holding the signature (default X-Signature). */
        Optional<String> header();

        /** scheme=hmac: hex (default) or base64. */
        Optional<String> encoding();

        /** The header naming a delivery, so that a redelivery is applied once (each scheme has its own default); else its content does. */
        Optional<String> deliveryHeader();

        /** How old a signed timestamp may be (stripe, standard; default 5m): a replay is refused. */
        Optional<Duration> tolerance();

        /** The largest body taken, in bytes (default 1048576); a larger one is answered 413. */
        Optional<Integer> maxBody();
    }

    /** One collection of an HTTP API: where its records are and how it is read and written. */
    interface Collection {
        /** Relative to the system's URL, e.g. {@code /stories}; one record is {@code path/{id}}. */
        String path();

        /**
         * The fields, comma separated, each {@code name} (text) or {@code name:kind} with kind one of text, integer,
         * decimal, boolean, date, datetime (no zone), instant (with a zone or offset), list (an array of simple values);
         * nested fields by their path, e.g.
         * {@code owner.email}.
         */
        String fields();

        /** The field holding the record's id. */
        @WithDefault("id")
        String id();

        /** Where a page's records are in its JSON body, e.g. {@code data} or {@code result.items}; the body itself when absent. */
        Optional<String> records();

        /** The query parameter that asks for the records changed since a time (or version); every poll reads all when absent. */
        Optional<String> changedSince();

        /** How that parameter's value is written: iso (default), epoch-seconds, epoch-millis, or a date-time pattern (UTC). */
        @WithDefault("iso")
        String changedSinceFormat();

        /** none, page (a page number), offset, cursor (a token from the body), or link (the Link header's rel="next"). */
        @WithDefault("none")
        String pagination();

        @WithDefault("page")
        String pageParam();

        /** The first page's number (page), 0 or 1. */
        @WithDefault("1")
        int firstPage();

        @WithDefault("offset")
        String offsetParam();

        /** The parameter that sets the page size; none when absent. */
        Optional<String> sizeParam();

        @WithDefault("100")
        int pageSize();

        @WithDefault("cursor")
        String cursorParam();

        /** pagination=cursor: where the next page's token is in the body, e.g. {@code next_cursor} or {@code meta.next}. */
        @WithDefault("next_cursor")
        String nextCursor();

        /** Fixed query parameters added to every read of the collection, e.g. {@code sort=updated_at&order=asc}. */
        Optional<String> query();

        /**
         * Where a webhook's records are in its body (an object or an array; each record's id at the collection's id
         * field), or their ids (an array of ids), e.g. {@code data}; the body itself when absent.
         */
        Optional<String> webhookRecords();

        /** How a record is updated: put (the whole record) or patch (the fields the pair writes). */
        @WithDefault("put")
        String update();
    }
}
