package io.syncline.write;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A write that a database aborted to break a deadlock with another transaction (another pair writing the same table, an
 * application's own): its transaction rolled back (a one-way page written record by record may have committed the records
 * before it, which an upsert writes again unchanged), so it is made again at once, a few times, after a short random pause,
 * longer with each try and never the same for two pairs, so that transactions that collided do not collide again.
 */
final class LockConflicts {

    /** Attempts after the first, before the write fails as any other. */
    static final int MAX = 5;

    private LockConflicts() {
    }

    /** Waits before attempt {@code tries} + 1: up to 100 ms per attempt made, so that the two transactions drift apart. */
    static void pause(int tries) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(20, 100L * tries));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to write again after a deadlock", e);
        }
    }
}
