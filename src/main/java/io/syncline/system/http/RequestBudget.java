package io.syncline.system.http;

import io.syncline.system.SystemException;
import java.util.concurrent.TimeUnit;

/**
 * The requests per second an API allows Syncline, shared by every pair and thread that calls it.
 *
 * <p>Each request takes the next free slot, the slots {@code 1/rate} apart, so requests go out evenly.
 * Slots alone do not keep the promise: threads that sleep towards their slots and wake late (a busy
 * machine, a collector's pause) all go at once. So a request also goes only when the last second, counted
 * at the moment of going, holds fewer than the rate (rounded down, at least one): no second ever holds more.
 */
final class RequestBudget {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** How the budget waits; a test may wake late on purpose. */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final long intervalNanos;
    private final Sleeper sleeper;
    /** When the last {@code sent.length} requests went, oldest at {@code oldest} once full. */
    private final long[] sent;
    private int count;
    private int oldest;
    private long next;

    /** @param perSecond requests per second; 0 or less: no limit */
    RequestBudget(double perSecond) {
        this(perSecond, TimeUnit.NANOSECONDS::sleep);
    }

    RequestBudget(double perSecond, Sleeper sleeper) {
        this.intervalNanos = perSecond > 0 ? (long) (SECOND / perSecond) : 0;
        this.sleeper = sleeper;
        this.sent = new long[perSecond > 0 ? Math.max(1, (int) Math.floor(perSecond)) : 0];
    }

    void take() {
        if (intervalNanos == 0) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long slot = Math.max(now, next);
            next = slot + intervalNanos;
            wait = slot - now;
        }
        pause(wait);
        while ((wait = go()) > 0) {
            pause(wait);
        }
    }

    /** Counts the request as going now and returns 0, or returns how long until the last second has room. */
    private synchronized long go() {
        long now = System.nanoTime();
        if (count == sent.length) {
            long room = sent[oldest] + SECOND - now;
            if (room > 0) {
                return room;
            }
            sent[oldest] = now;
            oldest = (oldest + 1) % sent.length;
        } else {
            sent[count++] = now;
        }
        return 0;
    }

    private void pause(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            sleeper.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemException("interrupted while waiting for the request budget", e);
        }
    }
}
