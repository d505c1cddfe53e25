package io.syncline.write;

import io.syncline.value.Redaction;
import io.syncline.state.AppliedWindows;
import io.syncline.system.Entity;
import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.pair.Role;
import io.syncline.pair.Topology;
import io.syncline.change.ChangeKey;
import io.syncline.change.Page;
import io.syncline.state.Conflicts;
import io.syncline.state.Links;
import io.syncline.state.Links.Link;
import io.syncline.state.PairStatus;
import io.syncline.state.PendingChanges;
import io.syncline.state.References;
import io.syncline.state.SyncState;
import io.syncline.change.Window;
import io.syncline.system.Row;
import io.syncline.system.SystemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Applies a closed window of a two-way pair, a chunk of links at a time. For each chunk it reads
 * and locks the rows both sides hold now ({@code SELECT ... FOR UPDATE}), has the
 * {@link TwoWayPlanner} decide what to write, and carries out the {@link Plan}. Because the rows
 * are locked while it decides, an edit that races the write is either seen (and resolved) or waits
 * and is read as a new change: never silently overwritten. The window's intent is stored before
 * the sides commit and the links move to the new base after both did: a crash anywhere in between
 * replays the window, which then sees which writes made it. Chunks of records already linked touch
 * no record another chunk touches, and are applied two at a time ({@link ChunkRunner}).
 */
@ApplicationScoped
@Named("twoWayWriter")
public class TwoWayWriter {

    private static final Logger LOG = Logger.getLogger(TwoWayWriter.class);
    /** Ids per side per transaction at most (a pair's page size may make it fewer): bounds the rows locked at once and IN lists. */
    private static final int CHUNK = 1000;
    /** Attempts at a chunk whose records a side found changed while they were written (an API's 412), before the window fails. */
    private static final int MAX_CHANGED_MEANWHILE = 5;
    /** Attempts at a chunk that a database aborted to break a deadlock, before the window fails. */
    private static final int MAX_LOCK_CONFLICTS = 5;

    @Inject
    Faults faults;

    @Inject
    Pairs pairs;

    @Inject
    SyncState state;

    @Inject
    Links links;

    @Inject
    Conflicts conflicts;

    @Inject
    PendingChanges pendingChanges;

    @Inject
    References references;

    @Inject
    AppliedWindows appliedWindows;

    @Inject
    Relays relays;

    @Inject
    TwinMatching twinMatching;

    @Inject
    ChunkRunner chunkRunner;

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

    /** Applies what reconciliation found; it has matched records already. */
    public Outcome applyReconciled(Window window) {
        return apply(window, false);
    }

    private Outcome apply(Window window, boolean matchNew) {
        Pair pair = pairs.get(window.pair());
        long started = System.currentTimeMillis();
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
            pendingChanges.failed(pair.name(), started); // window recovery applies it again once the pair's backoff has passed
            LOG.errorf("pair '%s': %s (it is kept and applied again in %ds; %d failures in a row)", pair.name(), reason,
                    Math.max(0, Duration.between(Instant.now(), status.nextApply()).toSeconds()), status.applyFailures());
            throw e;
        }
    }

    private Outcome applyLocked(Pair pair, Window window, boolean matchNew) {
        ReentrantLock lock = locks.computeIfAbsent(pair.name(), k -> new ReentrantLock());
        lock.lock();
        try {
            long started = System.nanoTime();
            Outcome total = Outcome.NONE;
            // a link both sides changed is applied once: the help desk's side of it joins side a's ids
            Set<String> aIds = new LinkedHashSet<>(window.ids(Role.A));
            List<String> newB = new ArrayList<>();
            for (Set<String> chunk : chunks(new ArrayList<>(window.ids(Role.B)), CHUNK)) {
                Map<String, Link> linked = links.find(pair.name(), Role.B, chunk);
                for (String id : chunk) {
                    Link link = linked.get(id);
                    if (link != null) {
                        aIds.add(link.aId());
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
                    Set<String> found = links.find(pair.name(), Role.A, ids).keySet();
                    ids.forEach(id -> (found.contains(id) ? linked : unlinked).add(id));
                }
                List<Supplier<Outcome>> parallel = new ArrayList<>();
                for (Set<String> ids : chunks(linked, size)) {
                    parallel.add(() -> applyChunk(pair, ids, Set.of(), null, matchNew));
                }
                for (Outcome outcome : chunkRunner.runAll(parallel)) {
                    total = total.plus(outcome);
                }
                a = unlinked; // new records may be matched by natural key: one chunk at a time
            }
            for (Set<String> ids : chunks(a, size)) {
                total = total.plus(applyChunk(pair, ids, Set.of(), null, matchNew));
            }
            for (Set<String> ids : chunks(newB, size)) {
                total = total.plus(applyChunk(pair, Set.of(), ids, null, matchNew));
            }
            for (Page page : window.takeUnsaved()) { // pages that closed the window before the repository stored them
                state.commitPage(pair.name(), page.side().name(), List.of(), page.end());
                page.written().complete(page.staged().size());
            }
            state.status(pair.name()).windowApplied(new PairStatus.AppliedWindow(Instant.now(), (System.nanoTime() - started) / 1e9,
                    total.writtenA, total.writtenB, total.created, total.resolved, total.manual, total.deleted));
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
        ReentrantLock lock = locks.computeIfAbsent(pair.name(), k -> new ReentrantLock());
        lock.lock();
        try {
            if (conflicts.open(pair.name(), Set.of(aId)).isEmpty()) {
                throw new TwoWayPlanner.NotSettled("pair '" + pair.name() + "' has no open conflict for record " + aId + " of side a any more: resolved meanwhile");
            }
            return applyChunk(pair, Set.of(aId), Set.of(), decided, false);
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
    private Outcome applyChunk(Pair pair, Set<String> aIds, Set<String> bIds, Map<String, Object> decision, boolean matchNew) {
        Set<String> a = new LinkedHashSet<>(aIds);
        Set<String> b = new LinkedHashSet<>(bIds);
        Map<String, String> retry = new HashMap<>(); // "a"/"b" + id -> this pair: parked, tried again with its next windows
        int changedMeanwhile = 0;
        int lockConflicts = 0;
        boolean match = matchNew;
        while (true) {
            Attempt attempt;
            try {
                attempt = attempt(pair, a, b, decision, match, retry);
            } catch (SystemException e) {
                // a deadlock with another transaction (another pair writing the same table, an application's own): the
                // database aborted this one, the chunk's sessions roll back as they close, and it is planned again at once
                if (!e.lockConflict() || ++lockConflicts > MAX_LOCK_CONFLICTS) {
                    throw e;
                }
                LOG.infof("pair '%s': %s; the chunk is applied again (attempt %d)", pair.name(), Redaction.firstLine(e), lockConflicts + 1);
                pause(lockConflicts);
                continue;
            }
            if (attempt.outcome() != null) {
                return attempt.outcome();
            }
            // an API may have created records of this attempt, whose links were not stored: the next attempt finds them by
            // the natural key (which a pair with an API side has) rather than create them again, whatever matched the records
            match = match || !pair.side(Role.A).system().transactional() || !pair.side(Role.B).system().transactional();
            List<Refusal> refusals = new ArrayList<>(attempt.refused());
            if (!attempt.changed().isEmpty()) {
                if (++changedMeanwhile <= MAX_CHANGED_MEANWHILE && refusals.isEmpty()) {
                    continue; // planned again with what the sides hold now
                }
                if (changedMeanwhile > MAX_CHANGED_MEANWHILE) { // a record that keeps changing waits, parked, rather than hold the pair
                    refusals.addAll(attempt.changed());
                }
            }
            int before = a.size() + b.size();
            for (Refusal refused : refusals) {
                if (decision != null) {
                    throw new TwoWayPlanner.NotSettled("the decision cannot be written: " + refused.reason());
                }
                state.deadLetter(pair.name(), pair.side(refused.side()).name(), refused.id(), refused.reason(), refused.record());
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

    /** A short wait, longer with each try and never the same for two pairs, so that transactions that collided do not collide again. */
    private static void pause(int tries) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(20, 100L * tries));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to apply a chunk again", e);
        }
    }

    /** A record a side refused to take: its side and id (for a create, the record it copies), and the link it belongs to, if any. */
    private record Refusal(Role side, String id, Link link, String reason, String record) {
    }

    /**
     * An attempt at a chunk: its outcome; or the records refused, and whether records changed on a side while they were
     * written (an API's 412): the chunk is attempted again.
     */
    private record Attempt(Outcome outcome, List<Refusal> refused, List<Refusal> changed) {
        Attempt(Outcome outcome, List<Refusal> refused) {
            this(outcome, refused, List.of());
        }
    }

    /**
     * Commits one side. A side that writes as it commits (an API) may refuse records or find them changed since they
     * were read: then the attempt ends there (the state does not move) and the chunk is planned again with what
     * the sides hold now, without the refused records.
     */
    private Attempt commit(Entity.Session session, Role side, Pair pair, Plan plan, Map<String, Link> involved) {
        try {
            session.commit();
            return null;
        } catch (Entity.CommitRefused e) {
            Map<String, Link> bySideId = linksBySideId(side, plan, involved);
            List<Refusal> refused = new ArrayList<>();
            e.refused().forEach((id, reason) -> refused.add(new Refusal(side, id, bySideId.get(id), reason, written(plan, side, id))));
            List<Refusal> changed = new ArrayList<>();
            e.changed().forEach(id -> changed.add(new Refusal(side, id, bySideId.get(id), pair.side(side).reference()
                    + " changed the record each time it was written (" + MAX_CHANGED_MEANWHILE + " attempts); it waits for the next window",
                    written(plan, side, id))));
            if (!changed.isEmpty()) {
                LOG.infof("pair '%s': %d records of %s changed while they were written (%s): planned again with what it holds now",
                        pair.name(), changed.size(), pair.side(side).reference(), e.changed().stream().limit(5).toList());
            }
            return new Attempt(null, refused, changed);
        }
    }

    /** What the plan wrote to a record, for its dead letter. */
    private static String written(Plan plan, Role side, String id) {
        return plan.updates(side).containsKey(id) ? Arrays.toString(plan.updates(side).get(id)) : "(delete)";
    }

    /** The links of the chunk by their id on {@code side}: those involved (a delete's link is dropped from the plan's) and those the plan made. */
    private static Map<String, Link> linksBySideId(Role side, Plan plan, Map<String, Link> involved) {
        Map<String, Link> bySideId = new HashMap<>();
        involved.values().forEach(l -> bySideId.put(l.id(side), l));
        plan.links().forEach(l -> bySideId.put(l.id(side), l));
        return bySideId;
    }

    private Attempt attempt(Pair pair, Set<String> aIds, Set<String> bIds, Map<String, Object> decision, boolean matchNew,
            Map<String, String> retry) {
        String name = pair.name();
        Map<String, Link> involved = new LinkedHashMap<>(links.find(name, Role.A, aIds));
        Map<String, Link> byB = links.find(name, Role.B, bIds);
        byB.values().forEach(l -> involved.put(l.aId(), l));
        Set<String> newA = new LinkedHashSet<>(aIds);
        newA.removeAll(involved.keySet());
        Set<String> newB = new LinkedHashSet<>(bIds);
        newB.removeAll(byB.keySet());
        newB.removeAll(involved.values().stream().map(Link::bId).toList());
        Set<String> inConflict = decision == null ? conflicts.open(name, involved.keySet()) : Set.of();
        Map<String, Link> intents = links.intents(name, involved.keySet());

        Set<String> readA = new HashSet<>(newA);
        Set<String> readB = new HashSet<>(newB);
        involved.values().forEach(l -> {
            readA.add(l.aId());
            readB.add(l.bId());
        });
        try (Entity.Session sa = pair.side(Role.A).entity().open(); Entity.Session sb = pair.side(Role.B).entity().open()) {
            // the two tables are locked in one order for all pairs (by name): pairs that share tables in a cycle (a triangle) wait
            // for each other rather than each hold one table and wait for the other's, a deadlock no single database can see
            boolean aLockedFirst = Topology.key(pair.side(Role.A).reference()).compareTo(Topology.key(pair.side(Role.B).reference())) <= 0;
            Map<String, Row> rowsA = aLockedFirst ? sa.lock(readA) : null;
            Map<String, Row> rowsB = readB(pair, sb.lock(readB));
            rowsA = aLockedFirst ? rowsA : sa.lock(readA);
            TwinMatching.Twins twins = pair.match() != null && matchNew
                    ? twinMatching.find(pair, sa, sb, aLockedFirst, newA, newB, rowsA, rowsB) : TwinMatching.Twins.NONE;
            List<Plan.DeadLetter> ambiguous = twins.ambiguous();
            for (Plan.DeadLetter letter : ambiguous) { // they wait, neither matched nor created, parked: tried with every window
                retry.put(letter.side().key() + letter.id(), name);
            }
            Map<String, Map<String, String>> parentsOnB = new HashMap<>();
            Chunk.parentIds(pair.rules(), rowsA.values(), rowsB.values(), decision).forEach((field, ids) -> parentsOnB.put(field,
                    references.bIds(pair.references().stream().filter(r -> r.field().equals(field)).findFirst().orElseThrow().parent(), ids)));
            Plan plan = TwoWayPlanner.plan(matchNew ? pair.rules() : pair.rules().withoutMatch(), new Chunk(involved, intents, rowsA, rowsB, newA, newB,
                    twins.unlinkedA(), twins.unlinkedB(), inConflict, decision, parentsOnB, relays.read(pair, rowsA, rowsB, involved)));
            List<Refusal> refused = new ArrayList<>();
            // a side that creates records at once (an API) is written last: a refusal on the other side leaves it untouched
            boolean aFirst = !pair.side(Role.B).system().transactional() && pair.side(Role.A).system().transactional();
            List<String> createdA = aFirst ? write(sa, Role.A, plan, involved, refused) : null;
            List<String> createdB = refused.isEmpty() ? write(sb, Role.B, plan, involved, refused) : List.of();
            if (!aFirst) {
                createdA = refused.isEmpty() ? write(sa, Role.A, plan, involved, refused) : List.of();
            }
            if (!refused.isEmpty()) {
                return new Attempt(null, refused); // both sessions roll back when they close
            }
            for (Plan.DeadLetter deadLetter : ambiguous.isEmpty() ? plan.deadLetters() : concat(plan.deadLetters(), ambiguous)) {
                state.deadLetter(name, pair.side(deadLetter.side()).name(), deadLetter.id(), deadLetter.reason(), deadLetter.record());
            }
            List<Link> created = new ArrayList<>();
            List<Link> creating = new ArrayList<>();
            Map<Role, Map<String, String>> echoes = new EnumMap<>(plan.echoes());
            linkCreated(Role.A, plan.creates(Role.A), createdA, created, creating, echoes);
            int createdOnA = created.size();
            linkCreated(Role.B, plan.creates(Role.B), createdB, created, creating, echoes);
            Map<Link, Role> createdOn = new LinkedHashMap<>();
            for (int i = 0; i < created.size(); i++) {
                createdOn.put(created.get(i), i < createdOnA ? Role.A : Role.B);
            }
            List<Link> writing = plan.links().stream()
                    .filter(l -> plan.updates(Role.A).containsKey(l.aId()) || plan.updates(Role.B).containsKey(l.bId()))
                    .map(l -> new Link(l.aId(), l.bId(), l.base(), Links.intended(l.aHash(), plan.updates(Role.A).containsKey(l.aId())),
                            Links.intended(l.bHash(), plan.updates(Role.B).containsKey(l.bId()))))
                    .toList();
            if (!writing.isEmpty() || !creating.isEmpty()) {
                // the window's intent, and the new records' links marked as being created, are stored before the sides commit:
                // a crash in between leaves a link whose record is missing (created again) or present (merged against its base),
                // never a record without a link that would be matched with no base
                links.saveIntents(name, writing, creating);
            }
            // where the written values came from, stored before the sides commit: a pair that reads these records in a table it
            // shares finds it as soon as they are committed (a write that does not commit leaves an origin no record matches)
            relays.store(pair, plan, rowsA, rowsB, Map.of(Role.A, createdA, Role.B, createdB));
            faults.at(name, Faults.BEFORE_SIDES_COMMIT, involved.keySet());
            // b first, unless only a writes as it commits (an API): its refusals and records changed meanwhile then roll the database back
            boolean aCommitsFirst = !pair.side(Role.A).system().transactional() && pair.side(Role.B).system().transactional();
            Attempt notCommitted = aCommitsFirst ? commit(sa, Role.A, pair, plan, involved) : commit(sb, Role.B, pair, plan, involved);
            if (notCommitted != null) {
                return notCommitted; // the other side rolls back when it closes
            }
            faults.at(name, Faults.BETWEEN_SIDES_COMMIT, involved.keySet());
            notCommitted = aCommitsFirst ? commit(sb, Role.B, pair, plan, involved) : commit(sa, Role.A, pair, plan, involved);
            if (notCommitted != null) {
                return notCommitted; // the first side committed: the next attempt reads what it holds, as after a crash between the commits
            }
            faults.at(name, Faults.BEFORE_STATE_COMMIT, involved.keySet());
            commitState(pair, plan, created, retry, new HistoryEntries(pair.rules(), pair.sensitiveFields(), decision)
                    .of(plan, involved, rowsA, rowsB, createdOn));
            PairStatus status = state.status(name);
            int writtenA = plan.updates(Role.A).size() + createdA.size() + plan.deletes(Role.A).size();
            int writtenB = plan.updates(Role.B).size() + createdB.size() + plan.deletes(Role.B).size();
            status.written(Role.A, writtenA);
            status.written(Role.B, writtenB);
            status.resolved(plan.resolved());
            status.deleted(plan.deleted());
            for (Role side : Role.values()) {
                status.changes(side, plan.changes().get(side), plan.relayed().get(side));
            }
            echoes.forEach((side, bySide) -> bySide.forEach((id, hash) -> status.expectEcho(ChangeKey.of(name, pair.side(side).name(), id, hash))));
            return new Attempt(new Outcome(writtenA, writtenB, createdA.size() + createdB.size(), plan.resolved(), plan.newConflicts(),
                    plan.deleted(), plan.unchanged()), List.of());
        }
    }

    /** The ids in chunks of at most {@code size}, in their order. */
    private static List<Set<String>> chunks(List<String> ids, int size) {
        List<Set<String>> chunks = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += size) {
            chunks.add(new LinkedHashSet<>(ids.subList(from, Math.min(ids.size(), from + size))));
        }
        return chunks;
    }

    /** Side B's rows with each reference's B id read as the parent's A id, as the mapping expects. */
    private Map<String, Row> readB(Pair pair, Map<String, Row> rows) {
        if (!pair.references().isEmpty()) {
            references.readB(pair, rows.values().stream().map(Row::values).toList());
        }
        return rows;
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /**
     * Carries out the plan's writes to one side, inside its session; returns the ids of the records it
     * created. What the side refuses is added to {@code refused}.
     */
    private static List<String> write(Entity.Session session, Role side, Plan plan, Map<String, Link> involved, List<Refusal> refused) {
        Map<String, Link> bySideId = linksBySideId(side, plan, involved);
        session.update(plan.updates(side).entrySet().stream().map(u -> new Entity.Write(u.getKey(), u.getValue())).toList())
                .forEach((id, reason) -> refused.add(new Refusal(side, id, bySideId.get(id), reason,
                        Arrays.toString(plan.updates(side).get(id)))));
        List<Entity.Created> created = session.create(plan.creates(side).stream().map(c -> new Entity.Write(c.sourceId(), c.values())).toList());
        Map<String, Link> bySourceId = new HashMap<>();
        involved.values().forEach(l -> bySourceId.put(l.id(side.other()), l));
        for (int i = 0; i < created.size(); i++) {
            if (created.get(i).id() == null) {
                Plan.Create create = plan.creates(side).get(i);
                refused.add(new Refusal(side.other(), create.sourceId(), bySourceId.get(create.sourceId()),
                        "its copy: " + created.get(i).refusal(), Arrays.toString(create.values())));
            }
        }
        session.delete(plan.deletes(side)).forEach((id, reason) -> refused.add(new Refusal(side, id, bySideId.get(id), reason, "(delete)")));
        return created.stream().map(Entity.Created::id).toList();
    }

    /** The links of the records a side created, by the ids its inserts generated; and the echoes those records will send. */
    private static void linkCreated(Role side, List<Plan.Create> creates, List<String> ids, List<Link> created, List<Link> creating,
            Map<Role, Map<String, String>> echoes) {
        Map<String, String> sideEchoes = new HashMap<>(echoes.get(side));
        for (int i = 0; i < creates.size(); i++) {
            Plan.Create c = creates.get(i);
            String newId = ids.get(i);
            String mark = Links.CREATING + c.twinHash();
            created.add(side == Role.A ? new Link(newId, c.sourceId(), c.base(), c.twinHash(), c.sourceHash())
                    : new Link(c.sourceId(), newId, c.base(), c.sourceHash(), c.twinHash()));
            creating.add(side == Role.A ? new Link(newId, c.sourceId(), c.base(), mark, c.sourceHash())
                    : new Link(c.sourceId(), newId, c.base(), c.sourceHash(), mark));
            sideEchoes.put(newId, c.twinHash());
        }
        echoes.put(side, sideEchoes);
    }

    /** Moves the links to what both sides now hold, with conflicts, parked records, dead letters and the record history, in one state commit. */
    private void commitState(Pair pair, Plan plan, List<Link> created, Map<String, String> retry, List<io.syncline.state.History.Entry> decisions) {
        List<Link> moved = new ArrayList<>(plan.links());
        moved.addAll(created);
        Map<String, String> parked = new HashMap<>(plan.parked());
        parked.putAll(retry);
        appliedWindows.commit(pair.name(), pair.side(Role.A).name(), pair.side(Role.B).name(), new AppliedWindows.Applied(moved,
                plan.dropLinks(), parked, plan.done(), plan.conflicts(), plan.settled(), decisions));
    }
}
