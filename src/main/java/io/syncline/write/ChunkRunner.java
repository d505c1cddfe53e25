package io.syncline.write;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;

/**
 * Applies independent chunks of a window side by side. A chunk mostly waits for the databases (rows locked and read,
 * updates, commits), so a second chunk in flight keeps both the sides and the state store busy. Chunks are independent
 * when no two of them can touch one record: each holds records already linked, none looked up by natural key.
 */
@ApplicationScoped
public class ChunkRunner {

    /** Chunks in flight at once, over all pairs. */
    static final int PARALLEL = 2;

    @Inject
    CamelContext camel;

    private ExecutorService threads;

    ChunkRunner() {
    }

    /** On threads of its own, outside the server (a test). */
    ChunkRunner(ExecutorService threads) {
        this.threads = threads;
    }

    @PostConstruct
    void start() {
        threads = camel.getExecutorServiceManager().newFixedThreadPool(this, "syncline-chunks", PARALLEL);
    }

    /**
     * Runs every chunk and returns their results in order. After a chunk fails, the chunks not yet begun are skipped;
     * those running finish. Then the first failure is thrown: what was applied stays applied, and the window is applied
     * again for the rest.
     */
    public <T> List<T> runAll(List<Supplier<T>> chunks) {
        AtomicBoolean failed = new AtomicBoolean();
        List<Future<T>> running = new ArrayList<>(chunks.size());
        RuntimeException failure = null;
        for (Supplier<T> chunk : chunks) {
            try {
                running.add(threads.submit(() -> {
                    if (failed.get()) {
                        return null;
                    }
                    try {
                        return chunk.get();
                    } catch (RuntimeException | Error e) {
                        failed.set(true);
                        throw e;
                    }
                }));
            } catch (RejectedExecutionException e) { // the server is stopping: the window is kept, and applied after the restart
                failed.set(true);
                failure = new IllegalStateException("the server is stopping; the window is applied again after it starts", e);
                break;
            }
        }
        List<T> results = new ArrayList<>(chunks.size());
        boolean interrupted = false;
        for (Future<T> chunk : running) {
            while (true) { // every chunk is waited for, even when interrupted: none runs on once the window's lock is released
                try {
                    results.add(chunk.get());
                    break;
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause().getMessage(), e.getCause());
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    failed.set(true); // the chunks not yet begun are skipped
                    if (failure == null) {
                        failure = new IllegalStateException("interrupted while applying a window", e);
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }
}
