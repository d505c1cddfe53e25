package io.syncline.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.syncline.testing.EmbeddedDatabases;
import io.syncline.testing.FakeTrackerApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issue 9's webhook benchmark (bench/run.sh webhooks): signed webhooks (GitHub style) at 200 a second for 60
 * seconds into the test pair {@code src/test/resources/routes/releases.yaml} (tracker releases into PostgreSQL),
 * its safety-net poll switched off so that only webhooks write. Each webhook names a different release; the time
 * from sending it to the commit of its row (a column PostgreSQL fills with {@code clock_timestamp()} when the row
 * is written) gives p50, p99 and max; a release sent and never written is lost. The first 20 seconds of webhooks
 * (other releases) warm the server up and are not measured ({@code -Dbench.warmup=0} measures a cold start).
 */
public final class WebhookBenchmark {

    private static final int RATE = Integer.getInteger("bench.rate", 200);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 60);
    /** Seconds of webhooks sent first, at the same rate, and not measured (0: measure from a cold start). */
    private static final int WARMUP = Integer.getInteger("bench.warmup", 20);
    private static final String HEAP = System.getProperty("bench.heap", "256m");
    private static final String SECRET = "bench-webhook-secret";

    public static void main(String[] args) throws Exception {
        try {
            run();
        } finally {
            EmbeddedDatabases.stopIfStarted();
        }
        System.exit(0);
    }

    private static void run() throws Exception {
        System.out.printf("machine: %d cores, %s; Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"));
        int total = RATE * SECONDS;
        FakeTrackerApi api = FakeTrackerApi.start();
        List<Long> ids = new ArrayList<>(total);
        for (int i = 0; i < total + RATE * WARMUP; i++) {
            ids.add(api.create("releases", JsonNodeFactory.instance.objectNode().put("name", "1." + i).put("state", "planned")).get("id").asLong());
        }
        String pgUrl = EmbeddedDatabases.get().postgresDatabase("bench_webhooks", null);
        try (Connection c = DriverManager.getConnection(pgUrl, "postgres", null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS releases");
            s.execute("CREATE TABLE releases (tracker_id BIGINT PRIMARY KEY, name TEXT, state VARCHAR(20), changed_at TIMESTAMPTZ,"
                    + " written_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())");
        }
        BenchServer bench = new BenchServer("bench-webhooks", HEAP);
        String tracker = "-Dsyncline.systems.tracker.";
        String releases = tracker + "entities.releases.";
        Process server = bench.with(
                "-Dcamel.main.routes-include-pattern=file:src/test/resources/routes/releases.yaml",
                "-Dreleases.schedule=0 0 0 1 1 ? 2099", // the safety-net poll never fires: every write is a webhook's
                "-Dsyncline.systems.crm.url=" + pgUrl, "-Dsyncline.systems.crm.username=postgres",
                tracker + "url=http://127.0.0.1:" + api.port() + "/api", tracker + "auth=bearer", tracker + "token=" + FakeTrackerApi.TOKEN,
                tracker + "webhook.scheme=github", tracker + "webhook.secrets=" + SECRET,
                releases + "path=/releases", releases + "records=data", releases + "fields=id:integer, name, state, updated_at:instant",
                releases + "changed-since=updated_since", releases + "pagination=cursor", releases + "webhook-records=data").start();
        int port = bench.port;
        try {
            new ServerLog(bench.log()).await(Pattern.compile("Installed features"), 120);
            HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(16)).build();
            ExecutorService senders = Executors.newFixedThreadPool(32);
            if (WARMUP > 0) { // a server runs for days: its first seconds (classes loaded, code compiled) are shown apart
                System.out.printf("warming up: %,d webhooks, %d a second for %d s (not measured)%n", RATE * WARMUP, RATE, WARMUP);
                Sent warm = send(client, senders, ids.subList(0, RATE * WARMUP), port);
                System.out.printf("  warm-up answers %s, answer time p99 %d ms%n", warm.answers, percentile(sorted(warm.answerMillis), 99));
            }
            System.out.printf("sending %,d webhooks, %d a second for %d s%n", total, RATE, SECONDS);
            Sent measured = send(client, senders, ids.subList(RATE * WARMUP, ids.size()), port);
            Map<Long, Long> sentAt = measured.sentAt;
            Map<Integer, Integer> answers = measured.answers;
            List<Long> answerMillis = measured.answerMillis;
            double sendSeconds = measured.seconds;
            Thread.sleep(10_000); // what is stored and still being written
            Map<Long, Long> writtenAt = new TreeMap<>();
            try (Connection c = DriverManager.getConnection(pgUrl, "postgres", null); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT tracker_id, (EXTRACT(EPOCH FROM written_at) * 1000)::BIGINT FROM releases")) {
                while (rs.next()) {
                    writtenAt.put(rs.getLong(1), rs.getLong(2));
                }
            }
            List<Long> latencies = new ArrayList<>();
            long lost = 0;
            for (Map.Entry<Long, Long> sent : sentAt.entrySet()) {
                Long written = writtenAt.get(sent.getKey());
                if (written == null) {
                    lost++;
                } else {
                    latencies.add(written - sent.getValue());
                }
            }
            Collections.sort(latencies);
            List<Long> answerSorted = new ArrayList<>(answerMillis);
            Collections.sort(answerSorted);
            System.out.println();
            System.out.println("== results ==");
            System.out.printf("sent %,d webhooks in %.1fs (%.0f/s); answers %s%n", sentAt.size(), sendSeconds, sentAt.size() / sendSeconds, answers);
            System.out.printf("answer time ms: p50 %d, p99 %d, max %d%n", percentile(answerSorted, 50), percentile(answerSorted, 99),
                    answerSorted.get(answerSorted.size() - 1));
            System.out.printf("receipt to committed write ms: p50 %d, p99 %d, max %d (target p99 < 100: %s)%n", percentile(latencies, 50),
                    percentile(latencies, 99), latencies.get(latencies.size() - 1), percentile(latencies, 99) < 100 ? "met" : "MISSED");
            System.out.printf("lost: %d (target 0: %s); %s%n", lost, lost == 0 ? "met" : "MISSED", "server heap: " + ServerLog.heap(bench.gcLog(), HEAP, server));
            // where the tail is: receipt to committed write per ten seconds of sending
            long first = Collections.min(sentAt.values());
            Map<Long, List<Long>> bySlice = new TreeMap<>();
            sentAt.forEach((id, sent) -> {
                Long written = writtenAt.get(id);
                if (written != null) {
                    bySlice.computeIfAbsent((sent - first) / 10_000, k -> new ArrayList<>()).add(written - sent);
                }
            });
            bySlice.forEach((slice, inSlice) -> {
                Collections.sort(inSlice);
                System.out.printf("  %3d-%3d s: p50 %d, p99 %d, max %d ms%n", slice * 10, slice * 10 + 10, percentile(inSlice, 50),
                        percentile(inSlice, 99), inSlice.get(inSlice.size() - 1));
            });
            senders.shutdownNow();
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** What one sending run saw: when each release's webhook was sent, the answers, and how long each took. */
    private record Sent(Map<Long, Long> sentAt, Map<Integer, Integer> answers, List<Long> answerMillis, double seconds) {
    }

    /** Sends one signed webhook per release, {@link #RATE} a second, and waits for the answers. */
    private static Sent send(HttpClient client, ExecutorService senders, List<Long> ids, int port) throws Exception {
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        Map<Integer, Integer> answers = new ConcurrentHashMap<>();
        List<Long> answerMillis = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch answered = new CountDownLatch(ids.size());
        long start = System.nanoTime();
        for (int i = 0; i < ids.size(); i++) {
            long due = start + TimeUnit.SECONDS.toNanos(1) * i / RATE;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            long id = ids.get(i);
            byte[] body = ("{\"event\":\"releases.changed\",\"data\":{\"id\":" + id + "}}").getBytes(StandardCharsets.UTF_8);
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/releases"))
                    .header("Content-Type", "application/json").header("X-Hub-Signature-256", sign(body))
                    .header("X-GitHub-Delivery", UUID.randomUUID().toString()).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            senders.execute(() -> {
                long sent = System.currentTimeMillis();
                sentAt.put(id, sent);
                try {
                    HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                    answers.merge(response.statusCode(), 1, Integer::sum);
                } catch (Exception e) {
                    answers.merge(0, 1, Integer::sum);
                }
                answerMillis.add(System.currentTimeMillis() - sent);
                answered.countDown();
            });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        answered.await(120, TimeUnit.SECONDS);
        return new Sent(sentAt, answers, answerMillis, seconds);
    }

    private static List<Long> sorted(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted;
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * p / 100.0) - 1));
    }

    private static String sign(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    private WebhookBenchmark() {
    }
}
