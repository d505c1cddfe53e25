package io.syncline.read;

import io.syncline.pair.Pair;
import io.syncline.state.Position;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A page of changes read from a pair's source, in cursor order. The apply route maps it, marks
 * the changes that differ from what was synced ({@link #stage}) and writes those; then the
 * cursor moves to {@link #end()}.
 */
public final class Page {

    /** The exchange property under which the apply route carries the page being applied. */
    public static final String PROPERTY = "SynclinePage";

    private final Pair pair;
    private final List<Change> changes;
    private final Position end;
    private final List<Change> staged = new ArrayList<>();
    private Map<String, String> syncedHashes = Map.of();
    private int deadLettered;
    private volatile boolean committed;
    private int written;

    public Page(Pair pair, List<Change> changes) {
        this.pair = pair;
        this.changes = changes;
        this.end = changes.isEmpty() ? null : changes.get(changes.size() - 1).position();
    }

    public Pair pair() {
        return pair;
    }

    /** The changes that mapped cleanly (the apply route splits over these). */
    public List<Change> getChanges() {
        return changes;
    }

    public Position end() {
        return end;
    }

    /** Hashes last synced for this page's record ids, fetched once for the whole page. */
    public Map<String, String> syncedHashes() {
        return syncedHashes;
    }

    public void syncedHashes(Map<String, String> hashes) {
        this.syncedHashes = hashes;
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

    /** Set by the writer once the page is on the target and the cursor is past it. */
    public void committed(int writtenRecords) {
        written = writtenRecords;
        committed = true;
    }

    public int writtenCount() {
        return written;
    }

    public boolean isCommitted() {
        return committed;
    }

    public int deadLetteredCount() {
        return deadLettered;
    }
}
