package io.syncline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The largest heap in use after a collection, from the server's GC log ({@code -Xlog:gc:file=...}). */
    static String peakHeap(Path gcLog, String cap) throws IOException {
        Pattern after = Pattern.compile("->(\\d+)M\\((\\d+)M\\)");
        int peak = 0;
        int committed = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = after.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Integer.parseInt(m.group(1)));
                committed = Math.max(committed, Integer.parseInt(m.group(2)));
            }
        }
        return peak + " MB live after GC (heap committed up to " + committed + " MB, cap " + cap + ")";
    }
}
