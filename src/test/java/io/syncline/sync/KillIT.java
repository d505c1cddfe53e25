package io.syncline.sync;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.TwoWayPair.settleAndVerify;
import static io.syncline.testing.WorkDirs.deleteRecursively;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.syncline.testing.Api;
import io.syncline.testing.RandomEdits;
import io.syncline.testing.RealDatabases;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The packaged server (target/quarkus-app) killed with SIGKILL at random moments while both
 * sides of the two-way pair "people" are being edited, and while it is down more edits are made;
 * after the last start nothing may be left for reconciliation (a dry run first), both sides must
 * agree and no edit may be lost. The server starts from a clean state directory and runs with no
 * lookback, so a change caught in a window by a kill comes back only if the window was kept; a run
 * in which no kill interrupted a window proves nothing and fails as inconclusive. Runs after
 * {@code package} (failsafe), against its own PostgreSQL, MariaDB and state store.
 */
class KillIT {

    private static final Path WORK = Path.of("target", "kill-it");
    private static final int ROUNDS = 4;
    /** More kills while none has interrupted a window yet. */
    private static final int MAX_ROUNDS = 8;
    /** What a server logs when it starts with windows that the previous one left open or unapplied. */
    private static final String RESUMED = "left by the last stop are resumed";

    private int port;
    private Map<String, String> databases;
    private int starts;

    @Test
    void killedAtAnyMomentTheServerLosesNothingAfterARestart() throws Exception {
        long seed = Long.getLong("convergence.seed", 20261126L);
        System.out.println("KillIT: seed " + seed);
        Random random = new Random(seed);
        databases = RealDatabases.configuration();
        deleteRecursively(WORK); // a state store left by an earlier run would start this one half done
        Files.createDirectories(WORK);
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RestAssured.port = port;
        RandomEdits edits = new RandomEdits(seed, IntStream.range(20, 60).mapToObj(i -> "person" + i + "@example.com").toList(), "killed", 6);
        Process server = start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> linked() >= 105);
            for (int round = 0; round < ROUNDS || interruptedWindows() == 0 && round < MAX_ROUNDS; round++) {
                edits.run(40);
                Thread.sleep(random.nextInt(2000)); // the kill lands anywhere: in a poll, a window, a write
                server.destroyForcibly().waitFor();
                edits.serverStopped();
                System.out.printf("KillIT: killed the server in round %d after %d operations%n", round + 1, edits.operations());
                edits.run(15); // the users go on while it is down
                server = start();
                edits.serverStarted();
            }
            // with no lookback, a change is read once: one that a kill caught in a window is applied only if the window was kept
            assertTrue(interruptedWindows() > 0, "inconclusive: no kill interrupted a window (no server said it resumed one)");
            System.out.printf("KillIT: %d of %d kills interrupted a window%n", interruptedWindows(), starts - 1);
            assertTrue(settleAndVerify(edits) > 20, "most records were compared field by field");
        } finally {
            try { // what the last server was doing, for a failure's investigation
                new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(server.pid()), "Thread.print")
                        .redirectErrorStream(true).redirectOutput(WORK.resolve("threads.txt").toFile()).start().waitFor();
            } catch (IOException e) {
                System.out.println("KillIT: no thread dump (" + e.getMessage() + ")");
            }
            server.destroyForcibly().waitFor();
        }
    }

    /** Starts whose server found windows left open or unapplied by the kill before it (its own log says so). */
    private long interruptedWindows() throws IOException {
        long n = 0;
        for (int i = 2; i <= starts; i++) {
            if (Files.readString(WORK.resolve("server-" + i + ".log")).contains(RESUMED)) {
                n++;
            }
        }
        return n;
    }

    private long linked() {
        try {
            return operator().get("/api/pairs/people").then().extract().jsonPath().getLong("links");
        } catch (Exception e) { // RestAssured throws ConnectException undeclared
            return 0; // not listening yet
        }
    }

    private Process start() throws IOException {
        starts++;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dquarkus.http.port=" + port,
                "-Dcamel.main.routes-include-pattern=file:routes/people.yaml,file:routes/companies.yaml",
                "-Dpeople.schedule=* * * * * ?", "-Dcompanies.schedule=* * * * * ?", "-Dpeople.window=1s", "-Dcompanies.window=1s",
                "-Dpeople.reconcile=off",
                "-Dpeople.lookback=0s", // no re-read that could bring back what a lost window held
                "-Dsyncline.demo.enabled=false",
                "-Dquarkus.security.users.embedded.users.demo=kill-it-" + port, // not the documented password: the server would refuse it
                "-Dquarkus.security.users.embedded.users." + Api.OPERATOR + "=" + Api.OPERATOR_PASSWORD,
                "-Dquarkus.security.users.embedded.roles." + Api.OPERATOR + "=operator",
                "-Dquarkus.log.category.\"io.syncline.state.PendingChanges\".level=DEBUG", // windows closed, recovered, forgotten
                "-Dsyncline.state.url=jdbc:h2:file:./" + WORK.resolve("state") + ";WRITE_DELAY=0"));
        databases.forEach((key, value) -> {
            if (key.startsWith("syncline.systems.")) {
                command.add("-D" + key + "=" + value);
            }
        });
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(WORK.resolve("server-" + starts + ".log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(60)).until(() -> linked() > 0 || starts == 1 && process.isAlive() && listening());
        return process;
    }

    private boolean listening() {
        try {
            return operator().get("/q/health/live").statusCode() > 0;
        } catch (Exception e) { // RestAssured throws ConnectException undeclared
            return false;
        }
    }
}
