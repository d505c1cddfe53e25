package io.syncline.state;

import java.time.Duration;
import java.time.Instant;

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
    private String lastError;
    private int consecutiveFailures;
    private Instant nextAttempt;
    private long loadDone;
    private long loadTotal;

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

    public synchronized String lastError() {
        return lastError;
    }

    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    public synchronized Instant nextAttempt() {
        return nextAttempt;
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

    public synchronized void pollSucceeded() {
        lastSuccess = Instant.now();
        lastProgress = lastSuccess;
        lastError = null;
        consecutiveFailures = 0;
        nextAttempt = null;
        loadDone = 0;
        loadTotal = 0;
        if (state != State.PAUSED) {
            state = State.RUNNING;
        }
    }

    /** Records the failure and when to try again: doubling from one second up to {@code maxBackoff}. */
    public synchronized void pollFailed(String error, Duration maxBackoff) {
        lastError = error;
        consecutiveFailures++;
        long seconds = Math.min(maxBackoff.toSeconds(), 1L << Math.min(consecutiveFailures - 1, 20));
        nextAttempt = Instant.now().plusSeconds(Math.max(1, seconds));
        loadDone = 0;
        loadTotal = 0;
        if (state != State.PAUSED) {
            state = State.FAILING;
        }
    }

    public synchronized boolean inBackoff() {
        return nextAttempt != null && Instant.now().isBefore(nextAttempt);
    }

    public synchronized void paused(boolean paused) {
        if (paused) {
            state = State.PAUSED;
        } else if (state == State.PAUSED) {
            state = lastError == null ? State.RUNNING : State.FAILING;
            lastProgress = Instant.now();
        }
    }
}
