package io.syncline.write;

import io.syncline.system.Entity;
import io.syncline.system.SystemException;
import io.syncline.value.Redaction;
import io.syncline.pair.Pair;
import io.syncline.change.Change;
import io.syncline.change.Page;
import io.syncline.state.DeadLetters;
import io.syncline.state.SyncState;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import io.syncline.system.Position;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
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
    DeadLetters deadLetters;

    @Inject
    CamelContext camel;

    @Inject
    Faults faults;

    private final Map<String, WriteQueue> queues = new ConcurrentHashMap<>();
    /** Held while a pair's page is written (its target, then its links), or while its reconciliation deletes. */
    private final Map<String, ReentrantLock> writing = new ConcurrentHashMap<>();
    /** Prepares a page's state commit while the target is written; Camel stops it, and the pairs' write threads, with the context. */
    private ExecutorService stateWriter;

    @PostConstruct
    void start() {
        stateWriter = camel.getExecutorServiceManager().newCachedThreadPool(this, "syncline-state-writer");
    }

    /** Marks one change as to be written; the apply route calls it for what the idempotent consumer let through. */
    public void stage(Exchange exchange) throws Exception {
        Change change = exchange.getMessage().getBody(Change.class);
        if (change == null || change.page() == null || change.hash() == null) {
            throw new IllegalStateException("writer.stage runs inside the split of a page's changes (${body.changes}); run the mapping step first");
        }
        change.page().stage(change);
    }

    /**
     * Takes the page for writing and returns: the page is written by the pair's write thread, in
     * the order pages are taken, while the route maps the next one. At most two pages per pair
     * wait, so memory stays bounded. A page whose predecessor failed is not written, so the
     * cursor never passes a page that is not on the target.
     */
    public void write(Exchange exchange) throws Exception {
        Page page = exchange.getMessage().getMandatoryBody(Page.class);
        Page taken = page;
        page.handedOver();
        WriteQueue queue = queues.computeIfAbsent(page.pair().name(),
                pair -> new WriteQueue(camel.getExecutorServiceManager().newSingleThreadExecutor(this, "syncline-writer-" + pair)));
        if (page.isDelivered()) {
            queue.submitDelivered(page, () -> writeDelivered(queue));
            return;
        }
        queue.submit(() -> {
            CompletableFuture<Integer> before = taken.predecessorWritten();
            if (before != null && before.isCompletedExceptionally()) {
                before.whenComplete((n, error) -> taken.written().completeExceptionally(error));
                return;
            }
            try {
                taken.written().complete(writeNow(taken.pair(), taken.staged(), taken.end(), taken.resyncs(), taken.isFirstLoad(), taken.readAt())
                        .size());
            } catch (Exception | Error e) {
                taken.written().completeExceptionally(e);
            }
        });
    }

    /**
     * Writes every delivered page waiting (webhooks that arrived while the previous write ran) as one: one
     * transaction on the target and one state commit for all of them (group commit). A record named by
     * several is written once, in its newest state (by change marker) among them.
     */
    private void writeDelivered(WriteQueue queue) {
        List<Page> pages = queue.takeDelivered();
        if (pages.isEmpty()) {
            return; // taken by an earlier drain
        }
        Map<String, Change> latest = new LinkedHashMap<>();
        pages.forEach(p -> p.staged().forEach(c -> {
            Change held = latest.get(c.recordId());
            if (held == null || c.position() == null || held.position() == null || Position.compare(c.position(), held.position()) >= 0) {
                latest.put(c.recordId(), c);
            }
        }));
        try {
            Set<String> written = new HashSet<>();
            long readAt = pages.stream().mapToLong(Page::readAt).min().orElseThrow();
            writeNow(pages.get(0).pair(), List.copyOf(latest.values()), null, 0, false, readAt).forEach(c -> written.add(c.recordId()));
            pages.forEach(p -> p.written().complete((int) p.staged().stream().filter(c -> written.contains(c.recordId())).count()));
        } catch (Exception | Error e) {
            pages.forEach(p -> p.written().completeExceptionally(e));
        }
    }

    /**
     * Writes staged changes of a pair and moves the cursor to {@code end} (null: it stays) unless a resync began after
     * the poll's {@code resyncs}; returns the changes written. {@code firstLoad}: they come from a full load that began
     * with no links ({@link Page#isFirstLoad}); {@code readAt}: see {@link Page#readAt}.
     */
    private List<Change> writeNow(Pair pair, List<Change> staged, Position end, long resyncs, boolean firstLoad, long readAt)
            throws Exception {
        ReentrantLock lock = lock(pair.name());
        lock.lock();
        try {
            return writeHeld(pair, staged, end, resyncs, firstLoad, readAt);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code work} while no page of the pair is being written, and none begins: reconciliation deletes the target's
     * records of sources it found gone, so that a page that writes one of them again (created again in the source) goes
     * either wholly before the delete, which checks the source again, or wholly after it.
     */
    public void whileNoPageIsWritten(String pair, Runnable work) {
        ReentrantLock lock = lock(pair);
        lock.lock();
        try {
            work.run();
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock lock(String pair) {
        return writing.computeIfAbsent(pair, p -> new ReentrantLock(true)); // fair: neither pages nor a pass's deletes wait forever
    }

    /** Whether a page of the pair waits while reconciliation deletes ({@link #whileNoPageIsWritten}); tests wait for it. */
    public boolean pageWaiting(String pair) {
        ReentrantLock lock = writing.get(pair);
        return lock != null && lock.hasQueuedThreads();
    }

    private List<Change> writeHeld(Pair pair, List<Change> staged, Position end, long resyncs, boolean firstLoad, long readAt)
            throws Exception {
        String side = pair.source().name();
        if (staged.isEmpty()) {
            if (end != null && !end.isStart()) { // a page of a side without change marker leaves its cursor at the start
                state.commitPage(pair.name(), side, List.of(), end, resyncs, readAt);
            }
            return List.of();
        }
        // the state store records the page while the target is written; it commits only after the target did
        CompletableFuture<SyncState.PageCommit> links = CompletableFuture.supplyAsync(
                () -> state.preparePage(pair.name(), side, written(staged), end, resyncs, firstLoad, readAt), stateWriter);
        Map<String, String> refused;
        try {
            refused = upsert(pair, staged);
            faults.at(pair.name(), Faults.AFTER_TARGET_COMMIT, staged.stream().map(Change::recordId).toList());
        } catch (Exception e) {
            links.handle((commit, error) -> {
                if (commit != null) {
                    commit.close();
                }
                return null;
            }).join(); // rolled back while the page holds its pair's lock: a pass's deletes find the links free
            throw e;
        }
        try (SyncState.PageCommit commit = links.join()) {
            if (refused.isEmpty()) {
                commit.commit();
                return staged;
            }
        } // closed uncommitted: it holds the state store's locks, which the dead letters need
        List<Change> written = new ArrayList<>(staged.size());
        for (Change change : staged) {
            String reason = refused.get(change.recordId());
            if (reason == null) {
                written.add(change);
            } else {
                deadLetters.store(pair.name(), change.side(), change.recordId(), reason, String.valueOf(change.row()));
            }
        }
        state.commitPage(pair.name(), side, written(written), end, resyncs, readAt);
        return written;
    }

    private static List<SyncState.Written> written(List<Change> changes) {
        return changes.stream().map(c -> new SyncState.Written(c.recordId(), c.targetId(), c.hash())).toList();
    }

    /**
     * One pair's pages in write order, on one thread, with at most two poll pages waiting; delivered pages
     * (webhooks) wait apart, up to {@link #DELIVERED} of them, and are written together.
     */
    private static final class WriteQueue {
        private static final int DELIVERED = 1000;
        private final Semaphore slots = new Semaphore(2);
        private final Semaphore deliveredSlots = new Semaphore(DELIVERED);
        private final ConcurrentLinkedQueue<Page> delivered = new ConcurrentLinkedQueue<>();
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

        void submitDelivered(Page page, Runnable drain) throws InterruptedException {
            deliveredSlots.acquire();
            delivered.add(page);
            thread.execute(drain);
        }

        List<Page> takeDelivered() {
            List<Page> pages = new ArrayList<>();
            for (Page page = delivered.poll(); page != null; page = delivered.poll()) {
                pages.add(page);
            }
            deliveredSlots.release(pages.size());
            return pages;
        }
    }

    /**
     * Writes the changes and returns those not written, with the reason: the records the target
     * refused, and records of one page that map to the same target key (which of them the target
     * should hold is not Syncline's to guess).
     */
    private Map<String, String> upsert(Pair pair, List<Change> changes) {
        Map<String, String> refused = new HashMap<>(sameTargetKey(pair, changes));
        List<Change> writable = refused.isEmpty() ? changes : changes.stream().filter(c -> !refused.containsKey(c.recordId())).toList();
        List<Entity.Write> writes = writable.stream().map(c -> new Entity.Write(c.recordId(), c.targetValues())).toList();
        for (int lockConflicts = 0;; ) {
            try {
                refused.putAll(pair.target().entity().upsert(writes));
                break;
            } catch (SystemException e) {
                if (!e.lockConflict() || ++lockConflicts > LockConflicts.MAX) {
                    throw e;
                }
                LOG.infof("pair '%s': %s; the page is written again (attempt %d)", pair.name(), Redaction.firstLine(e), lockConflicts + 1);
                LockConflicts.pause(lockConflicts);
            }
        }
        if (!refused.isEmpty()) {
            LOG.debugf("pair '%s': %d records of a page not written to %s; they are dead letters", pair.name(), refused.size(),
                    pair.target().reference());
        }
        return refused;
    }

    /**
     * The records of a page that share their target key with another record of it (a key column that
     * is not unique at the source, or values the mapping makes equal), with the reason.
     */
    private static Map<String, String> sameTargetKey(Pair pair, List<Change> changes) {
        Map<String, List<String>> byKey = new HashMap<>();
        changes.forEach(change -> byKey.computeIfAbsent(change.targetId(), k -> new ArrayList<>()).add(change.recordId()));
        Map<String, String> refused = new HashMap<>();
        byKey.forEach((key, ids) -> {
            if (ids.size() > 1) {
                ids.forEach(id -> refused.put(id, ids.size() + " records of " + pair.source().reference() + " " + ids + " have one value of the key"
                        + " field '" + pair.key() + "' of " + pair.target().reference() + ", '" + key + "'; make the key unique at the source"));
            }
        });
        return refused;
    }
}
