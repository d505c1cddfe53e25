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

    static String STATE_URL;
    static void printStats() {
        if (STATE_URL == null) return;
        try (var c = java.sql.DriverManager.getConnection(STATE_URL, "postgres", null); var st = c.createStatement();
             var rs = st.executeQuery("SELECT relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, n_live_tup, n_dead_tup, autovacuum_count, autoanalyze_count, pg_total_relation_size(relid) FROM pg_stat_user_tables ORDER BY relname")) {
            while (rs.next()) {
                StringBuilder b = new StringBuilder("STAT");
                for (int i = 1; i <= 14; i++) b.append(' ').append(rs.getString(i));
                System.out.println(b);
            }
            var rs2 = st.executeQuery("SELECT name || '=' || setting FROM pg_settings WHERE name LIKE 'autovacuum%' OR name IN ('fsync','synchronous_commit','server_version','shared_buffers','track_counts')");
            while (rs2.next()) System.out.println("SET " + rs2.getString(1));
            var rs3 = st.executeQuery("SELECT relname || ' ' || coalesce(last_autovacuum::text,'-') || ' ' || coalesce(last_autoanalyze::text, '-') FROM pg_stat_user_tables");
            while (rs3.next()) System.out.println("LAST " + rs3.getString(1));
        } catch (Exception e) { System.out.println("STAT failed " + e); }
    }
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
            return List.of("-Dsyncline.state.url=jdbc:h2:file:./" + work.resolve("state") + ";WRITE_DELAY=0");
        }
        if (!kind.equals("postgresql")) {
            throw new IllegalArgumentException("-Dbench.state: h2 or postgresql, not '" + kind + "'");
        }
        try {
            String url = io.syncline.testing.EmbeddedDatabases.get().postgresDatabase("bench_state_" + dir.replaceAll("\\W", "_"), null);
            STATE_URL = url;
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
