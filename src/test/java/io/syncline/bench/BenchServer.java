package io.syncline.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The packaged server a benchmark starts, as an operator runs it: the heap capped and its GC logged, a free port, the
 * demo off (its user without the documented password), and a fresh state store in the benchmark's work directory
 * ({@code target/<dir>}), where the server's log goes too. A benchmark adds its own settings with {@link #with}.
 */
final class BenchServer {

    final Path work;
    final int port;
    private final List<String> command = new ArrayList<>();

    BenchServer(String dir, String heap) throws IOException {
        work = Path.of("target", dir);
        Files.createDirectories(work);
        Files.deleteIfExists(work.resolve("state.mv.db"));
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Xlog:gc:file=" + gcLog(),
                "-Dquarkus.http.port=" + port,
                "-Dsyncline.demo.enabled=false", "-Dquarkus.security.users.embedded.users.demo=" + TwoWayBenchmark.BENCH_PASSWORD));
        command.addAll(stateStore(dir));
        // e.g. -Dbench.server.options=-XX:StartFlightRecording=filename=target/star.jfr to profile the server
        String options = System.getProperty("bench.server.options", "").trim();
        if (!options.isEmpty()) {
            command.addAll(List.of(options.split("\\s+")));
        }
    }

    /**
     * The server's state store, fresh: the default H2 file in the work directory, or with {@code -Dbench.state=postgresql} a
     * database of its own on the embedded PostgreSQL server (the choice the README's configuration section compares).
     */
    private List<String> stateStore(String dir) throws IOException {
        String kind = System.getProperty("bench.state", "h2");
        System.out.println("state store: " + kind);
        if (kind.equals("h2")) {
            // -Dbench.h2=";SETTING=value" appends H2 settings to the state store's URL, to measure them
            return List.of("-Dsyncline.state.url=jdbc:h2:file:./" + work.resolve("state") + ";WRITE_DELAY=0" + System.getProperty("bench.h2", ""));
        }
        if (!kind.equals("postgresql")) {
            throw new IllegalArgumentException("-Dbench.state: h2 or postgresql, not '" + kind + "'");
        }
        try {
            String url = io.syncline.testing.EmbeddedDatabases.get().postgresDatabase("bench_state_" + dir.replaceAll("\\W", "_"), null);
            return List.of("-Dsyncline.state.url=" + url, "-Dsyncline.state.username=postgres");
        } catch (java.sql.SQLException e) {
            throw new IOException("the state store's database could not be created: " + e.getMessage(), e);
        }
    }

    /** JVM options and settings of this benchmark's server. */
    BenchServer with(String... options) {
        command.addAll(List.of(options));
        return this;
    }

    BenchServer with(List<String> options) {
        command.addAll(options);
        return this;
    }

    Process start() throws IOException {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        return new ProcessBuilder(all).redirectErrorStream(true).redirectOutput(log().toFile()).start();
    }

    Path log() {
        return work.resolve("server.log");
    }

    Path gcLog() {
        return work.resolve("gc.log");
    }
}
