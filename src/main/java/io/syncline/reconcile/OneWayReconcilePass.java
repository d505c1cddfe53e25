package io.syncline.reconcile;

import io.syncline.pair.Deletes;
import io.syncline.pair.Pair;
import io.syncline.pair.Side;
import io.syncline.state.Links;
import io.syncline.system.Entity;
import io.syncline.value.Redaction;
import io.syncline.write.Faults;
import io.syncline.write.TwoWayWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One reconciliation pass of a one-way pair: the source's ids and the links are spread over buckets by source id and
 * compared a bucket at a time. A link whose source record is gone is a delete: with {@code deletes: delete} the target's
 * record is deleted and the link removed, with {@code soft(field = value)} the record is marked and the link kept as a
 * tombstone, unless the mass-delete guard holds the pair. The target is not read: polling
 * keeps it as the source has it, and what else it holds is its own. Memory holds one bucket, not the source's ids (an API
 * source's scan holds its collection, as for a two-way pair).
 */
final class OneWayReconcilePass {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    private static final int SAMPLES = 20;
    private static final String SOURCE = "source";
    private static final String LINKS = "links";
    private static final String GONE = "gone";
    /** Every kind of rows a pass spreads over its buckets. */
    static final List<String> KINDS = List.of(SOURCE, LINKS, GONE);
    /** Target records deleted per transaction, when both sides are databases. */
    private static final int DELETES_PER_TRANSACTION = 1000;
    /**
     * Records deleted per batch when a side is an API: each costs requests (the source asked for it twice, the target's
     * delete), made while the pair's pages wait; a small batch keeps that wait to seconds within a request budget.
     */
    static final int DELETES_PER_API_BATCH = 20;

    private final Reconciler reconciler;
    private final Pair pair;
    private final boolean dryRun;
    private final Buckets buckets;
    private final long started = System.nanoTime();
    private final List<String> samples = new ArrayList<>();
    private long sourceRecords;
    private long known;
    private long gone;
    /** Of those gone, the records the target refused to delete before (dead letters): tried again, not counted by the guard. */
    private long refusedBefore;
    private int deleted;

    OneWayReconcilePass(Reconciler reconciler, Pair pair, boolean dryRun, Buckets buckets) {
        this.reconciler = reconciler;
        this.pair = pair;
        this.dryRun = dryRun;
        this.buckets = buckets;
    }

    Reconciler.Report run() {
        // the links first: a record written after they were read cannot look deleted, as the source is read after them
        reconciler.links.scan(pair.name(), link -> {
            known++;
            buckets.add(LINKS, link.aId(), link.aId(), link.bId(), link.aHash());
        });
        pair.source().entity().scan(record -> {
            sourceRecords++;
            buckets.add(SOURCE, record.id(), record.id());
        });
        for (int bucket = 0; bucket < Buckets.COUNT; bucket++) {
            compare(bucket);
        }
        boolean deletes = pair.deletes().kind() != Deletes.Kind.IGNORE;
        long toApply = deletes ? gone : 0;
        String guard = null;
        long allowed = reconciler.confirmedDeletes.getOrDefault(pair.name(), 0L);
        long news = deletes ? gone - refusedBefore : 0;
        if (pair.deleteGuard().trips(news, known) && news > allowed) {
            guard = "mass-delete guard: this pass would " + (pair.softDelete() == null ? "delete " : "mark as deleted ") + news + " of " + known
                    + " records of " + pair.target().reference()
                    + " whose source records are gone from " + pair.source().reference() + ", more than " + pair.deleteGuard()
                    + "; nothing was deleted and the pair is paused. Check the systems, then POST /api/pairs/" + pair.name() + "/deletes/confirm";
            if (!dryRun) {
                reconciler.state.status(pair.name()).deleteGuard(guard);
                reconciler.state.setPaused(pair.name(), pair.source().name(), true);
                LOG.warnf("pair '%s': %s", pair.name(), guard);
            }
        }
        if (!dryRun && guard == null) {
            reconciler.confirmedDeletes.remove(pair.name());
            if (deletes) {
                apply();
            }
        }
        Map<String, List<String>> found = samples.isEmpty() ? Map.of() : Map.of("deletedInA", List.copyOf(samples));
        Reconciler.Report report = new Reconciler.Report(pair.name(), dryRun, sourceRecords, 0, known, 0, 0, 0, 0, 0, 0, 0, gone, 0, toApply,
                guard, found, new TwoWayWriter.Outcome(0, 0, 0, 0, 0, deleted, 0), seconds());
        if (!dryRun && (gone > 0 || guard != null)) {
            LOG.infof("pair '%s': reconciliation in %.1fs: %d records gone from %s, %d deleted from %s%s", pair.name(), report.seconds(), gone,
                    pair.source().reference(), deleted, pair.target().reference(), guard != null ? " (held by the guard)" : "");
        }
        return report;
    }

    /** One bucket of links against the source's ids: a link without its source record is gone. */
    private void compare(int bucket) {
        Set<String> ids = new HashSet<>();
        buckets.read(SOURCE, bucket, f -> ids.add(f[0]));
        buckets.read(LINKS, bucket, f -> {
            if (!ids.contains(f[0]) && !Links.GONE.equals(f[2])) { // a tombstone: marked gone by an earlier pass
                gone++;
                if (reconciler.deadLetters.has(pair.name(), pair.source().name(), f[0])) {
                    refusedBefore++;
                }
                if (samples.size() < SAMPLES) {
                    samples.add(f[0]);
                }
                buckets.add(GONE, f[0], f[0], f[1], f[2]);
            }
        });
    }

    /** Deletes (or marks) the target's records of the links gone, a batch at a time, then ends their links. */
    private void apply() {
        Map<String, String[]> batch = new LinkedHashMap<>(); // target id -> (source id, the link's hash as read)
        int size = pair.source().system().transactional() && pair.target().system().transactional() ? DELETES_PER_TRANSACTION
                : DELETES_PER_API_BATCH;
        for (int bucket = 0; bucket < Buckets.COUNT; bucket++) {
            buckets.read(GONE, bucket, f -> {
                batch.put(f[1], new String[] {f[0], f[2]});
                if (batch.size() >= size) {
                    delete(batch);
                    batch.clear();
                }
            });
        }
        delete(batch);
    }

    /**
     * Deletes (or marks) these records of the target in one batch, one transaction when both sides are databases (those
     * already gone count as deleted), then ends their links where they still hold what the pass read: a page that wrote the
     * record again meanwhile (it read the record before it was deleted) moved its link, which stays for the next pass. A
     * record the target refuses to delete (a foreign key of another table) becomes a dead letter, and its link stays: the
     * next pass tries again.
     * <p>
     * The source is asked once more, while no page of the pair is written: a record created again under its id since the
     * pass read the source is not deleted (a page has written it, or will), and a page that writes one created later waits
     * until the delete and the links are committed, and writes it again after them. A record created again as it was, after
     * that look and before the delete, may have been read by a poll as unchanged against its link, which the delete ends:
     * the source is asked once more after the delete, and such a record is read again by the next poll (as a dead letter
     * retried is).
     */
    private void delete(Map<String, String[]> byTarget) {
        if (byTarget.isEmpty()) {
            return;
        }
        reconciler.faults.at(pair.name(), Faults.BEFORE_GONE_CHECKED, sourceIds(byTarget));
        // the source's connection is taken before the pages wait: the pair's poll may hold one while its page waits
        try (Entity.Session source = pair.source().entity().open()) {
            reconciler.pageWriter.whileNoPageIsWritten(pair.name(), () -> {
                long readAt = reconciler.deadLetters.stamp(); // a dead letter of a record created again after this look stays
                Set<String> back = there(source, sourceIds(byTarget));
                byTarget.values().removeIf(link -> back.contains(link[0]));
                if (!back.isEmpty()) {
                    LOG.infof("pair '%s': %d records found gone from %s are there again; not deleted", pair.name(), back.size(),
                            pair.source().reference());
                }
                if (byTarget.isEmpty()) {
                    return;
                }
                reconciler.faults.at(pair.name(), Faults.BEFORE_GONE_DELETED, sourceIds(byTarget));
                List<String> deleted = deleteGone(byTarget, readAt);
                Set<String> again = deleted.isEmpty() ? Set.of() : there(source, deleted);
                if (!again.isEmpty()) {
                    reconciler.inbox.readAgain(pair.name(), pair.source().name(), List.copyOf(again));
                    LOG.infof("pair '%s': %d records deleted from %s were created again in %s meanwhile; the next poll writes them again",
                            pair.name(), again.size(), pair.target().reference(), pair.source().reference());
                }
            });
        }
    }

    /** The ids of these that the source holds now (read without locks); the session's transaction ends, so the next look is new. */
    private static Set<String> there(Entity.Session source, List<String> ids) {
        Set<String> found = new HashSet<>(source.read(ids).keySet());
        source.commit();
        return found;
    }

    private static List<String> sourceIds(Map<String, String[]> byTarget) {
        return byTarget.values().stream().map(link -> link[0]).toList();
    }

    /**
     * Deletes (or marks) the target's records and ends their links; returns the source ids of those deleted (or marked).
     * {@code readAt}: the dead letters' stamp taken before the source was last asked for them.
     */
    private List<String> deleteGone(Map<String, String[]> byTarget, long readAt) {
        Side target = pair.target();
        Pair.SoftDelete soft = pair.softDelete();
        Map<String, String> refused = soft == null ? target.entity().deleteByKey(byTarget.keySet())
                : target.entity().markByKey(soft.column(), soft.value(), byTarget.keySet());
        Map<String, String> done = new LinkedHashMap<>(); // source id -> the link's hash as read
        byTarget.forEach((targetId, link) -> {
            String sourceId = link[0];
            String reason = refused.get(targetId);
            if (reason == null) {
                done.put(sourceId, link[1]);
            } else {
                reconciler.deadLetters.store(pair.name(), pair.source().name(), sourceId, "deleted from " + pair.source().reference()
                        + ", and " + target.reference() + " refused to " + (soft == null ? "delete" : "mark") + " it: " + Redaction.of(reason),
                        "(deleted)");
            }
        });
        reconciler.links.gone(pair.name(), pair.source().name(), done, soft != null, readAt);
        deleted += done.size();
        return List.copyOf(done.keySet());
    }

    private double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }
}
