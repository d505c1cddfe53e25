package io.syncline.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Points the systems {@code crm} and {@code helpdesk} of the pairs in {@code routes/} at a real
 * PostgreSQL and a real MariaDB. The databases are created and seeded once per test run; a
 * restarted application (another test profile) finds them, and its state store, as they were.
 */
public class RealDatabases implements QuarkusTestResourceLifecycleManager {

    public static final Path STATE_DIR = Path.of("target", "test-state");
    private static final String RUN_MARKER = "embedded-test-databases";
    private static Map<String, String> config;

    @Override
    public synchronized Map<String, String> start() {
        return configuration();
    }

    /**
     * Quarkus loads test classes again for every application start, so the "once per run" memory
     * is kept in a system property rather than a static field.
     */
    public static synchronized Map<String, String> configuration() {
        if (config == null && System.getProperty(RUN_MARKER) != null) {
            config = withTracker(Map.of(
                    "syncline.systems.crm.url", System.getProperty(RUN_MARKER + ".crm"),
                    "syncline.systems.crm.username", "postgres",
                    "syncline.systems.helpdesk.url", System.getProperty(RUN_MARKER + ".helpdesk"),
                    "syncline.systems.helpdesk.username", "root",
                    "syncline.state.url", stateUrl()));
        }
        if (config == null) {
            try {
                deleteStateStore();
                EmbeddedDatabases dbs = EmbeddedDatabases.get();
                String crm = dbs.postgresDatabase("crm", "crm-postgresql.sql");
                String helpdesk = dbs.mariaDbDatabase("helpdesk", "helpdesk-mariadb.sql");
                System.setProperty(RUN_MARKER + ".billing", dbs.mariaDbDatabase("billing", "billing-mariadb.sql"));
                System.setProperty(RUN_MARKER + ".marketing", dbs.postgresDatabase("marketing", "marketing-postgresql.sql"));
                System.setProperty(RUN_MARKER + ".state.postgresql", dbs.postgresDatabase("syncline_state", null));
                System.setProperty(RUN_MARKER + ".state.mariadb", dbs.mariaDbDatabase("syncline_state", null));
                System.setProperty(RUN_MARKER + ".tracker", "http://127.0.0.1:" + FakeTrackerApi.start().port());
                config = withTracker(Map.of(
                        "syncline.systems.crm.url", crm,
                        "syncline.systems.crm.username", "postgres",
                        "syncline.systems.helpdesk.url", helpdesk,
                        "syncline.systems.helpdesk.username", "root",
                        "syncline.state.url", stateUrl()));
                System.setProperty(RUN_MARKER + ".crm", crm);
                System.setProperty(RUN_MARKER + ".helpdesk", helpdesk);
                System.setProperty(RUN_MARKER, "started");
            } catch (Exception e) {
                throw new IllegalStateException("test databases: " + e.getMessage(), e);
            }
        }
        return config;
    }

    /**
     * The settings of a state store on the run's PostgreSQL or MariaDB server ({@code postgresql}, {@code mariadb}): an empty
     * database, created once per run, that the application migrates as it starts. Its URL is a reference to a setting of
     * this resource: a test profile may not start the databases itself (the drivers it loaded would not be the application's).
     */
    public static Map<String, String> stateStore(String database) {
        return Map.of("syncline.state.url", "${" + STATE_STORES + database + "}",
                "syncline.state.username", database.equals("postgresql") ? "postgres" : "root");
    }

    private static final String STATE_STORES = "syncline-test.state-store.";

    /** The tracker's base URL (its API under /api): a {@link FakeTrackerApi} started once per test run. */
    public static String trackerBase() {
        configuration();
        return System.getProperty(RUN_MARKER + ".tracker");
    }

    /**
     * The system {@code tracker}, an HTTP API, with its collections as the test pairs use them: stories read by
     * page number and a changed-since filter, notes written (found by external_id) and read by Link header, releases
     * taken by webhook (GitHub-style signatures, two secrets during a rotation) with a cursor-token poll as the safety net,
     * bugs read and written by the two-way pair {@code bugs}, labels read whole on every poll (no change marker declared).
     */
    private static Map<String, String> withTracker(Map<String, String> databases) {
        Map<String, String> all = new java.util.TreeMap<>(databases);
        // the two systems that only the topology tests' pairs use, besides the CRM and the help desk
        all.put("syncline.systems.billing.url", System.getProperty(RUN_MARKER + ".billing"));
        all.put("syncline.systems.billing.username", "root");
        all.put("syncline.systems.marketing.url", System.getProperty(RUN_MARKER + ".marketing"));
        all.put("syncline.systems.marketing.username", "postgres");
        for (String database : new String[] {"postgresql", "mariadb"}) { // for the state store tests' own applications
            all.put(STATE_STORES + database, System.getProperty(RUN_MARKER + ".state." + database));
        }
        String tracker = "syncline.systems.tracker.";
        all.put(tracker + "url", System.getProperty(RUN_MARKER + ".tracker") + "/api");
        all.put(tracker + "auth", "bearer");
        all.put(tracker + "token", FakeTrackerApi.TOKEN);
        all.put(tracker + "requests-per-second", String.valueOf(TRACKER_BUDGET));
        all.put(tracker + "entities.stories.path", "/stories");
        all.put(tracker + "entities.stories.records", "data");
        all.put(tracker + "entities.stories.fields", "id:integer, title, status, points:integer, owner.email, tags:list, updated_at:instant");
        all.put(tracker + "entities.stories.changed-since", "updated_since");
        all.put(tracker + "entities.stories.pagination", "page");
        all.put(tracker + "entities.stories.size-param", "per_page");
        all.put(tracker + "entities.stories.page-size", "50");
        all.put(tracker + "entities.notes.path", "/notes");
        all.put(tracker + "entities.notes.records", "data");
        all.put(tracker + "entities.notes.fields", "id:integer, external_id:integer, title, content.text, content.format, updated_at:instant");
        all.put(tracker + "entities.notes.pagination", "link");
        all.put(tracker + "entities.notes.update", "patch");
        all.put(tracker + "entities.memos.path", "/memos"); // written with PUT; archived when their draft is deleted
        all.put(tracker + "entities.memos.records", "data");
        all.put(tracker + "entities.memos.fields", "id:integer, external_id:integer, title, status, updated_at:instant");
        all.put(tracker + "entities.memos.pagination", "link");
        all.put(tracker + "entities.memos.update", "put");
        all.put(tracker + "entities.releases.path", "/releases");
        all.put(tracker + "entities.releases.records", "data");
        all.put(tracker + "entities.releases.fields", "id:integer, name, state, updated_at:instant");
        all.put(tracker + "entities.releases.changed-since", "updated_since");
        all.put(tracker + "entities.releases.pagination", "cursor");
        all.put(tracker + "entities.releases.webhook-records", "data");
        all.put(tracker + "entities.bugs.path", "/bugs"); // side b of the two-way pair "bugs"
        all.put(tracker + "entities.bugs.records", "data");
        all.put(tracker + "entities.bugs.fields", "id:integer, ref, title, status, severity:integer, updated_at:instant");
        all.put(tracker + "entities.bugs.changed-since", "updated_since");
        all.put(tracker + "entities.bugs.pagination", "page");
        all.put(tracker + "entities.bugs.size-param", "per_page");
        all.put(tracker + "entities.bugs.page-size", "50");
        all.put(tracker + "entities.bugs.update", "patch");
        all.put(tracker + "entities.bugs.webhook-records", "data");
        all.put(tracker + "entities.labels.path", "/labels"); // read whole by the pair "labels": no change marker declared
        all.put(tracker + "entities.labels.records", "data");
        all.put(tracker + "entities.labels.fields", "id:integer, name, color");
        all.put(tracker + "entities.labels.pagination", "page");
        all.put(tracker + "entities.labels.size-param", "per_page");
        all.put(tracker + "entities.labels.page-size", "50");
        all.put(tracker + "webhook.scheme", "github");
        all.put(tracker + "webhook.secrets", TRACKER_OLD_WEBHOOK_SECRET + "," + TRACKER_WEBHOOK_SECRET); // a rotation under way
        return Map.copyOf(all);
    }

    /** The secrets the tracker signs its webhooks with: the one it uses now, and the one before it, still taken. */
    public static final String TRACKER_WEBHOOK_SECRET = "tracker-webhook-secret";
    public static final String TRACKER_OLD_WEBHOOK_SECRET = "tracker-webhook-secret-2025";

    /** The tracker's request budget (requests per second) in the tests. */
    public static final int TRACKER_BUDGET = 20;

    private static String stateUrl() {
        return "jdbc:h2:file:./" + STATE_DIR.resolve("syncline") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    private static void deleteStateStore() throws IOException {
        if (Files.exists(STATE_DIR)) {
            try (Stream<Path> files = Files.walk(STATE_DIR)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    @Override
    public void stop() {
        // the servers live for the whole test run; a JVM shutdown hook stops them
    }
}
