package io.syncline.read;

import io.syncline.system.Entity;
import io.syncline.system.SystemException;
import io.syncline.value.Redaction;
import io.syncline.reconcile.Reconciler;
import io.syncline.change.Page;
import io.syncline.change.Change;
import io.syncline.pair.Pair;
import io.syncline.pair.PairConfigException;
import io.syncline.pair.Pairs;
import io.syncline.pair.Side;
import io.syncline.state.Inbox;
import io.syncline.state.PairStatus;
import io.syncline.system.Position;
import io.syncline.state.DeadLetters;
import io.syncline.state.SyncState;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.LongAdder;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.jboss.logging.Logger;

/**
 * The polling reader of a pair's source table: one streaming query per poll, ordered by
 * (cursor, id) from the stored cursor minus the lookback, handed out as pages. On the first run
 * the cursor is empty, so the poll is the full load of the table, with progress in the log.
 */
@ApplicationScoped
@Named("reader")
public class JdbcReader {

    private static final Logger LOG = Logger.getLogger(JdbcReader.class);

    @Inject
    Pairs pairs;

    @Inject
    SyncState state;

    @Inject
    DeadLetters deadLetters;

    @Inject
    Reconciler reconciler;

    @Inject
    Inbox inbox;

    /** A delivery stored this long ago and not applied is the poll's to apply (a younger one is being applied by its request). */
    private static final Duration UNAPPLIED = Duration.ofSeconds(10);

    private final Set<String> polling = ConcurrentHashMap.newKeySet();
    /**
     * Sides without change marker ("pair/side") read whole to the end, with records, since the server started, with the
     * pair's resync count then: their later polls are comparisons, whether or not any record of the read became a link
     * (all may be dead letters), and need not ask the links table whether this is a first load.
     */
    private final Map<String, Long> comparedOnce = new ConcurrentHashMap<>();
    @Inject
    CamelContext camel;

    /** Reads a poll's next page while the route maps and writes the current one; Camel stops it with the context. */
    private ExecutorService prefetch;

    @PostConstruct
    void start() {
        prefetch = camel.getExecutorServiceManager().newCachedThreadPool(this, "syncline-reader");
    }

    /**
     * Starts a poll of one side ("a" or "b", from the poll Kamelet) of a pair and returns its pages, to be split
     * one by one into the pair's apply route; a one-way pair's source is its side "a". Returns no pages while
     * the side is paused, backing off after a failure, or still busy with the previous poll.
     */
    public Iterator<Page> poll(String pairName, String sideName, Exchange exchange) {
        Pair pair = pairs.declared(pairName).orElseThrow(() -> new IllegalArgumentException("unknown pair '" + pairName + "'"));
        String pollKey = pairName + "/" + sideName;
        PairStatus status = state.status(pairName);
        if (status.state() == PairStatus.State.PAUSED || status.inBackoff(sideName) || !polling.add(pollKey)) {
            return Collections.emptyIterator();
        }
        status.pollStarted();
        Instant started = Instant.now();
        PagedPoll poll;
        Side side;
        try {
            pairs.ensureReady(pair); // a pair whose system did not answer at start-up starts once it does
            side = pair.side(sideName);
            if (pair.isTwoWay()) {
                reconciler.firstRun(pair); // match what exists on both sides before a full load could copy it
            }
            long resyncs = state.resyncs(pairName); // before the cursor: a resync in between drops this poll's pages
            if (resyncs % 2 != 0) { // a resync is being stored: the cursor read now could be the one it resets
                polling.remove(pollKey);
                return Collections.emptyIterator();
            }
            // a side without change marker is read whole on every poll; its cursor never moves
            poll = new PagedPoll(pair, side, side.cursor() == null ? Position.START : state.cursor(pairName, side.name()), resyncs);
        } catch (RuntimeException e) {
            polling.remove(pollKey);
            failed(pair, sideName, e);
            return Collections.emptyIterator();
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                String problem = poll.finish(); // waits for the pages still being written
                poll.close();
                polling.remove(pollKey);
                if (problem != null && poll.overtakenByResync()) {
                    overtaken(pair, sideName);
                } else if (problem != null) {
                    failed(pair, sideName, new IllegalStateException(problem));
                } else {
                    status.pollSucceeded(sideName, started);
                }
            }

            @Override
            public void onFailure(Exchange done) {
                poll.awaitWrites();
                poll.close();
                polling.remove(pollKey);
                Throwable cause = done.getException();
                if (poll.overtakenByResync() || causedByResync(cause)) {
                    overtaken(pair, sideName);
                } else {
                    failed(pair, sideName, cause != null ? cause : new IllegalStateException(poll.failure));
                }
            }
        });
        return poll;
    }

    /**
     * A page of the records a webhook named, read from the side as it holds them now (a record that is gone is
     * left out); the cursor stays where the polls left it.
     */
    public Page delivered(Pair pair, Side side, List<String> ids) {
        long readAt = deadLetters.stamp();
        List<Change> changes = new ArrayList<>();
        side.entity().fetch(ids).values().forEach(r -> changes.add(Change.read(pair.name(), side.name(), r.id(), r.values(), r.marker())));
        return Page.delivered(pair, side, changes, readAt);
    }

    /**
     * A poll whose pages a resync overtook: not a failure; the next poll starts the resync (and meets again whatever else
     * may have gone wrong with this one).
     */
    private void overtaken(Pair pair, String sideName) {
        state.status(pair.name()).progressed(0, 0); // a full load it was is not going on
        LOG.infof("pair '%s', side '%s': a resync began during this poll; its pages did not move the cursor, and the next poll"
                + " starts the resync", pair.name(), sideName);
    }

    private static boolean causedByResync(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SyncState.ResyncBegan) {
                return true;
            }
        }
        return false;
    }

    /**
     * A poll that failed: counted, backed off and logged as an error, unless the server is stopping. Then the pools and
     * connections close under the polls still running (a page's read is refused by a pool shut down), and the poll ends
     * without alarm: its cursor stays where its last written page left it, and the next start reads on from there.
     */
    void failed(Pair pair, String sideName, Throwable e) {
        if (camel.isStopping() || camel.isStopped()) {
            LOG.infof("pair '%s', side '%s': poll ended as the server stops (%s); the next start reads on from the cursor", pair.name(),
                    sideName, Redaction.firstLine(e));
            return;
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && !(root instanceof SystemException)) {
            root = root.getCause(); // Syncline's own message on a system, else the driver's
        }
        String reason = root instanceof PairConfigException // every problem of the pair file
                ? Redaction.of(root.getMessage().lines().map(String::strip).collect(Collectors.joining(" "))) : Redaction.firstLine(root);
        PairStatus status = state.status(pair.name());
        status.pollFailed(sideName, reason, pair.maxBackoff());
        LOG.errorf("pair '%s', side '%s': poll failed (attempt %d, next in %s): %s", pair.name(), sideName,
                status.consecutiveFailures(), Duration.between(Instant.now(), status.nextAttempt(sideName)).toSeconds() + "s", reason);
    }

    /** One poll: an open streaming query, read a page at a time. */
    private final class PagedPoll implements Iterator<Page>, AutoCloseable {

        private final Pair pair;
        private final Side source;
        /** The poll reads every record of the side: a full load, or a side without change marker compared whole. */
        private final boolean wholeSide;
        /** A full load: the side's first read (or after a resync), shown as such in the status and the log. */
        private final boolean fullLoad;
        private final boolean firstLoad;
        private final long resyncs;
        /** The dead letters' stamp before the feed's query ({@link Page#readAt}). */
        private final long readAt;
        /** A page of it failed because a resync began (its own poll's, or another's stored with it). */
        private volatile boolean overtaken;
        private final Entity.Feed feed;
        private final long started = System.nanoTime();
        private long total;
        private boolean sizeKnown;
        private long done;
        private final LongAdder written = new LongAdder();
        private final LongAdder deadLettered = new LongAdder();
        private long lastLog = System.nanoTime();
        private Page previous;
        private CompletableFuture<Read> ahead;
        private boolean exhausted;
        private String failure;
        private boolean inboxRead;

        PagedPoll(Pair pair, Side source, Position cursor, long resyncs) {
            this.pair = pair;
            this.source = source;
            this.resyncs = resyncs;
            this.wholeSide = cursor.isStart();
            readAt = deadLetters.stamp(); // before the feed's query: what it reads may be older than a dead letter recorded after
            feed = source.entity().changedSince(cursor, pair.lookback(), pair.pageSize());
            sizeKnown = feed.size() >= 0;
            total = Math.max(0, feed.size());
            // A full load of a pair without links (the first one, or after a resync) need not look any hash up. An empty
            // table is polled again and again from the start: it does not ask, as the question reads the links table.
            boolean readBefore = Long.valueOf(resyncs).equals(comparedOnce.get(key()));
            try {
                this.firstLoad = wholeSide && !readBefore && feed.size() != 0 && !state.hasLinks(pair.name());
            } catch (RuntimeException e) {
                feed.close(); // the state store failed: the source's connection goes back to its pool
                throw e;
            }
            // a side without change marker: its first read is a full load, every later poll a comparison
            this.fullLoad = wholeSide && (source.cursor() != null || firstLoad);
            if (fullLoad && total > 0) { // an empty table is read again on every poll until it has rows: no news
                LOG.infof("pair '%s': full load of %s started: %,d rows", pair.name(), source.reference(), total);
            }
        }

        @Override
        public boolean hasNext() {
            return !exhausted && failure == null;
        }

        @Override
        public Page next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (previous != null && !previous.isHandedOver()) {
                failure = notWritten();
                throw new IllegalStateException(failure);
            }
            if (previous != null && previous.written().isCompletedExceptionally()) {
                failure = writeFailure(previous);
                throw new IllegalStateException(failure);
            }
            if (!inboxRead) { // webhook deliveries stored and not applied (a crash, a target that was down) come first
                inboxRead = true;
                List<Inbox.Pending> pending = inbox.pending(pair.name(), source.name(), UNAPPLIED, pair.pageSize());
                if (!pending.isEmpty()) {
                    List<String> ids = pending.stream().flatMap(p -> p.recordIds().stream()).distinct().toList();
                    List<String> deliveries = pending.stream().map(Inbox.Pending::deliveryId).toList();
                    Page page;
                    long readAt = deadLetters.stamp();
                    try {
                        page = delivered(pair, source, ids);
                    } catch (SystemException e) {
                        if (e.unreachable()) {
                            throw e; // the poll fails and is tried again; the deliveries wait
                        }
                        // one at a time: a record the source refuses to give is a dead letter, so that it does not stop every poll
                        List<Change> changes = new ArrayList<>();
                        for (String id : ids) {
                            try {
                                changes.addAll(delivered(pair, source, List.of(id)).getChanges());
                            } catch (SystemException one) {
                                if (one.unreachable()) {
                                    throw one;
                                }
                                deadLetters.store(pair.name(), source.name(), id, "a webhook named it (or it was retried), and reading it from "
                                        + source.reference() + " failed: " + Redaction.firstLine(one), "(webhook)");
                            }
                        }
                        page = Page.delivered(pair, source, changes, readAt);
                    }
                    page.written().thenRun(() -> inbox.applied(pair.name(), source.name(), deliveries));
                    LOG.infof("pair '%s': %d webhook deliveries (or retried dead letters) stored and not applied are applied with this poll",
                            pair.name(), deliveries.size());
                    previous = page;
                    return page;
                }
            }
            Read read = ahead != null ? ahead.join() : readPage();
            List<Change> changes = read.changes();
            ahead = null;
            done += changes.size();
            progress();
            if (read.records() < pair.pageSize()) { // the feed is exhausted (some records read may not be changes)
                exhausted = true;
            } else {
                // read the next page from the source while this one is mapped and written
                ahead = CompletableFuture.supplyAsync(this::readPage, prefetch);
            }
            Page page = new Page(pair, source, changes, previous, firstLoad, resyncs, readAt);
            page.written().thenAccept(n -> {
                written.add(n);
                deadLettered.add(page.deadLetteredCount());
            });
            previous = page;
            return page;
        }

        /** A page read from the feed: its changes, and how many records the feed gave. */
        private record Read(List<Change> changes, int records) {
        }

        private Read readPage() {
            List<Entity.Record> records = feed.next();
            if (source.cursor() == null) {
                return new Read(wholePage(records), records.size());
            }
            List<Change> changes = new ArrayList<>(pair.pageSize());
            for (Entity.Record record : records) {
                if (record.marker() == null) { // only a full load meets it: "marker > ?" never matches NULL
                    deadLetters.store(pair.name(), source.name(), record.id(), "its change marker '" + source.cursor().name()
                            + "' is empty: polling cannot follow its changes; once the marker is set, it syncs", String.valueOf(record.values()));
                    continue;
                }
                changes.add(Change.read(pair.name(), source.name(), record.id(), record.values(), record.marker()));
            }
            return new Read(changes, records.size());
        }

        /** The side, as {@link #comparedOnce} knows it. */
        private String key() {
            return pair.name() + "/" + source.name();
        }

        /**
         * A page of a side without change marker: its records are at the start, where its cursor stays (a page still moves
         * it there, so that a resync begun since the poll read it is seen). An API listed without a changed-since filter
         * may list a record that changed meanwhile twice: the page keeps its last state.
         */
        private List<Change> wholePage(List<Entity.Record> records) {
            Map<String, Change> changes = new LinkedHashMap<>();
            for (Entity.Record record : records) {
                changes.remove(record.id());
                changes.put(record.id(), new Change(pair.name(), source.name(), record.id(), record.values(), Position.START));
            }
            return new ArrayList<>(changes.values());
        }

        private void progress() {
            state.status(pair.name()).progressed(fullLoad ? done : 0, fullLoad ? total : 0);
            long now = System.nanoTime();
            if (wholeSide && now - lastLog > 10_000_000_000L) {
                lastLog = now;
                double seconds = (now - started) / 1e9;
                double rate = done / Math.max(seconds, 0.001);
                long left = Math.max(0, total - done);
                String what = fullLoad ? "full load" : "comparing " + source.reference() + " with its links:";
                if (sizeKnown) {
                    LOG.infof("pair '%s': %s %,d / %,d rows (%d%%), %,.0f rows/s, about %.0fs left", pair.name(), what, done, total,
                            total == 0 ? 100 : done * 100 / total, rate, left / Math.max(rate, 1));
                } else { // an API does not say how many records it holds
                    LOG.infof("pair '%s': %s %,d records so far, %,.0f records/s", pair.name(), what, done, rate);
                }
            }
        }

        private String notWritten() {
            return "a page was not written; the apply route of pair '" + pair.name()
                    + "' must end with bean:writer?method=write (no later page is read, the cursor stays)";
        }

        /** Why the page, or one before it, could not be written. */
        private String writeFailure(Page page) {
            try {
                page.written().join();
                return null;
            } catch (java.util.concurrent.CompletionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                overtaken |= causedByResync(cause); // e.g. a window that stored this page with the other side's, whose poll was overtaken
                return cause.getMessage() != null ? cause.getMessage() : cause.toString();
            }
        }

        /** Waits for the pages still being written; a poll is over only when they are. */
        String awaitWrites() {
            if (previous == null || !previous.isHandedOver()) {
                return previous == null ? null : notWritten();
            }
            return writeFailure(previous);
        }

        /** True when a resync of the pair began after this poll read its cursor: its pages do not move the cursor. */
        boolean overtakenByResync() {
            return overtaken || state.resyncs(pair.name()) != resyncs;
        }

        /** Ends a poll whose exchange completed: returns why it did not succeed, or null. */
        String finish() {
            String writeProblem = awaitWrites();
            if (failure != null) {
                return failure;
            }
            if (writeProblem != null) {
                return writeProblem;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            state.status(pair.name()).read(source.name(), done, done - written.sum() - deadLettered.sum());
            if (source.cursor() == null && done > 0) { // an empty side's first records are still its full load
                comparedOnce.put(key(), resyncs);
            }
            if (fullLoad && done > 0) {
                LOG.infof("pair '%s': full load done: %,d rows in %.1fs (%,.0f rows/s)", pair.name(), done, seconds, done / Math.max(seconds, 0.001));
            } else if (pair.isTwoWay() && (written.sum() > 0 || deadLettered.sum() > 0)) {
                LOG.infof("pair '%s', side '%s': %d changes read for the next window, %d unchanged or echoes, %d dead letters (%.2fs)",
                        pair.name(), source.name(), written.sum(), done - written.sum() - deadLettered.sum(), deadLettered.sum(), seconds);
            } else if (written.sum() > 0 || deadLettered.sum() > 0) {
                LOG.infof("pair '%s': %d records written to %s, %d unchanged, %d dead letters (%.2fs)", pair.name(), written.sum(),
                        pair.target().reference(), done - written.sum() - deadLettered.sum(), deadLettered.sum(), seconds);
            }
            return null;
        }

        @Override
        public void close() {
            if (ahead != null) {
                ahead.handle((rows, error) -> null).join(); // never close the feed under a running read
            }
            feed.close();
        }
    }
}
