package io.syncline.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The chunks of a window applied side by side, by the window's thread and helpers, {@link ChunkRunner#PARALLEL} in flight
 * at once: all of them, or on a failure none begun after it and none left running; and without the helpers, by the
 * window's thread alone.
 */
class ChunkRunnerTest {

    private final ExecutorService threads = Executors.newFixedThreadPool(ChunkRunner.PARALLEL - 1);
    private final ChunkRunner runner = new ChunkRunner(threads);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void everyChunkIsAppliedAndTheResultsComeInOrder() {
        List<Supplier<Integer>> chunks = List.of(() -> 1, () -> 2, () -> 3, () -> 4, () -> 5);
        assertEquals(List.of(1, 2, 3, 4, 5), runner.runAll(chunks));
    }

    @Test
    void asManyChunksAsThePoolAllowsAreInFlightAtOnce() {
        CountDownLatch inFlight = new CountDownLatch(ChunkRunner.PARALLEL);
        Supplier<Integer> chunk = () -> { // each waits until all are in flight: one at a time, they would wait in vain
            inFlight.countDown();
            await(inFlight);
            return 1;
        };
        assertEquals(ChunkRunner.PARALLEL, runner.runAll(Collections.nCopies(ChunkRunner.PARALLEL, chunk)).size());
    }

    @Test
    void aFailedChunkFailsTheWindowOnceTheChunkRunningBesideItHasEndedAndNoChunkBeginsAfterIt() {
        for (int run = 0; run < 10; run++) { // which thread takes which chunk varies: each way must hold
            CountDownLatch besideBegun = new CountDownLatch(1);
            CountDownLatch failing = new CountDownLatch(1);
            AtomicBoolean besideEnded = new AtomicBoolean();
            AtomicInteger begunAfter = new AtomicInteger();
            AtomicReference<Thread> failingThread = new AtomicReference<>();
            Supplier<Integer> beside = () -> {
                besideBegun.countDown();
                await(failing);
                awaitFailed(failingThread.get()); // still writing when its neighbour has failed
                sleep(50);
                besideEnded.set(true);
                return 1;
            };
            Supplier<Integer> fails = () -> {
                failingThread.set(Thread.currentThread());
                await(besideBegun);
                failing.countDown();
                throw new IllegalStateException("helpdesk.users does not answer");
            };
            Supplier<Integer> later = () -> {
                begunAfter.incrementAndGet();
                return 3;
            };
            List<Supplier<Integer>> chunks = new ArrayList<>(List.of(fails)); // the first chunks in flight at once, then two more
            chunks.addAll(Collections.nCopies(ChunkRunner.PARALLEL - 1, beside));
            chunks.addAll(List.of(later, later));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> runner.runAll(chunks));
            assertEquals("helpdesk.users does not answer", e.getMessage());
            assertTrue(besideEnded.get(), "the window's failure is thrown only once the chunk beside it has ended");
            assertEquals(0, begunAfter.get(), "no chunk begins after one failed");
        }
    }

    @Test
    void aWindowIsAppliedByItsOwnThreadWhenTheHelpersAreBusyOrGone() {
        threads.shutdownNow(); // a stopping server: its pool takes nothing more
        List<Supplier<Integer>> chunks = List.of(() -> 1, () -> 2, () -> 3);
        assertEquals(List.of(1, 2, 3), runner.runAll(chunks));
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until the thread of the failed chunk has gone on to wait: for the chunk beside (the window's thread) or for
     * more work (a helper). Its failure is recorded before it waits, whichever thread it is and however slow the machine.
     */
    private static void awaitFailed(Thread thread) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!EnumSet.of(Thread.State.WAITING, Thread.State.TIMED_WAITING, Thread.State.TERMINATED).contains(thread.getState())) {
            assertTrue(System.nanoTime() < until, "the failed chunk's thread went on to wait: " + thread.getState());
            Thread.onSpinWait();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
