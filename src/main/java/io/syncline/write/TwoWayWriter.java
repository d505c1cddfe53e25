package io.syncline.write;

import io.syncline.value.Redaction;
import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.pair.Role;
import io.syncline.state.AppliedWindows;
import io.syncline.state.Conflicts;
import io.syncline.state.Links;
import io.syncline.state.Links.Link;
import io.syncline.state.PairStatus;
import io.syncline.state.PendingChanges;
import io.syncline.state.References;
import io.syncline.state.DeadLetters;
import io.syncline.state.SyncState;
import io.syncline.change.Window;
import io.syncline.system.SystemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Applies a closed window of a two-way pair, a chunk of links at a time. For each chunk the {@link ChunkWriter} reads
 * and locks the rows both sides hold now ({@code SELECT ... FOR UPDATE}), has the
 * {@link TwoWayPlanner} decide what to write, and carries out the {@link Plan}. Because the rows
 * are locked while it decides, an edit that races the write is either seen (and resolved) or waits
 * and is read as a new change: never silently overwritten. A chunk whose changes all come from one side reads that
 * side without locks, and locks there only what the plan writes, checking it did not change; once its links moved, the
 * records that changed meanwhile are applied again (see {@link ChunkWriter}). The window's intent is stored before
 * the sides commit and the links move to the new base after both did: a crash anywhere in between
 * replays the window, which then sees which writes made it. Chunks of records already linked touch
 * no record another chunk touches, and are applied four at a time ({@link ChunkRunner}).
 */
@ApplicationScoped
@Named("twoWayWriter")
public class TwoWayWriter {

    private static final Logger LOG = Logger.getLogger(TwoWayWriter.class);
    /** Ids per side per transaction at most (a pair's page size may make it fewer): bounds the rows locked at once and IN lists. */
    private static final int CHUNK = 1000;
    /** Rounds of applying again the records of a chunk that changed while it was applied, before they are left to their next change. */
    private static final int MAX_DRIFT_ROUNDS = 5;

    @Inject
    Pairs pairs;

    @Inject
    SyncState state;

    @Inject
    DeadLetters deadLetters;

    @Inject
    Links links;

    @Inject
    Conflicts conflicts;

    @Inject
    PendingChanges pendingChanges;

    @Inject
    References references;

    @Inject
    ChunkRunner chunkRunner;

    @Inject
    ChunkWriter chunkWriter;

    @Inject
    AppliedWindows appliedWindows;

    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** What one application of a window did. */
    public record Outcome(int writtenA, int writtenB, int created, int resolved, int manual, int deleted, int unchanged) {
        public Outcome plus(Outcome o) {
            return new Outcome(writtenA + o.writtenA, writtenB + o.writtenB, created + o.created, resolved + o.resolved,
                    manual + o.manual, deleted + o.deleted, unchanged + o.unchanged);
        }

        static final Outcome NONE = new Outcome(0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * Applies a window; the route's aggregate step calls it when the window closes. A record
     * without a link is first matched, by the pair's natural key, with an unlinked record of the
     * other side.
     */
    public Outcome apply(Window window) {
        return apply(window, true);
    }

    /**
     * Applies what reconciliation found. It has matched records already: the twins in {@code matches} are linked first,
     * without a base, so that the writer merges them by the pair's policy.
     */
    public Outcome applyReconciled(Window window, List<Link> matches) {
        ReentrantLock lock = lock(window.pair());
        lock.lock();
        try {
            List<Link> unlinked = stillUnlinked(window.pair(), matches);
            if (!unlinked.isEmpty()) {
                links.save(window.pair(), unlinked);
            }
        } finally {
            lock.unlock(); // not held while the window is applied: that applies children of other pairs, under their locks
        }
        return apply(window, false);
    }

    /**
     * Links twins that reconciliation found equal, with their values as the base, in one state commit; nothing is written to
     * either side. {@code readAt}: the dead letters' {@link io.syncline.state.DeadLetters#stamp} taken before the pass read them.
     */
    public void linkEqual(Pair pair, List<Link> twins, long readAt) {
        ReentrantLock lock = lock(pair.name());
        lock.lock();
        try {
            List<Link> unlinked = stillUnlinked(pair.name(), twins);
            if (unlinked.isEmpty()) {
                return;
            }
            Set<String> handled = new HashSet<>();
            unlinked.forEach(l -> {
                handled.add(Role.A.key() + l.aId());
                handled.add(Role.B.key() + l.bId());
            });
            appliedWindows.commit(pair.name(), pair.side(Role.A).name(), pair.side(Role.B).name(),
                    new AppliedWindows.Applied(unlinked, List.of(), List.of(), Map.of(), handled, List.of(), List.of(), List.of(), readAt));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The twins neither of whose records is linked now. Reconciliation read the links before the sides; a window may have
     * linked a record since (matched, or created its twin), and its link, base and all, must not be replaced by the pass's.
     * Under the pair's lock, so that no window links one while they are stored.
     */
    private List<Link> stillUnlinked(String pair, List<Link> twins) {
        if (twins.isEmpty()) {
            return twins;
        }
        Set<String> linkedA = new HashSet<>();
        Set<String> linkedB = new HashSet<>();
        List<String> aIds = twins.stream().map(Link::aId).toList();
        List<String> bIds = twins.stream().map(Link::bId).toList();
        for (int from = 0; from < twins.size(); from += CHUNK) {
            int to = Math.min(twins.size(), from + CHUNK);
            linkedA.addAll(links.linkedIds(pair, Role.A, aIds.subList(from, to)).keySet());
            linkedB.addAll(links.linkedIds(pair, Role.B, bIds.subList(from, to)).keySet());
        }
        List<Link> unlinked = twins.stream().filter(l -> !linkedA.contains(l.aId()) && !linkedB.contains(l.bId())).toList();
        if (unlinked.size() < twins.size()) {
            LOG.infof("pair '%s': %d records reconciliation matched were linked by a window meanwhile; their links stay", pair,
                    twins.size() - unlinked.size());
        }
        return unlinked;
    }

    private ReentrantLock lock(String pair) {
        return locks.computeIfAbsent(pair, k -> new ReentrantLock());
    }

    private Outcome apply(Window window, boolean matchNew) {
        Pair pair = pairs.get(window.pair());
        try {
            if (matchNew) { // parked records (waiting for a parent, refused by a side, sharing a natural key) are tried with every window
                references.parked(pair.name()).forEach((side, ids) -> window.add(Role.of(side), ids)); // but not unmatched with reconciliation's
            }
            Outcome outcome = applyLocked(pair, window, matchNew);
            state.status(pair.name()).applied();
            for (Role side : Role.values()) {
                pendingChanges.applied(pair.name(), pair.side(side).name(), window.ids(side));
            }
            // children of other pairs that waited for a record of this one
            references.waitingFor(pair.name()).forEach((child, ids) -> {
                if (!child.equals(pair.name())) {
                    Window parked = new Window(child);
                    ids.forEach((side, parkedIds) -> parked.add(Role.of(side), parkedIds));
                    try {
                        apply(parked, true);
                    } catch (RuntimeException e) {
                        // logged and shown by the child pair; its records stay parked and are tried with its next window
                    }
                }
            });
            return outcome;
        } catch (RuntimeException e) {
            String reason = Redaction.firstLine(e);
            PairStatus status = state.status(pair.name());
            status.applyFailed(reason, WindowRecovery.EVERY, pair.maxBackoff());
            if (window.closedAs() != null) {
                pendingChanges.failed(window.closedAs()); // window recovery applies it again once the pair's backoff has passed
            }
            LOG.errorf("pair '%s': %s (it is kept and applied again in %ds; %d failures in a row)", pair.name(), reason,
                    Math.max(0, Duration.between(Instant.now(), status.nextApply()).toSeconds()), status.applyFailures());
            throw e;
        }
    }

    private Outcome applyLocked(Pair pair, Window window, boolean matchNew) {
        ReentrantLock lock = lock(pair.name());
        lock.lock();
        try {
            long started = System.nanoTime();
            Outcome total = Outcome.NONE;
            // a link both sides changed is applied once: the help desk's side of it joins side a's ids
            Set<String> heldOnA = window.ids(Role.A); // the records of side a the window holds: changed, or parked
            Set<String> aIds = new LinkedHashSet<>(heldOnA);
            Set<String> heldOnB = new HashSet<>(); // those of side b, by their A ids
            List<String> newB = new ArrayList<>();
            for (Set<String> chunk : chunks(new ArrayList<>(window.ids(Role.B)), CHUNK)) {
                Map<String, String> linked = links.linkedIds(pair.name(), Role.B, chunk);
                for (String id : chunk) {
                    String aId = linked.get(id);
                    if (aId != null) {
                        aIds.add(aId);
                        heldOnB.add(aId);
                    } else {
                        newB.add(id);
                    }
                }
            }
            List<String> a = new ArrayList<>(aIds);
            int size = Math.min(CHUNK, pair.pageSize()); // records per transaction: the pair's page size, at most CHUNK
            if (a.size() > size && pair.side(Role.A).system().transactional() && pair.side(Role.B).system().transactional()
                    && pair.side(Role.A).system() != pair.side(Role.B).system()) {
                // chunks of records linked already touch no record another chunk touches: they are applied side by side (two
                // tables of one database are not: each chunk holds a connection while it waits for a second from one pool)
                List<String> linked = new ArrayList<>();
                List<String> unlinked = new ArrayList<>();
                for (Set<String> ids : chunks(a, CHUNK)) {
                    Set<String> found = links.linkedIds(pair.name(), Role.A, ids).keySet();
                    ids.forEach(id -> (found.contains(id) ? linked : unlinked).add(id));
                }
                List<Supplier<Outcome>> parallel = new ArrayList<>();
                for (Set<String> ids : chunks(linked, size)) {
                    Role changed = changedSide(ids, heldOnA, heldOnB);
                    parallel.add(() -> applyChunk(pair, ids, Set.of(), changed, null, matchNew));
                }
                for (Outcome outcome : chunkRunner.runAll(parallel)) {
                    total = total.plus(outcome);
                }
                a = unlinked; // new records may be matched by natural key: one chunk at a time
            }
            for (Set<String> ids : chunks(a, size)) {
                total = total.plus(applyChunk(pair, ids, Set.of(), changedSide(ids, heldOnA, heldOnB), null, matchNew));
            }
            for (Set<String> ids : chunks(newB, size)) {
                total = total.plus(applyChunk(pair, Set.of(), ids, null, null, matchNew));
            }
            state.status(pair.name()).windowApplied(new PairStatus.AppliedWindow(Instant.now(), (System.nanoTime() - started) / 1e9,
                    heldOnA.size(), window.ids(Role.B).size(), total.writtenA, total.writtenB, total.created, total.resolved, total.manual,
                    total.deleted));
            if (total.writtenA + total.writtenB + total.manual > 0) {
                LOG.infof("pair '%s': window applied in %.2fs: %d written to %s, %d to %s (%d created), %d conflicts resolved, "
                        + "%d left for review, %d deleted", pair.name(), (System.nanoTime() - started) / 1e9, total.writtenA,
                        pair.side(Role.A).reference(), total.writtenB, pair.side(Role.B).reference(), total.created, total.resolved,
                        total.manual, total.deleted);
            }
            return total;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Carries out an operator's decision on a conflict: the decided fields take the decided values on
     * both sides, the others are resolved against the base as any change is.
     *
     * @throws TwoWayPlanner.NotSettled when the conflict was resolved meanwhile, or the record now conflicts on fields
     *                    the decision leaves open
     */
    public Outcome force(Pair pair, String aId, Map<String, Object> decided) {
        ReentrantLock lock = lock(pair.name());
        lock.lock();
        try {
            if (conflicts.open(pair.name(), Set.of(aId)).isEmpty()) {
                throw new TwoWayPlanner.NotSettled("pair '" + pair.name() + "' has no open conflict for record " + aId + " of side a any more: resolved meanwhile");
            }
            return applyChunk(pair, Set.of(aId), Set.of(), null, decided, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies one chunk. A record a side refuses (a data or constraint error, such as a value too long for
     * its column) becomes a dead letter and is left out: the chunk is planned and applied again without it,
     * so one bad record never holds back the others. The refused record is parked and tried again with
     * every window of the pair, until a side accepts it (its data, or the side's rule, fixed).
     */
    private Outcome applyChunk(Pair pair, Set<String> aIds, Set<String> bIds, Role changed, Map<String, Object> decision, boolean matchNew) {
        ChunkWriter.Attempt done = applyOnce(pair, aIds, bIds, changed, decision, matchNew);
        Outcome total = done.outcome();
        for (int round = 1; !done.drifted().isEmpty(); round++) {
            if (round > MAX_DRIFT_ROUNDS) {
                LOG.warnf("pair '%s': %d records kept changing while they were applied (%s); their next change brings them again",
                        pair.name(), done.drifted().size(), done.drifted().stream().limit(5).toList());
                break;
            }
            LOG.infof("pair '%s': %d records changed while their chunk was applied; applied again", pair.name(), done.drifted().size());
            int again = done.drifted().size();
            done = applyOnce(pair, done.drifted(), Set.of(), null, null, matchNew);
            state.status(pair.name()).appliedAgain(again);
            total = total.plus(done.outcome());
        }
        return total;
    }

    /** Applies one chunk until an attempt succeeds: that attempt. */
    private ChunkWriter.Attempt applyOnce(Pair pair, Set<String> aIds, Set<String> bIds, Role changed, Map<String, Object> decision, boolean matchNew) {
        Role readUnlocked = changed; // until an attempt finds those rows changed or held
        Set<String> a = new LinkedHashSet<>(aIds);
        Set<String> b = new LinkedHashSet<>(bIds);
        Map<String, String> retry = new HashMap<>(); // "a"/"b" + id -> this pair: parked, tried again with its next windows
        int changedMeanwhile = 0;
        int lockConflicts = 0;
        boolean match = matchNew;
        while (true) {
            ChunkWriter.Attempt attempt;
            try {
                attempt = chunkWriter.attempt(pair, a, b, readUnlocked, decision, match, retry);
            } catch (SystemException e) {
                // a deadlock with another transaction (another pair writing the same table, an application's own): the
                // database aborted this one, the chunk's sessions roll back as they close, and it is planned again at once
                if (!e.lockConflict() || ++lockConflicts > LockConflicts.MAX) {
                    throw e;
                }
                LOG.infof("pair '%s': %s; the chunk is applied again (attempt %d)", pair.name(), Redaction.firstLine(e), lockConflicts + 1);
                LockConflicts.pause(lockConflicts);
                continue;
            }
            if (attempt.outcome() != null) {
                return attempt;
            }
            if (attempt.lockBoth()) {
                LOG.debugf("pair '%s': rows read without locks changed or were held; the chunk is read again with both sides locked", pair.name());
                state.status(pair.name()).chunkLockedAgain();
                readUnlocked = null;
                continue;
            }
            // an API may have created records of this attempt, whose links were not stored: the next attempt finds them by
            // the natural key (which a pair with an API side has) rather than create them again, whatever matched the records
            match = match || !pair.side(Role.A).system().transactional() || !pair.side(Role.B).system().transactional();
            List<ChunkWriter.Refusal> refusals = new ArrayList<>(attempt.refused());
            if (!attempt.changed().isEmpty()) {
                if (++changedMeanwhile <= ChunkWriter.MAX_CHANGED_MEANWHILE && refusals.isEmpty()) {
                    continue; // planned again with what the sides hold now
                }
                if (changedMeanwhile > ChunkWriter.MAX_CHANGED_MEANWHILE) { // a record that keeps changing waits, parked, rather than hold the pair
                    refusals.addAll(attempt.changed());
                }
            }
            int before = a.size() + b.size();
            for (ChunkWriter.Refusal refused : refusals) {
                if (decision != null) {
                    throw new TwoWayPlanner.NotSettled("the decision cannot be written: " + refused.reason());
                }
                deadLetters.store(pair.name(), pair.side(refused.side()).name(), refused.id(), refused.reason(), refused.record());
                Link link = refused.link();
                if (link != null) {
                    a.remove(link.aId());
                    b.remove(link.bId());
                    retry.put(Role.A.key() + link.aId(), pair.name());
                } else {
                    (refused.side() == Role.A ? a : b).remove(refused.id());
                    retry.put(refused.side().key() + refused.id(), pair.name());
                }
            }
            if (a.size() + b.size() == before && !refusals.isEmpty()) {
                throw new IllegalStateException("pair '" + pair.name() + "': " + refusals.get(0).reason());
            }
        }
    }

    /**
     * The one side whose records the window holds for a chunk of A ids (changed, or parked), or null when it holds records
     * of both: that side's rows are read without locks.
     */
    private static Role changedSide(Set<String> chunk, Set<String> heldOnA, Set<String> heldOnB) {
        boolean onA = chunk.stream().anyMatch(heldOnA::contains);
        boolean onB = chunk.stream().anyMatch(heldOnB::contains);
        return onA == onB ? null : onA ? Role.A : Role.B;
    }

    /** The ids in chunks of at most {@code size}, in their order. */
    private static List<Set<String>> chunks(List<String> ids, int size) {
        List<Set<String>> chunks = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += size) {
            chunks.add(new LinkedHashSet<>(ids.subList(from, Math.min(ids.size(), from + size))));
        }
        return chunks;
    }
}
