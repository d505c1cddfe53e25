package io.syncline.change;

import io.syncline.pair.Role;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.syncline.pair.Pair;
import io.syncline.pair.Side;
import io.syncline.system.Position;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A page of changes read from a pair's source, in cursor order. The apply route maps it, marks
 * the changes that differ from what was synced ({@link #stage}) and writes those; then the
 * cursor moves to {@link #end()}.
 */
@RegisterForReflection // the apply route reads ${body.changes}
public final class Page {

    private final Pair pair;
    private final Side side;
    private final List<Change> changes;
    private final Position end;
    private final List<Change> staged = new ArrayList<>();
    private Map<String, String> syncedHashes = Map.of();
    private Set<String> notLookedUp = Set.of();
    private int deadLettered;
    private final CompletableFuture<Integer> predecessorWritten;
    private final CompletableFuture<Integer> written = new CompletableFuture<>();
    private volatile boolean handedOver;

    private final boolean firstLoad;
    private final long resyncs;
    private final long readAt;
    private boolean delivered;

    /**
     * A page of a poll; {@code predecessor} is the page read before it in the same poll, or null.
     * {@code firstLoad} says the pair had no links when the poll began, so none of these records
     * can have been synced before. {@code resyncs}: how many resyncs of the pair had begun when the poll
     * read its cursor ({@link io.syncline.state.SyncState#resyncs}); the page moves the cursor only if no other has since.
     * {@code readAt}: the dead letters' {@link io.syncline.state.DeadLetters#stamp} taken before the poll read the side.
     */
    public Page(Pair pair, Side side, List<Change> changes, Page predecessor, boolean firstLoad, long resyncs, long readAt) {
        this(pair, side, changes, predecessor, firstLoad, changes.isEmpty() ? null : changes.get(changes.size() - 1).position(), resyncs,
                readAt);
    }

    private Page(Pair pair, Side side, List<Change> changes, Page predecessor, boolean firstLoad, Position end, long resyncs, long readAt) {
        this.pair = pair;
        this.side = side;
        this.firstLoad = firstLoad;
        this.resyncs = resyncs;
        this.readAt = readAt;
        // only the predecessor's outcome is kept: holding the page itself would chain every page of a poll in memory
        this.predecessorWritten = predecessor == null ? null : predecessor.written();
        this.changes = changes;
        this.end = end;
        changes.forEach(change -> change.inPage(this));
    }

    /**
     * The records webhooks named, read from the side as it holds them now: written like a poll's page,
     * but the side's cursor stays where the polls left it (the next poll may read them again: unchanged, skipped).
     */
    public static Page delivered(Pair pair, Side side, List<Change> changes, long readAt) {
        Page page = new Page(pair, side, changes, null, false, null, 0, readAt); // no cursor to move
        page.delivered = true;
        return page;
    }

    /** A page of records webhooks named: it leaves the cursor, so pages of it that wait together may be written together. */
    public boolean isDelivered() {
        return delivered;
    }

    public Pair pair() {
        return pair;
    }

    /** The side the page was read from. */
    public Side side() {
        return side;
    }

    /** The side of a two-way pair the page was read from (a one-way pair's source is side A). */
    public Role role() {
        return pair.side(Role.A) == side ? Role.A : Role.B;
    }

    /** The changes that mapped cleanly (the apply route splits over these). */
    public List<Change> getChanges() {
        return changes;
    }

    public Position end() {
        return end;
    }

    public boolean isFirstLoad() {
        return firstLoad;
    }

    public long resyncs() {
        return resyncs;
    }

    /**
     * The dead letters' stamp taken before the side was read: writing the page clears the dead letters of its records recorded
     * up to then, not one a later poll recorded for a later edit.
     */
    public long readAt() {
        return readAt;
    }

    /** Hashes last synced for this page's record ids, fetched once for the whole page. */
    public Map<String, String> syncedHashes() {
        return syncedHashes;
    }

    public void syncedHashes(Map<String, String> hashes) {
        this.syncedHashes = hashes;
    }

    /** Ids whose synced hash was not fetched with the page's: re-reads of changes that were waiting in a window. */
    public Set<String> notLookedUp() {
        return notLookedUp;
    }

    public void syncedHashes(Map<String, String> hashes, Set<String> notLookedUp) {
        this.syncedHashes = hashes;
        this.notLookedUp = notLookedUp;
    }

    /** Marks a change as one to write; called for each change the idempotent consumer lets through. */
    public synchronized void stage(Change change) {
        staged.add(change);
    }

    public synchronized List<Change> staged() {
        return List.copyOf(staged);
    }

    /** Counts a change that became a dead letter (the mapper has taken it out of the page). */
    public void countDeadLetter() {
        deadLettered++;
    }

    /** The outcome of the page read before this one in the same poll, or null for the first page. */
    public CompletableFuture<Integer> predecessorWritten() {
        return predecessorWritten;
    }

    /** Set when the writer has taken the page; the write itself may still be under way. */
    public void handedOver() {
        handedOver = true;
    }

    public boolean isHandedOver() {
        return handedOver;
    }

    /**
     * Completes with the number of records written once the page is on the target and the cursor
     * is past it; completes exceptionally when it could not be written.
     */
    public CompletableFuture<Integer> written() {
        return written;
    }

    public int deadLetteredCount() {
        return deadLettered;
    }
}
