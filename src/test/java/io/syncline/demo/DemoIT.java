package io.syncline.demo;

import static io.syncline.testing.WorkDirs.deleteRecursively;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's first command as a newcomer runs it: the packaged server with its defaults, the embedded demo on
 * (its users edit the CRM, the help desk and billing), nothing but a free port and a fresh data directory set. Scraping
 * {@code /q/metrics} twice, without a login, shows each pair's figures moving: records read and written by the
 * one-way pairs, rows written to both sides of the two-way pairs, billing (the third system) reached through the CRM.
 * Then the command as the newcomer runs it again the next day: the demo goes on where it stopped. Runs after
 * {@code package} (failsafe).
 */
class DemoIT {

    private static final Path WORK = Path.of("target", "demo-it");
    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{([^}]*)} ([0-9.eE+-]+|NaN)$");
    private static final List<String> PAIRS = List.of("contacts", "tickets", "people", "companies", "payers");

    private final HttpClient http = HttpClient.newHttpClient();
    private int port;

    @Test
    void scrapingTheDemoShowsEachPairsFiguresMovingAlsoWhenItRunsAgain() throws Exception {
        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        runDemo("first.log", true);
        // the demo's databases and its state store stay in the data directory: the second run knows what the first wrote
        for (String file : List.of("syncline-state.mv.db", "demo-crm.mv.db", "demo-helpdesk.mv.db", "demo-billing.mv.db")) {
            assertTrue(Files.exists(WORK.resolve("data").resolve(file)), file + " is kept");
        }
        runDemo("second.log", false);
        List<Long> first = contactsAdded("first.log");
        List<Long> second = contactsAdded("second.log");
        assertTrue(second.get(0) > first.get(first.size() - 1), "the second run adds contacts after the first's: " + first + ", " + second);
    }

    /** The ids of the contacts the demo's users added, in the order of the log. */
    private static List<Long> contactsAdded(String logName) throws IOException {
        Matcher m = Pattern.compile("demo: crm: new contact (\\d+)").matcher(Files.readString(WORK.resolve(logName)));
        List<Long> ids = new ArrayList<>();
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    /**
     * Runs the demo until each pair's figures move and its users have added a contact, with no dead letter; then stops it.
     * {@code alongside}: once it is ready, a second server is started on the same data directory, and must stop.
     */
    private void runDemo(String logName, boolean alongside) throws Exception {
        Process server = new ProcessBuilder(server(port)).redirectErrorStream(true).redirectOutput(WORK.resolve(logName).toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> status("/q/health/ready") == 200);
            assertEquals(401, status("/console"), "the console asks for a login");
            if (alongside) {
                aSecondServerOnTheSameStateStoreStopsSayingWhy();
            }

            Map<String, Double> first = scrape();
            assertTrue(first.keySet().stream().anyMatch(k -> k.startsWith("camel_exchanges_total")), "Camel's route metrics: " + first.keySet());
            List<String> moving = List.of(
                    "syncline_pair_read_total{pair=contacts,side=crm}",
                    "syncline_pair_records_synced{pair=contacts}",
                    "syncline_pair_read_total{pair=tickets,side=helpdesk}",
                    "syncline_pair_records_synced{pair=tickets}",
                    "syncline_pair_written_total{pair=people,side=a}",
                    "syncline_pair_written_total{pair=people,side=b}",
                    "syncline_pair_written_total{pair=payers,side=b}", // the CRM's phone edits reach billing
                    "syncline_pair_changes_total{pair=payers,side=a,origin=pair}", // the help desk's edits, relayed by people
                    "syncline_pair_changes_total{pair=people,side=a,origin=pair}"); // billing's, relayed by payers (other columns)
            // the demo's users edit every 3 seconds, the pairs poll every 2: within a minute each figure has moved
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                Map<String, Double> now = scrape();
                List<String> still = moving.stream().filter(k -> !(now.getOrDefault(k, Double.NaN) > first.getOrDefault(k, 0.0))).toList();
                assertTrue(still.isEmpty(), "not moving: " + still.stream().map(k -> k + " " + first.get(k) + " -> " + now.get(k)).toList());
            });
            Map<String, Double> last = scrape();
            for (String pair : PAIRS) {
                assertEquals(1.0, last.get("syncline_pair_up{pair=" + pair + "}"), pair + " is up");
                assertEquals(0.0, last.get("syncline_pair_dead_letters{pair=" + pair + "}"), pair + " has no dead letter");
            }
            assertTrue(last.get("syncline_pair_seconds_since_last_successful_poll{pair=contacts}") < 10, "contacts polls");
            // every other round of edits adds a contact; in a second run, after those of the first
            Path log = WORK.resolve(logName);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> Files.readString(log).contains("demo: crm: new contact"));
            assertFalse(Files.readString(log).contains("demo: an edit failed"), "the demo's users edit the databases as they find them");
        } finally {
            server.destroy();
            server.waitFor();
        }
        // stopped as an operator stops it (SIGTERM): in order, windows under way applied, nothing that alarms
        List<String> errors = Files.readAllLines(WORK.resolve(logName)).stream().filter(l -> l.contains(" ERROR ")).toList();
        assertEquals(List.of(), errors, "no ERROR in " + logName);
        try (var files = Files.list(WORK.resolve("data"))) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".trace.db")).toList(), "no H2 error log in the data directory");
        }
    }

    /** The command that runs the packaged server on {@code httpPort}, with the demo's data directory. */
    private static List<String> server(int httpPort, String... options) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dquarkus.http.port=" + httpPort,
                "-Dsyncline.data-dir=./" + WORK.resolve("data"))); // the default is ./data, the user's own
        command.addAll(List.of(options));
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        return command;
    }

    /**
     * One server per state store: a second server on the running demo's data directory (an operator who starts it twice)
     * waits for the state store ({@code syncline.state.lock-wait}, 3 s here), then stops with an error that says why; the
     * first goes on.
     */
    private void aSecondServerOnTheSameStateStoreStopsSayingWhy() throws Exception {
        int otherPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            otherPort = socket.getLocalPort();
        }
        Path log = WORK.resolve("second-server.log");
        Process second = new ProcessBuilder(server(otherPort, "-Dsyncline.state.lock-wait=3s")).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            assertTrue(second.waitFor(90, java.util.concurrent.TimeUnit.SECONDS), "the second server stops");
        } finally {
            second.destroyForcibly();
        }
        String output = Files.readString(log);
        assertTrue(output.contains("is used by another Syncline server") && output.contains("one server uses a state store at a time"),
                "the second server says why it stops:\n" + output.substring(Math.max(0, output.length() - 3000)));
        assertTrue(second.exitValue() != 0, "and exits with an error");
        assertEquals(200, status("/q/health/ready"), "the first server goes on");
    }

    private int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException | InterruptedException e) {
            return -1; // not listening yet
        }
    }

    /** The samples of /q/metrics, fetched without a login, by name and labels (pair, side and origin only, in that order). */
    private Map<String, Double> scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), "open like /q/health");
        Map<String, Double> samples = new TreeMap<>();
        for (String line : response.body().split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Map<String, String> byName = new TreeMap<>();
            for (String label : m.group(2).split(",")) {
                String[] kv = label.split("=", 2);
                if (kv.length == 2) {
                    byName.put(kv[0], kv[1].replace("\"", ""));
                }
            }
            List<String> labels = new ArrayList<>();
            for (String name : List.of("pair", "side", "origin")) {
                if (byName.containsKey(name)) {
                    labels.add(name + "=" + byName.get(name));
                }
            }
            String key = labels.isEmpty() ? m.group(1) + "{" + m.group(2) + "}" : m.group(1) + "{" + String.join(",", labels) + "}";
            samples.merge(key, Double.parseDouble(m.group(3)), Double::sum);
        }
        return samples;
    }
}
