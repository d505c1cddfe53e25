package io.syncline.state;

import io.syncline.pair.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a pair is doing right now; kept in memory, the durable part lives in the state store. */
public final class PairStatus {

    public enum State {
        STARTING, RUNNING, FAILING, PAUSED
    }

    private final String pair;
    private State state = State.STARTING;
    private Instant lastPollStarted;
    private Instant lastSuccess;
    private Instant lastProgress = Instant.now();
    /** The sides whose last poll failed: a side that polls well does not hide, or reset the backoff of, one that does not. */
    private final Map<String, Failure> failures = new LinkedHashMap<>();
    private long loadDone;
    private long loadTotal;
    /** By side: when the side's last successful poll started; every change made before it is synced (one way) or read. */
    private final Map<String, Instant> freshUpTo = new LinkedHashMap<>();
    private final Instant created = Instant.now();

    // two-way counters since start-up: what a test and an operator check echo suppression and conflicts with
    private final Map<String, java.util.concurrent.atomic.LongAdder> readBySide = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.LongAdder> skippedBySide = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAdder writtenA = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder writtenB = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder echoes = new java.util.concurrent.atomic.LongAdder();
    private final Map<Role, java.util.concurrent.atomic.LongAdder> fromUsers = new java.util.EnumMap<>(Map.of(Role.A,
            new java.util.concurrent.atomic.LongAdder(), Role.B, new java.util.concurrent.atomic.LongAdder()));
    private final Map<Role, java.util.concurrent.atomic.LongAdder> relayed = new java.util.EnumMap<>(Map.of(Role.A,
            new java.util.concurrent.atomic.LongAdder(), Role.B, new java.util.concurrent.atomic.LongAdder()));
    private final java.util.concurrent.atomic.LongAdder resolved = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder deleted = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder appliedAgain = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder lockedAgain = new java.util.concurrent.atomic.LongAdder();
    private final java.util.Set<String> expectedEchoes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private String deleteGuard;
    private String applyError;
    private int applyFailures;
    private Instant nextApply;

    PairStatus(String pair) {
        this.pair = pair;
    }

    public String pair() {
        return pair;
    }

    public synchronized State state() {
        return state;
    }

    public synchronized Instant lastPollStarted() {
        return lastPollStarted;
    }

    public synchronized Instant lastSuccess() {
        return lastSuccess;
    }

    public synchronized Instant lastProgress() {
        return lastProgress;
    }

    /** Why a side's polls fail, how often in a row, and when it is tried again. */
    private record Failure(String error, int inARow, Instant nextAttempt) {
    }

    /** The failure of the side that has failed most often in a row, or null when every side polls. */
    private Failure worst() {
        return failures.values().stream().max(Comparator.comparingInt(Failure::inARow)).orElse(null);
    }

    public synchronized String lastError() {
        Failure f = worst();
        return f == null ? null : f.error();
    }

    public synchronized int consecutiveFailures() {
        Failure f = worst();
        return f == null ? 0 : f.inARow();
    }

    public synchronized Instant nextAttempt() {
        Failure f = worst();
        return f == null ? null : f.nextAttempt();
    }

    /** When a side whose last poll failed may be tried again; null when it did not fail. */
    public synchronized Instant nextAttempt(String side) {
        Failure f = failures.get(side);
        return f == null ? null : f.nextAttempt();
    }

    /** Rows done and expected in the full load under way; zero when none is. */
    public synchronized long loadDone() {
        return loadDone;
    }

    public synchronized long loadTotal() {
        return loadTotal;
    }

    public synchronized void pollStarted() {
        lastPollStarted = Instant.now();
    }

    public synchronized void progressed(long done, long total) {
        lastProgress = Instant.now();
        loadDone = done;
        loadTotal = total;
    }

    public synchronized void pollSucceeded(String side, Instant started) {
        freshUpTo.put(side, started);
        lastSuccess = Instant.now();
        lastProgress = lastSuccess;
        failures.remove(side);
        loadDone = 0;
        loadTotal = 0;
        if (state != State.PAUSED) {
            state = failures.isEmpty() ? State.RUNNING : State.FAILING;
        }
    }

    /**
     * How old the changes may be that are not synced yet: now minus the start of the oldest of the sides' last
     * successful polls (a side that never polled well counts from start-up). A two-way pair's changes also wait
     * for their window.
     */
    public synchronized Duration staleness(java.util.Collection<String> sides) {
        Instant oldest = sides.stream().map(side -> freshUpTo.getOrDefault(side, created)).min(Comparator.naturalOrder()).orElse(created);
        return Duration.between(oldest, Instant.now());
    }

    /** Records a side's failure and when to try it again: doubling from one second up to {@code maxBackoff}. */
    public synchronized void pollFailed(String side, String error, Duration maxBackoff) {
        Failure before = failures.get(side);
        int inARow = before == null ? 1 : before.inARow() + 1;
        failures.put(side, new Failure(error, inARow, Instant.now().plus(backoff(inARow, Duration.ofSeconds(1), maxBackoff))));
        loadDone = 0;
        loadTotal = 0;
        if (state != State.PAUSED) {
            state = State.FAILING;
        }
    }

    public synchronized boolean inBackoff(String side) {
        Failure f = failures.get(side);
        return f != null && Instant.now().isBefore(f.nextAttempt());
    }

    public synchronized void paused(boolean paused) {
        if (paused) {
            state = State.PAUSED;
        } else if (state == State.PAUSED) {
            state = failures.isEmpty() ? State.RUNNING : State.FAILING;
            lastProgress = Instant.now();
        }
    }

    /**
     * What one applied window of a two-way pair did, for the console's and the API's recent windows: the records it held
     * on each side (changed, or parked), and what it wrote.
     */
    public record AppliedWindow(Instant at, double seconds, int heldA, int heldB, int writtenA, int writtenB, int created, int resolved,
            int leftForReview, int deleted) {
    }

    /** How many applied windows a pair remembers (in memory: since start-up). */
    private static final int RECENT_WINDOWS = 20;
    private final java.util.Deque<AppliedWindow> recentWindows = new java.util.ArrayDeque<>();

    /** Remembers an applied window; the oldest of {@value #RECENT_WINDOWS} is forgotten. */
    public synchronized void windowApplied(AppliedWindow window) {
        recentWindows.addFirst(window);
        while (recentWindows.size() > RECENT_WINDOWS) {
            recentWindows.removeLast();
        }
    }

    /** The latest applied windows, newest first. */
    public synchronized java.util.List<AppliedWindow> recentWindows() {
        return java.util.List.copyOf(recentWindows);
    }

    /** Counts what a poll read from a side (named by its system): the records, and those skipped as unchanged or echoes. */
    public void read(String side, long records, long skipped) {
        readBySide.computeIfAbsent(side, k -> new java.util.concurrent.atomic.LongAdder()).add(records);
        skippedBySide.computeIfAbsent(side, k -> new java.util.concurrent.atomic.LongAdder()).add(skipped);
    }

    /** Records polls read from the side since start-up. */
    public long read(String side) {
        java.util.concurrent.atomic.LongAdder n = readBySide.get(side);
        return n == null ? 0 : n.sum();
    }

    /** Records polls read from the side and skipped since start-up: unchanged since they were last synced, or echoes. */
    public long unchanged(String side) {
        java.util.concurrent.atomic.LongAdder n = skippedBySide.get(side);
        return n == null ? 0 : n.sum();
    }

    /** Counts records Syncline wrote to a side (inserts, updates, deletes). */
    public void written(Role side, long n) {
        (side == Role.A ? writtenA : writtenB).add(n);
    }

    public long written(Role side) {
        return (side == Role.A ? writtenA : writtenB).sum();
    }

    /**
     * Counts the changes a two-way window read on a side: {@code relayed} of them another pair wrote there (a star, chain or
     * triangle of pairs), the others users' edits.
     */
    public void changes(Role side, long changes, long relayed) {
        fromUsers.get(side).add(changes - relayed);
        this.relayed.get(side).add(relayed);
    }

    /** Changes read on the side since start-up that users made there. */
    public long changesFromUsers(Role side) {
        return fromUsers.get(side).sum();
    }

    /** Changes read on the side since start-up that another pair wrote there. */
    public long changesRelayed(Role side) {
        return relayed.get(side).sum();
    }

    /** Remembers the change key a write will produce when its side is read again. */
    public void expectEcho(String changeKey) {
        if (expectedEchoes.size() > 1_000_000) {
            expectedEchoes.clear(); // a side whose cursor does not move on our writes never echoes; do not grow for ever
        }
        expectedEchoes.add(changeKey);
    }

    /** Called for a change skipped as unchanged: counts it as an echo when it is one of our writes coming back. */
    public void skipped(String changeKey) {
        if (expectedEchoes.remove(changeKey)) {
            echoes.increment();
        }
    }

    public long echoes() {
        return echoes.sum();
    }

    /** Counts links whose conflict a policy resolved. */
    public void resolved(long n) {
        resolved.add(n);
    }

    public long resolved() {
        return resolved.sum();
    }

    /** Counts records applied again at once: they changed while their chunk was applied (read again once its links moved). */
    public void appliedAgain(long n) {
        appliedAgain.add(n);
    }

    public long recordsAppliedAgain() {
        return appliedAgain.sum();
    }

    /** Counts a chunk read again with both sides locked: rows it read without locks changed, or were held, before it could lock them. */
    public void chunkLockedAgain() {
        lockedAgain.increment();
    }

    public long chunksLockedAgain() {
        return lockedAgain.sum();
    }

    public void deleted(long n) {
        deleted.add(n);
    }

    public long deleted() {
        return deleted.sum();
    }

    /** Why the mass-delete guard holds the pair, or null. */
    public synchronized String deleteGuard() {
        return deleteGuard;
    }

    public synchronized void deleteGuard(String reason) {
        deleteGuard = reason;
    }

    /**
     * How long to wait after {@code inARow} failures in a row: {@code first}, then twice as long after each
     * further failure, at most {@code max} (and never less than a second).
     */
    static Duration backoff(int inARow, Duration first, Duration max) {
        long millis = Math.min(max.toMillis(), first.toMillis() << Math.min(inARow - 1, 20));
        return Duration.ofMillis(Math.max(1000, millis));
    }

    /** A two-way window was applied: the windows of the pair are no longer held back. */
    public synchronized void applied() {
        applyError = null;
        applyFailures = 0;
        nextApply = null;
    }

    /**
     * A two-way window could not be applied: window recovery tries it again after {@code first}, then twice as
     * long after each further failure, at most {@code max}, and the pair is DOWN meanwhile.
     */
    public synchronized void applyFailed(String error, Duration first, Duration max) {
        applyError = error;
        applyFailures++;
        nextApply = Instant.now().plus(backoff(applyFailures, first, max));
    }

    /** True while window recovery waits before trying the pair's failed windows again. */
    public synchronized boolean applyInBackoff() {
        return nextApply != null && Instant.now().isBefore(nextApply);
    }

    /** Windows that failed to apply in a row; 0 once one is applied. */
    public synchronized int applyFailures() {
        return applyFailures;
    }

    /** When window recovery tries the pair's failed windows again, or null. */
    public synchronized Instant nextApply() {
        return nextApply;
    }

    /** Why the last window of a two-way pair could not be applied, or null. */
    public synchronized String applyError() {
        return applyError;
    }
}
