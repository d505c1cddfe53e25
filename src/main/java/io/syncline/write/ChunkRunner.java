package io.syncline.write;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;

/**
 * Applies independent chunks of a window side by side. A chunk mostly waits for the databases (rows locked and read,
 * updates, commits), so more chunks in flight keep both the sides and the state store busy. Chunks are independent
 * when no two of them can touch one record: each holds records already linked, none looked up by natural key.
 *
 * <p>The thread that applies the window works through the chunks itself, and helper threads of a small pool shared by
 * all pairs join it when they are free: a window never waits for the pool, so pairs do not queue behind each other's
 * windows, and a server that is stopping (its pool gone) still applies the window it began.
 */
@ApplicationScoped
public class ChunkRunner {

    /**
     * Chunks in flight at once for a window: its own thread and helpers. Each chunk holds a connection to each side while
     * it is applied. Four rather than two shortened the two-way benchmark's warm rounds by about a fifth on the PostgreSQL
     * state store and by more on H2 (docs/benchmarks.md, "Four chunks of a window in flight"); six were no faster beyond
     * the machine's spread, and would leave a system's pool (eight connections by default) less room for the polls of the
     * pairs that share it.
     */
    static final int PARALLEL = 4;

    @Inject
    CamelContext camel;

    private ExecutorService helpers;

    ChunkRunner() {
    }

    /** On threads of its own, outside the server (a test). */
    ChunkRunner(ExecutorService helpers) {
        this.helpers = helpers;
    }

    @PostConstruct
    void start() {
        helpers = camel.getExecutorServiceManager().newFixedThreadPool(this, "syncline-chunks", PARALLEL - 1);
    }

    /**
     * Runs every chunk and returns their results in order. After a chunk fails, no chunk begins; those running finish.
     * Then the first failure is thrown: what was applied stays applied, and the window is applied again for the rest.
     */
    public <T> List<T> runAll(List<Supplier<T>> chunks) {
        Run<T> run = new Run<>(chunks);
        for (int i = 1; i < PARALLEL && chunks.size() > i; i++) {
            try {
                helpers.execute(run::work);
            } catch (RejectedExecutionException e) {
                break; // the server is stopping: this thread applies them alone
            }
        }
        run.work();
        run.awaitRunning();
        if (run.failure.get() != null) {
            throw run.failure.get();
        }
        return Arrays.asList(run.results);
    }

    /** One window's chunks, taken one at a time by whichever thread is free. */
    private static final class Run<T> {
        private final List<Supplier<T>> chunks;
        private final T[] results;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        /** Chunks being applied now; the window's thread returns only when none is. */
        private int running;

        @SuppressWarnings("unchecked")
        Run(List<Supplier<T>> chunks) {
            this.chunks = new ArrayList<>(chunks);
            this.results = (T[]) new Object[chunks.size()];
        }

        void work() {
            while (true) {
                synchronized (this) {
                    if (failure.get() != null || next.get() >= chunks.size()) {
                        return;
                    }
                    running++;
                }
                int i = next.getAndIncrement();
                try {
                    if (i < chunks.size()) {
                        results[i] = chunks.get(i).get();
                    }
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e));
                } finally {
                    synchronized (this) {
                        running--;
                        notifyAll();
                    }
                }
            }
        }

        /** Waits, through interrupts, until no chunk is being applied: none runs on once the window's lock is released. */
        synchronized void awaitRunning() {
            boolean interrupted = false;
            while (running > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
