package io.syncline.write;

import io.syncline.system.Entity;
import io.syncline.pair.Pair;
import io.syncline.change.Change;
import io.syncline.change.Page;
import io.syncline.state.SyncState;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * The writer of an apply route: upserts a page's changed records into the target in multi-row
 * statements, one transaction per page, then commits links and cursor in the state store.
 * A record the target refuses becomes a dead letter; a target that cannot be reached fails the
 * page, which is read again after a backoff.
 */
@ApplicationScoped
@Named("writer")
public class JdbcWriter {

    private static final Logger LOG = Logger.getLogger(JdbcWriter.class);

    @Inject
    SyncState state;

    @Inject
    CamelContext camel;

    private final Map<String, WriteQueue> queues = new ConcurrentHashMap<>();
    /** Prepares a page's state commit while the target is written; Camel stops it, and the pairs' write threads, with the context. */
    private ExecutorService stateWriter;

    @PostConstruct
    void start() {
        stateWriter = camel.getExecutorServiceManager().newCachedThreadPool(this, "syncline-state-writer");
    }

    /** Marks one change as to be written; the apply route calls it for what the idempotent consumer let through. */
    public void stage(Exchange exchange) throws Exception {
        Page page = exchange.getProperty(Page.PROPERTY, Page.class);
        if (page == null) {
            throw new IllegalStateException("writer.stage runs inside the split of a page; run the mapping step first");
        }
        page.stage(exchange.getMessage().getMandatoryBody(Change.class));
    }

    /**
     * Takes the page for writing and returns: the page is written by the pair's write thread, in
     * the order pages are taken, while the route maps the next one. At most two pages per pair
     * wait, so memory stays bounded. A page whose predecessor failed is not written, so the
     * cursor never passes a page that is not on the target.
     */
    public void write(Exchange exchange) throws Exception {
        Page page = exchange.getProperty(Page.PROPERTY, Page.class);
        if (page == null) {
            page = exchange.getMessage().getMandatoryBody(Page.class);
        }
        Page taken = page;
        page.handedOver();
        queues.computeIfAbsent(page.pair().name(), pair -> new WriteQueue(camel.getExecutorServiceManager().newSingleThreadExecutor(this, "syncline-writer-" + pair))).submit(() -> {
            CompletableFuture<Integer> before = taken.predecessorWritten();
            if (before != null && before.isCompletedExceptionally()) {
                before.whenComplete((n, error) -> taken.written().completeExceptionally(error));
                return;
            }
            try {
                taken.written().complete(writeNow(taken));
            } catch (Exception | Error e) {
                taken.written().completeExceptionally(e);
            }
        });
    }

    private int writeNow(Page page) throws Exception {
        Pair pair = page.pair();
        String side = pair.source().name();
        List<Change> staged = page.staged();
        if (staged.isEmpty()) {
            state.commitPage(pair.name(), side, List.of(), page.end());
            return 0;
        }
        // the state store records the page while the target is written; it commits only after the target did
        CompletableFuture<SyncState.PageCommit> links = CompletableFuture.supplyAsync(
                () -> state.preparePage(pair.name(), side, written(staged), page.end()), stateWriter);
        List<Change> written;
        try {
            written = upsert(pair, staged);
        } catch (Exception e) {
            links.handle((commit, error) -> {
                if (commit != null) {
                    commit.close();
                }
                return null;
            });
            throw e;
        }
        try (SyncState.PageCommit commit = links.join()) {
            if (written.size() == staged.size()) {
                commit.commit();
            }
        }
        if (written.size() != staged.size()) {
            state.commitPage(pair.name(), side, written(written), page.end());
        }
        return written.size();
    }

    private static List<SyncState.Written> written(List<Change> changes) {
        return changes.stream().map(c -> new SyncState.Written(c.recordId(), c.targetId(), c.hash())).toList();
    }

    /** One pair's pages in write order, on one thread, with at most two waiting. */
    private static final class WriteQueue {
        private final Semaphore slots = new Semaphore(2);
        private final ExecutorService thread;

        WriteQueue(ExecutorService thread) {
            this.thread = thread;
        }

        void submit(Runnable write) throws InterruptedException {
            slots.acquire();
            thread.execute(() -> {
                try {
                    write.run();
                } finally {
                    slots.release();
                }
            });
        }
    }

    /** Returns the changes written; those the target refused are stored as dead letters. */
    private List<Change> upsert(Pair pair, List<Change> changes) {
        Map<String, String> refused = pair.target().entity().upsert(changes.stream().map(c -> new Entity.Write(c.recordId(), c.targetValues())).toList());
        if (refused.isEmpty()) {
            return changes;
        }
        LOG.warnf("pair '%s': target %s refused %d records of a page; they are dead letters", pair.name(), pair.target().reference(),
                refused.size());
        List<Change> written = new ArrayList<>(changes.size());
        for (Change change : changes) {
            String reason = refused.get(change.recordId());
            if (reason == null) {
                written.add(change);
            } else {
                state.deadLetter(pair.name(), change.side(), change.recordId(), "target " + reason, String.valueOf(change.row()));
            }
        }
        return written;
    }
}
