package io.syncline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.syncline.testing.EmbeddedDatabases;
import io.syncline.testing.FakeTrackerApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 9's polling benchmark (bench/run.sh http): 100,000 stories in a tracker API ({@link FakeTrackerApi},
 * real HTTP on this machine), read in pages of 100 into PostgreSQL. (a) The ceiling: a plain HTTP + JDBC copy
 * of the same pages (GET a page, parse it, one multi-row upsert, commit) in this process. (b) Syncline's full
 * load of them through the test pair {@code src/test/resources/routes/stories.yaml}, in a server process with
 * a 256 MB heap. Both pay for the same API, so the ratio is what Syncline adds.
 */
public final class HttpPollBenchmark {

    private static final int RECORDS = Integer.getInteger("bench.records", 100_000);
    private static final int PAGE = 100;
    private static final String HEAP = System.getProperty("bench.heap", "256m");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeTrackerApi api;
    private final String pgUrl;

    private HttpPollBenchmark() throws Exception {
        api = FakeTrackerApi.start();
        pgUrl = EmbeddedDatabases.get().postgresDatabase("bench_api", null);
    }

    public static void main(String[] args) throws Exception {
        try {
            new HttpPollBenchmark().run();
        } finally {
            EmbeddedDatabases.stopIfStarted();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf("machine: %d cores, %s; Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"));
        long t0 = System.nanoTime();
        String[] states = {"todo", "doing", "done"};
        for (int i = 0; i < RECORDS; i++) {
            ObjectNode story = JsonNodeFactory.instance.objectNode().put("title", "Story " + i).put("status", states[i % 3]).put("points", i % 13);
            story.putObject("owner").put("email", "Owner" + (i % 500) + "@Example.com");
            story.putArray("tags").add("t" + (i % 7)).add("release-" + (i % 11));
            api.create("stories", story);
        }
        try (Connection c = pg(); Statement s = c.createStatement()) {
            for (String table : List.of("stories", "stories_ceiling")) {
                s.execute("DROP TABLE IF EXISTS " + table);
                s.execute("CREATE TABLE " + table + " (tracker_id BIGINT PRIMARY KEY, title TEXT NOT NULL, status VARCHAR(20), points INTEGER,"
                        + " owner_email VARCHAR(200), tags TEXT, changed_at TIMESTAMPTZ)");
            }
        }
        System.out.printf("prepared %,d stories in the tracker API in %.1fs%n", RECORDS, (System.nanoTime() - t0) / 1e9);
        double ceiling = ceiling();
        double syncline = syncline();
        double ratio = syncline / ceiling;
        System.out.println();
        System.out.println("== results ==");
        System.out.printf("(a) ceiling, plain HTTP + JDBC copy:      %,8.0f records/s%n", ceiling);
        System.out.printf("(b) Syncline full load (-Xmx%s):        %,8.0f records/s  (%.2f of the ceiling; target >= 0.50: %s)%n", HEAP,
                syncline, ratio, ratio >= 0.5 ? "met" : "MISSED");
    }

    private Connection pg() throws SQLException {
        return DriverManager.getConnection(pgUrl, "postgres", null);
    }

    /** (a): GET each page of 100, map the same fields, one 100-row upsert per page, commit. */
    private double ceiling() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        StringBuilder sql = new StringBuilder("INSERT INTO stories_ceiling (tracker_id, title, status, points, owner_email, tags, changed_at) VALUES ");
        for (int i = 0; i < PAGE; i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?)");
        }
        sql.append(" ON CONFLICT (tracker_id) DO UPDATE SET title = EXCLUDED.title, status = EXCLUDED.status, points = EXCLUDED.points,"
                + " owner_email = EXCLUDED.owner_email, tags = EXCLUDED.tags, changed_at = EXCLUDED.changed_at");
        long t0 = System.nanoTime();
        long rows = 0;
        try (Connection c = pg()) {
            c.setAutoCommit(false);
            try (PreparedStatement full = c.prepareStatement(sql.toString())) {
                String since = null;
                long lastId = 0;
                for (;;) { // each page from the last record read (keyset), as Syncline asks: the API's cheapest way through
                    HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                            + "/api/stories?per_page=" + PAGE + (since == null ? "" : "&updated_since=" + since)))
                            .header("Authorization", "Bearer " + FakeTrackerApi.TOKEN)
                            .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
                    JsonNode page = JSON.readTree(answer.body()).get("data");
                    List<JsonNode> fresh = new ArrayList<>();
                    for (JsonNode story : page) {
                        java.time.Instant at = OffsetDateTime.parse(story.get("updated_at").asText()).toInstant();
                        int order = since == null ? 1 : at.compareTo(java.time.Instant.parse(since));
                        if (order > 0 || order == 0 && story.get("id").asLong() > lastId) {
                            fresh.add(story);
                        }
                    }
                    if (fresh.isEmpty()) {
                        break;
                    }
                    JsonNode last = fresh.get(fresh.size() - 1);
                    since = java.time.OffsetDateTime.parse(last.get("updated_at").asText()).toInstant().toString();
                    lastId = last.get("id").asLong();
                    var data = JSON.createArrayNode().addAll(fresh);
                    PreparedStatement write = data.size() == PAGE ? full : c.prepareStatement(sql.toString()
                            .replace(", (?, ?, ?, ?, ?, ?, ?)".repeat(PAGE - 1), ", (?, ?, ?, ?, ?, ?, ?)".repeat(data.size() - 1)));
                    int p = 1;
                    for (JsonNode story : data) {
                        List<String> tags = new ArrayList<>();
                        story.get("tags").forEach(t -> tags.add(t.asText()));
                        String state = story.get("status").asText();
                        write.setLong(p++, story.get("id").asLong());
                        write.setString(p++, story.get("title").asText());
                        write.setString(p++, state.equals("todo") ? "To do" : state.equals("doing") ? "In progress" : "Done");
                        write.setInt(p++, story.get("points").asInt());
                        write.setString(p++, story.at("/owner/email").asText().toLowerCase(Locale.ROOT));
                        write.setString(p++, String.join(", ", tags));
                        write.setObject(p++, OffsetDateTime.parse(story.get("updated_at").asText()));
                    }
                    write.executeUpdate();
                    c.commit();
                    rows += data.size();
                    if (page.size() < PAGE) {
                        break;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("(a) ceiling: %,d records in %.1fs = %,.0f records/s%n", rows, seconds, rows / seconds);
        if (rows != RECORDS) {
            throw new IllegalStateException("the ceiling copied " + rows + " records, not " + RECORDS);
        }
        return rows / seconds;
    }

    /** (b): the real server, the heap capped, polling the same API into PostgreSQL. */
    private double syncline() throws Exception {
        BenchServer bench = new BenchServer("bench-http", HEAP);
        String tracker = "-Dsyncline.systems.tracker.";
        String stories = tracker + "entities.stories.";
        Process server = bench.with(
                "-Dcamel.main.routes-include-pattern=file:src/test/resources/routes/stories.yaml",
                "-Dsyncline.systems.crm.url=" + pgUrl, "-Dsyncline.systems.crm.username=postgres",
                tracker + "url=http://127.0.0.1:" + api.port() + "/api", tracker + "auth=bearer", tracker + "token=" + FakeTrackerApi.TOKEN,
                stories + "path=/stories", stories + "records=data",
                stories + "fields=id:integer, title, status, points:integer, owner.email, tags:list, updated_at:instant",
                stories + "changed-since=updated_since", stories + "pagination=page", stories + "size-param=per_page",
                stories + "page-size=" + PAGE).start();
        ServerLog serverLog = new ServerLog(bench.log());
        try {
            Matcher done = serverLog.await(Pattern.compile("pair 'stories': full load done: ([\\d,]+) rows in ([\\d.]+)s \\(([\\d,]+) rows/s\\)"), 1800);
            double rate = Double.parseDouble(done.group(3).replace(",", ""));
            long synced;
            try (Connection c = pg(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM stories")) {
                rs.next();
                synced = rs.getLong(1);
            }
            System.out.printf("(b) Syncline: %s records in %ss = %,.0f records/s; PostgreSQL holds %,d; %s%n", done.group(1), done.group(2), rate,
                    synced, "server heap: " + ServerLog.heap(bench.gcLog(), HEAP, server));
            if (synced != RECORDS) {
                throw new IllegalStateException("PostgreSQL holds " + synced + " stories, not " + RECORDS);
            }
            return rate;
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
