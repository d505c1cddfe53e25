package io.syncline.system.http;

import io.syncline.system.SystemException;
import java.util.concurrent.TimeUnit;

/**
 * The requests per second an API allows Syncline, shared by every pair and thread that calls it: each
 * request takes the next free slot, the slots {@code 1/rate} apart, so no second ever holds more than
 * the rate (plus the request that opens it).
 */
final class RequestBudget {

    private final long intervalNanos;
    private long next;

    /** @param perSecond requests per second; 0 or less: no limit */
    RequestBudget(double perSecond) {
        this.intervalNanos = perSecond > 0 ? (long) (TimeUnit.SECONDS.toNanos(1) / perSecond) : 0;
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
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SystemException("interrupted while waiting for the request budget", e);
            }
        }
    }
}
