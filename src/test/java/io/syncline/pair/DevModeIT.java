package io.syncline.pair;

import static io.syncline.testing.WorkDirs.deleteRecursively;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Authoring comfort: the README's dev-mode command, {@code ./mvnw quarkus:dev}, runs the server with its demo and restarts it
 * when a pair file changes, so that whoever writes a pair sees the edited pair at work, or its problem, at the next request.
 * Runs that command on a copy of the project (target/dev-mode-it), edits a pair file there, breaks it and mends it. Runs
 * after {@code package} (failsafe).
 */
class DevModeIT {

    private static final Path WORK = Path.of("target", "dev-mode-it");
    private static final String DEV_ROUTES = "%dev.camel.main.routes-include-pattern";
    private static final Pattern POLICY = Pattern.compile("\"policy\":\"([^\"]*)\"");

    private final HttpClient http = HttpClient.newHttpClient();
    private int port;

    /** Dev mode watches the files that its pattern names, not a glob: each pair file of routes/ must be named. */
    @Test
    void devModeNamesEveryPairFile() throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("application.properties"))) {
            properties.load(in);
        }
        TreeSet<String> named = new TreeSet<>(Arrays.asList(properties.getProperty(DEV_ROUTES, "").split(",")));
        TreeSet<String> files = new TreeSet<>();
        try (Stream<Path> list = Files.list(Path.of("routes"))) {
            list.filter(f -> f.toString().endsWith(".yaml")).forEach(f -> files.add("file:routes/" + f.getFileName()));
        }
        assertEquals(files, named, DEV_ROUTES + " in application.properties names each pair file of routes/");
    }

    @Test
    void anEditedPairFileRestartsTheServerWithIt() throws Exception {
        deleteRecursively(WORK);
        for (String part : List.of("pom.xml", "mvnw", ".mvn", "src/main", "routes", "application.properties")) {
            copy(Path.of(part), WORK.resolve(part));
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // online: dev mode needs artifacts that the build does not (Quarkus' dev UI, Camel's debugger)
        List<String> command = List.of(WORK.toAbsolutePath().resolve("mvnw").toString(), "-B", "quarkus:dev", "-Ddebug=false",
                "-Dquarkus.console.enabled=false", "-Dquarkus.http.port=" + port);
        Path log = Path.of("target", "dev-mode-it.log");
        Process maven = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path people = WORK.resolve("routes/people.yaml");
        String pairFile = Files.readString(people);
        String rule = "phone: b-wins";
        assertTrue(pairFile.contains(rule), "routes/people.yaml has " + rule);
        try {
            // the first start compiles the project: minutes on two cores
            await("dev mode ready").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !maven.isAlive() || get("/q/health/ready").status() == 200);
            assertTrue(maven.isAlive(), "dev mode starts:\n" + tail(log));
            assertTrue(policy().contains(rule), "the people pair as its file says: " + policy());

            // an edited rule: dev mode sees the file saved and restarts the server, which syncs with it
            Files.writeString(people, pairFile.replace(rule, "phone: a-wins"));
            await("the server restarted with the edited rule").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> policy().contains("phone: a-wins"));
            await("the restarted server ready").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> get("/q/health/ready").status() == 200);

            // a broken pair file: the answer names the file and the problem, and dev mode waits for the mend
            Files.writeString(people, pairFile.replace(rule, "phone: sometimes"));
            await("the broken file refused").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                Answer broken = get("/q/health/ready");
                assertEquals(500, broken.status(), "the restart fails");
                assertTrue(broken.body().contains("people.yaml") && broken.body().contains("sometimes"), "it says why: " + broken.body());
            });
            assertTrue(maven.isAlive(), "dev mode goes on");

            Files.writeString(people, pairFile);
            await("the mended file started").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> get("/q/health/ready").status() == 200);
            assertTrue(policy().contains(rule), "the mended file is synced with: " + policy());
        } finally {
            List<ProcessHandle> started = maven.descendants().toList();
            started.forEach(ProcessHandle::destroy); // the dev-mode server first, as an operator stops a server
            for (ProcessHandle p : started) {
                try {
                    p.onExit().get(1, TimeUnit.MINUTES);
                } catch (TimeoutException e) {
                    p.destroyForcibly();
                }
            }
            maven.destroy();
            maven.waitFor();
        }
    }

    /** The people pair's conflict policy, as the ops API shows it to the demo's operator. */
    private String policy() throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/pairs/people"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("demo:demo".getBytes(StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = POLICY.matcher(response.body());
            return response.statusCode() == 200 && m.find() ? m.group(1) : "(" + response.statusCode() + ")";
        } catch (IOException e) {
            return "(no answer)";
        }
    }

    /** An answer of the server; status -1 while nothing listens on its port (dev mode compiling, or restarting). */
    private record Answer(int status, String body) {
    }

    private Answer get(String path) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(-1, "");
        }
    }

    private static String tail(Path log) throws IOException {
        String text = Files.readString(log);
        return text.substring(Math.max(0, text.length() - 4000));
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES); // mvnw stays executable
                }
            }
        }
    }
}
