package io.syncline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The log of a server process a benchmark started: Syncline's lines are echoed as they come, and waited for. */
final class ServerLog {

    private final Path log;
    private int shown;
    private int afterMatch;

    ServerLog(Path log) {
        this.log = log;
    }

    /** The time a line of the server's log begins with ({@code 2026-11-29 03:53:26,539}, this machine's zone), in epoch milliseconds. */
    static long epochMillis(String logged) {
        return LocalDateTime.parse(logged, LOGGED).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
    }

    private static final DateTimeFormatter LOGGED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");

    /** Waits until a line matches; returns the match. */
    Matcher await(Pattern pattern, int seconds) throws IOException, InterruptedException {
        return await(pattern, seconds, 0);
    }

    /** Waits until a line after the last one matched matches; returns the match. */
    Matcher awaitNext(Pattern pattern, int seconds) throws IOException, InterruptedException {
        return await(pattern, seconds, afterMatch);
    }

    private Matcher await(Pattern pattern, int seconds, int from) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            for (int i = shown; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.contains("io.syn") || line.contains("ERROR") || line.contains("OutOfMemory")) {
                    System.out.println("  server: " + line);
                }
            }
            shown = lines.size();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.contains("Failed to start application")) {
                    throw new IllegalStateException("the server did not start: " + line + "; see " + log);
                }
                Matcher m = pattern.matcher(line);
                if (i >= from && m.find()) {
                    afterMatch = Math.max(afterMatch, i + 1);
                    return m;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the server did not log '" + pattern + "' within " + seconds + "s; see " + log);
    }

    /**
     * The server's heap, for a benchmark's results: what it holds live, measured by a full collection that {@code jcmd}
     * asks for now (after the work measured: it disturbs no figure); and, from its GC log ({@code -Xlog:gc:file=...}), the
     * most the heap held after any collection, which includes dead objects of the old generation that G1 had not
     * collected yet (it reaches the cap in a busy server whose live data is a fraction of it), and the time the server spent
     * in GC pauses.
     */
    static String heap(Path gcLog, String cap, Process server) throws IOException, InterruptedException {
        Pattern after = Pattern.compile("->(\\d+)M\\((\\d+)M\\)");
        Pattern pause = Pattern.compile("Pause .* ([\\d.]+)ms$");
        int peak = 0;
        int committed = 0;
        double pauses = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = after.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Integer.parseInt(m.group(1)));
                committed = Math.max(committed, Integer.parseInt(m.group(2)));
            }
            Matcher p = pause.matcher(line);
            if (p.find()) {
                pauses += Double.parseDouble(p.group(1));
            }
        }
        return liveNow(server) + " live now (a full collection at the end); up to " + peak + " MB after a collection, dead objects not yet "
                + "collected included (heap committed up to " + committed + " MB, cap " + cap + "); GC pauses " + String.format("%.1f", pauses / 1000)
                + " s in all";
    }

    /** What the server holds live: the total of {@code jcmd GC.class_histogram}, which collects the whole heap first. */
    private static String liveNow(Process server) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(server.pid()),
                "GC.class_histogram").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        jcmd.waitFor(60, TimeUnit.SECONDS);
        Matcher total = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)").matcher(out);
        return total.find() ? Long.parseLong(total.group(1)) / (1024 * 1024) + " MB" : "? MB (jcmd: " + out.strip().lines().findFirst().orElse("") + ")";
    }
}
