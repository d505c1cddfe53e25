package io.syncline.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The chunks of a window applied side by side: all of them, or on a failure none begun after it and none left running. */
class ChunkRunnerTest {

    private final ExecutorService threads = Executors.newFixedThreadPool(ChunkRunner.PARALLEL);
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
    void aFailedChunkFailsTheWindowOnceTheChunkRunningBesideItHasEndedAndNoChunkBeginsAfterIt() throws Exception {
        CountDownLatch besideBegun = new CountDownLatch(1);
        CountDownLatch failing = new CountDownLatch(1);
        AtomicBoolean besideEnded = new AtomicBoolean();
        AtomicInteger begunAfter = new AtomicInteger();
        Supplier<Integer> beside = () -> {
            besideBegun.countDown();
            try {
                assertTrue(failing.await(5, TimeUnit.SECONDS));
                Thread.sleep(300); // still writing when its neighbour fails
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            besideEnded.set(true);
            return 1;
        };
        Supplier<Integer> fails = () -> {
            try {
                assertTrue(besideBegun.await(5, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            failing.countDown();
            throw new IllegalStateException("helpdesk.users does not answer");
        };
        Supplier<Integer> later = () -> {
            begunAfter.incrementAndGet();
            return 3;
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> runner.runAll(List.of(fails, beside, later, later)));
        assertEquals("helpdesk.users does not answer", e.getMessage());
        assertTrue(besideEnded.get(), "the window's failure is thrown only once the chunk beside it has ended");
        assertEquals(0, begunAfter.get(), "no chunk begins after one failed");
    }
}
