package io.syncline.write;

import io.syncline.change.ChangeKey;
import io.syncline.mapping.Mapping;
import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.pair.Topology;
import io.syncline.state.AppliedWindows;
import io.syncline.state.Conflicts;
import io.syncline.state.Links.Link;
import io.syncline.state.Links;
import io.syncline.state.PairStatus;
import io.syncline.state.PendingChanges;
import io.syncline.state.References;
import io.syncline.state.DeadLetters;
import io.syncline.state.SyncState;
import io.syncline.system.Entity;
import io.syncline.system.Row;
import io.syncline.value.RecordException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One attempt at one chunk of a two-way window: reads and locks the rows both sides hold now, matches new records with
 * their twins, has the {@link TwoWayPlanner} decide, writes both sides, and moves the links. A chunk of linked records
 * whose changes all come from one side (both sides databases) reads that side without locks, and after planning locks
 * there, without waiting, the rows the plan writes and those that did not hold their origin: if one changed since it
 * was read, or another transaction holds it, the attempt ends and the chunk is read again with both sides locked. A
 * row it does not write may change meanwhile: it then no longer matches the link's hash, and is read as a new change.
 * After the links move, the chunk's records are read again, and those that no longer hold what their links say are
 * returned ({@link Attempt#drifted()}) to be applied again at once.
 * The window's intent is stored before the sides commit; the links, conflicts, parked records and record history after
 * both did, in one state commit. An attempt that a side refused, or whose records changed meanwhile, ends without moving the state: the
 * {@link TwoWayWriter} plans the chunk again.
 */
@ApplicationScoped
public class ChunkWriter {

    private static final Logger LOG = Logger.getLogger(ChunkWriter.class);
    /** Attempts at a chunk whose records a side found changed while they were written (an API's 412), before the window fails. */
    static final int MAX_CHANGED_MEANWHILE = 5;

    @Inject
    Faults faults;

    @Inject
    SyncState state;

    @Inject
    DeadLetters deadLetters;

    @Inject
    Links links;

    @Inject
    Conflicts conflicts;

    @Inject
    References references;

    @Inject
    AppliedWindows appliedWindows;

    @Inject
    Relays relays;

    @Inject
    TwinMatching twinMatching;

    @Inject
    PendingChanges pendingChanges;

    /** A record a side refused to take: its side and id (for a create, the record it copies), and the link it belongs to, if any. */
    record Refusal(Role side, String id, Link link, String reason, String record) {
    }

    /**
     * An attempt at a chunk: its outcome, and the A ids of the records that changed while it was applied (to apply again);
     * or the records refused, and whether records changed on a side while they were written (an API's 412), or rows read
     * without locks changed or were held ({@code lockBoth}): the chunk is attempted again.
     */
    record Attempt(TwoWayWriter.Outcome outcome, List<Refusal> refused, List<Refusal> changed, boolean lockBoth, Set<String> drifted) {
        Attempt(TwoWayWriter.Outcome outcome, List<Refusal> refused) {
            this(outcome, refused, List.of(), false, Set.of());
        }

        Attempt(TwoWayWriter.Outcome outcome, List<Refusal> refused, List<Refusal> changed) {
            this(outcome, refused, changed, false, Set.of());
        }

        /**
         * Rows read without locks changed, or another transaction held them, before the plan could lock them: the chunk is
         * read again with both sides locked.
         */
        static final Attempt LOCK_BOTH = new Attempt(null, List.of(), List.of(), true, Set.of());
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

    /**
     * One attempt at a chunk; {@code retry} collects the records to park and try again with the next windows.
     *
     * @param changed the one side whose changes the chunk holds (its rows are then read without locks, and only those the
     *                plan writes are locked: another pair or an application that holds them holds nothing up); null when
     *                both sides changed, or to lock both
     */
    Attempt attempt(Pair pair, Set<String> aIds, Set<String> bIds, Role changed, Map<String, Object> decision, boolean matchNew,
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
        long readAt = deadLetters.stamp(); // before the rows are read: a dead letter a poll records after that stays
        Role unlocked = changed != null && decision == null && newA.isEmpty() && newB.isEmpty() && intents.isEmpty()
                && pair.side(Role.A).system().transactional() && pair.side(Role.B).system().transactional() ? changed : null;
        try (Entity.Session sa = pair.side(Role.A).entity().open(); Entity.Session sb = pair.side(Role.B).entity().open()) {
            // the two tables are locked in one order for all pairs (by name): pairs that share tables in a cycle (a triangle) wait
            // for each other rather than each hold one table and wait for the other's, a deadlock no single database can see
            boolean aLockedFirst = Topology.key(pair.side(Role.A).reference()).compareTo(Topology.key(pair.side(Role.B).reference())) <= 0;
            Map<String, Row> rowsA;
            Map<String, Row> rowsB;
            if (unlocked == Role.A) { // one table locked, the other read after it: no order to keep
                rowsB = readB(pair, sb.lock(readB));
                rowsA = sa.read(readA);
            } else if (unlocked == Role.B) {
                rowsA = sa.lock(readA);
                rowsB = readB(pair, sb.read(readB));
            } else {
                rowsA = aLockedFirst ? sa.lock(readA) : null;
                rowsB = readB(pair, sb.lock(readB));
                rowsA = aLockedFirst ? rowsA : sa.lock(readA);
            }
            createdThenDeleted(involved, sa, sb, rowsA, rowsB);
            TwinMatching.Twins twins = pair.match() != null && matchNew
                    ? twinMatching.find(pair, sa, sb, aLockedFirst, newA, newB, rowsA, rowsB) : TwinMatching.Twins.NONE;
            List<Plan.DeadLetter> ambiguous = twins.ambiguous();
            for (Plan.DeadLetter letter : ambiguous) { // they wait, neither matched nor created, parked: tried with every window
                retry.put(letter.side().key() + letter.id(), name);
            }
            Map<String, Map<String, String>> parentsOnB = new HashMap<>();
            Chunk.parentIds(pair.rules(), rowsA.values(), rowsB.values(), decision).forEach((field, ids) -> parentsOnB.put(field,
                    references.bIds(pair.references().stream().filter(r -> r.field().equals(field)).findFirst().orElseThrow().parent(), ids)));
            Relays.Relayed relayed = relays.read(pair, rowsA, rowsB, involved);
            Plan plan = TwoWayPlanner.plan(matchNew ? pair.rules() : pair.rules().withoutMatch(), new Chunk(involved, intents, rowsA, rowsB, newA, newB,
                    twins.unlinkedA(), twins.unlinkedB(), inConflict, decision, parentsOnB, relayed.held()));
            if (unlocked != null) {
                faults.at(name, Faults.PLANNED_UNLOCKED, involved.keySet());
                if (!stillAsRead(pair, unlocked, unlocked == Role.A ? sa : sb, unlocked == Role.A ? rowsA : rowsB, plan,
                        relayed.notHeld().get(unlocked))) {
                    return Attempt.LOCK_BOTH; // both sessions roll back when they close
                }
            }
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
                deadLetters.store(name, pair.side(deadLetter.side()).name(), deadLetter.id(), deadLetter.reason(), deadLetter.record());
            }
            List<Link> created = new ArrayList<>();
            List<Link> creating = new ArrayList<>();
            Map<Role, Map<String, String>> echoes = new EnumMap<>(plan.echoes());
            linkCreated(Role.A, plan.creates(Role.A), createdA, createdA.isEmpty() ? null : sa.transaction(), created, creating, echoes);
            int createdOnA = created.size();
            linkCreated(Role.B, plan.creates(Role.B), createdB, createdB.isEmpty() ? null : sb.transaction(), created, creating, echoes);
            Map<Link, Role> createdOn = new LinkedHashMap<>();
            for (int i = 0; i < created.size(); i++) {
                createdOn.put(created.get(i), i < createdOnA ? Role.A : Role.B);
            }
            // links that exist already (twins matched in this window have none yet: matched again after a stop)
            List<Link> writing = plan.links().stream()
                    .filter(l -> involved.containsKey(l.aId()))
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
            // shares finds it as soon as they are committed (a side whose write does not commit has its origins set back)
            Relays.Replaced replaced = relays.store(pair, plan, rowsA, rowsB, Map.of(Role.A, createdA, Role.B, createdB), relayed);
            Attempt notCommitted = commitSides(pair, sa, sb, plan, involved, replaced);
            if (notCommitted != null) {
                return notCommitted;
            }
            faults.at(name, Faults.BEFORE_STATE_COMMIT, involved.keySet());
            Set<String> intentsDone = new HashSet<>(Links.aIds(writing)); // and those of an earlier window that stopped
            intentsDone.addAll(intents.keySet());
            commitState(pair, plan, created, retry, intentsDone, new HistoryEntries(pair.rules(), pair.sensitiveFields(), decision)
                    .of(plan, involved, rowsA, rowsB, createdOn), readAt);
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
            List<Link> moved = new ArrayList<>(plan.links());
            moved.addAll(created);
            return new Attempt(new TwoWayWriter.Outcome(writtenA, writtenB, createdA.size() + createdB.size(), plan.resolved(), plan.newConflicts(),
                    plan.deleted(), plan.unchanged()), List.of(), List.of(), false, drifted(pair, sa, sb, moved));
        }
    }

    /**
     * Commits both sides: b first, unless only a writes as it commits (an API), whose refusals and records changed meanwhile
     * then roll the database back. Returns null once both committed, else the attempt's end: a side not committed rolls
     * back when its session closes, and the origins stored for it are set back. (A crash leaves them: the records then do not
     * hold them, and are their markers'.)
     */
    private Attempt commitSides(Pair pair, Entity.Session sa, Entity.Session sb, Plan plan, Map<String, Link> involved, Relays.Replaced replaced) {
        Role first = !pair.side(Role.A).system().transactional() && pair.side(Role.B).system().transactional() ? Role.A : Role.B;
        Set<Role> committed = EnumSet.noneOf(Role.class);
        try {
            faults.at(pair.name(), Faults.BEFORE_SIDES_COMMIT, involved.keySet());
            Attempt notCommitted = commit(first == Role.A ? sa : sb, first, pair, plan, involved);
            if (notCommitted != null) {
                return notCommitted;
            }
            committed.add(first);
            faults.at(pair.name(), Faults.BETWEEN_SIDES_COMMIT, involved.keySet());
            Role second = first.other();
            notCommitted = commit(second == Role.A ? sa : sb, second, pair, plan, involved);
            if (notCommitted != null) {
                return notCommitted; // the first side committed: the next attempt reads what it holds, as after a crash between the commits
            }
            committed.add(second);
            return null;
        } finally {
            for (Role side : Role.values()) {
                if (!committed.contains(side)) {
                    try {
                        relays.setBack(pair, replaced, side);
                    } catch (RuntimeException e) { // the attempt's own end is what the writer must see
                        LOG.warnf("pair '%s': %s", pair.name(), e.getMessage());
                    }
                }
            }
        }
    }

    /**
     * The A ids of the links just moved whose records no longer hold what their links now say: edited after the chunk read
     * them and before the links moved. A poll may have skipped such an edit, having compared it with the link as it was
     * (a record set back to what it held), or with the content the window waited with: so their window no longer holds
     * them, and they are read again here, after the links moved, to be applied again at once. Read in the chunk's sessions,
     * whose transactions committed: each read begins a new one.
     */
    private Set<String> drifted(Pair pair, Entity.Session sa, Entity.Session sb, List<Link> moved) {
        if (moved.isEmpty()) {
            return Set.of();
        }
        Map<Role, Set<String>> ids = new EnumMap<>(Role.class);
        for (Role side : Role.values()) {
            ids.put(side, new HashSet<>());
            moved.forEach(l -> ids.get(side).add(l.id(side)));
            // a poll that reads them from now on compares them with the moved links, not with what the window waited with,
            // whatever the sides: a record set back on an API to that content is a change, not a re-read to skip
            pendingChanges.applied(pair.name(), pair.side(side).name(), ids.get(side));
        }
        if (!pair.side(Role.A).system().transactional() || !pair.side(Role.B).system().transactional()) {
            return Set.of(); // an API's records are not read again here: a request per record
        }
        Set<String> drifted = new LinkedHashSet<>();
        Map<String, Row> rowsA = sa.read(ids.get(Role.A));
        Map<String, Row> rowsB = readB(pair, sb.read(ids.get(Role.B)));
        for (Link link : moved) {
            if (!holds(pair, Role.A, link, rowsA.get(link.aId())) || !holds(pair, Role.B, link, rowsB.get(link.bId()))) {
                drifted.add(link.aId());
            }
        }
        return drifted;
    }

    /** Whether a side's record holds what the link says of it (gone, marked, or refused by the mapping: nothing to say). */
    private static boolean holds(Pair pair, Role side, Link link, Row row) {
        String hash = link.hash(side);
        if (row == null || Links.GONE.equals(hash) || hash.startsWith(Links.CREATING)) {
            return true; // a record deleted meanwhile is reconciliation's to find, as any delete
        }
        try {
            return hash.equals(Mapping.hash(pair.rules().read(side, row.values())));
        } catch (RecordException e) {
            return true; // its next read makes it a dead letter
        }
    }

    /**
     * Locks the rows of the side read without locks that the plan writes, and those that did not hold their origin (the
     * write of another pair that stored it may have been committing), if no other transaction holds one of them: true
     * when they still hold what the plan was made from.
     */
    private boolean stillAsRead(Pair pair, Role side, Entity.Session session, Map<String, Row> read, Plan plan, Set<String> notHeld) {
        Set<String> ids = new HashSet<>(plan.updates(side).keySet());
        ids.addAll(plan.deletes(side));
        ids.addAll(notHeld);
        if (ids.isEmpty()) {
            return true;
        }
        Map<String, Row> locked = session.lockIfFree(ids);
        if (locked == null) {
            return false;
        }
        if (side == Role.B) {
            readB(pair, locked);
        }
        return ids.stream().allMatch(id -> same(read.get(id), locked.get(id)));
    }

    /** The same row: marker and values (a binary column's bytes compared as bytes). */
    private static boolean same(Row read, Row locked) {
        if (read == null || locked == null) {
            return read == locked;
        }
        return Objects.deepEquals(read.marker(), locked.marker()) && read.values().keySet().equals(locked.values().keySet())
                && read.values().entrySet().stream().allMatch(e -> Objects.deepEquals(e.getValue(), locked.values().get(e.getKey())));
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

    /**
     * The links of the records a side created, by the ids its inserts generated; and the echoes those records will send.
     * {@code transaction}: the id of the side's transaction that inserted them, where the side can tell whether it committed.
     */
    private static void linkCreated(Role side, List<Plan.Create> creates, List<String> ids, Long transaction, List<Link> created,
            List<Link> creating, Map<Role, Map<String, String>> echoes) {
        Map<String, String> sideEchoes = new HashMap<>(echoes.get(side));
        for (int i = 0; i < creates.size(); i++) {
            Plan.Create c = creates.get(i);
            String newId = ids.get(i);
            String mark = Links.creating(c.twinHash(), transaction);
            created.add(side == Role.A ? new Link(newId, c.sourceId(), c.base(), c.twinHash(), c.sourceHash())
                    : new Link(c.sourceId(), newId, c.base(), c.sourceHash(), c.twinHash()));
            creating.add(side == Role.A ? new Link(newId, c.sourceId(), c.base(), mark, c.sourceHash())
                    : new Link(c.sourceId(), newId, c.base(), c.sourceHash(), mark));
            sideEchoes.put(newId, c.twinHash());
        }
        echoes.put(side, sideEchoes);
    }

    /**
     * The links of records that an attempt stopped after creating (a crash, or a failure before the links moved), whose record
     * is missing now: its insert never committed (the planner creates it again), or it committed and a user deleted the record
     * since. Where the side tells which ({@link Entity.Session#committed}, PostgreSQL), a committed insert's link loses its
     * mark here: the delete is then synced as any, not undone by a second create.
     */
    private static void createdThenDeleted(Map<String, Link> involved, Entity.Session sa, Entity.Session sb, Map<String, Row> rowsA,
            Map<String, Row> rowsB) {
        for (Map.Entry<String, Link> e : involved.entrySet()) {
            Link link = e.getValue();
            for (Role side : Role.values()) {
                Long transaction = Links.creatingTransaction(link.hash(side));
                if (transaction != null && (side == Role.A ? rowsA : rowsB).get(link.id(side)) == null
                        && Boolean.TRUE.equals((side == Role.A ? sa : sb).committed(transaction))) {
                    e.setValue(link.created(side));
                }
            }
        }
    }

    /**
     * Moves the links to what both sides now hold, with conflicts, parked records, dead letters and the record history, in one
     * state commit; {@code readAt}: the dead letters' stamp taken before the chunk read its rows.
     */
    private void commitState(Pair pair, Plan plan, List<Link> created, Map<String, String> retry, Set<String> intentsDone,
            List<io.syncline.state.History.Entry> decisions, long readAt) {
        List<Link> moved = new ArrayList<>(plan.links());
        moved.addAll(created);
        Map<String, String> parked = new HashMap<>(plan.parked());
        parked.putAll(retry);
        appliedWindows.commit(pair.name(), pair.side(Role.A).name(), pair.side(Role.B).name(), new AppliedWindows.Applied(moved,
                plan.dropLinks(), intentsDone, parked, plan.done(), plan.conflicts(), plan.settled(), decisions, readAt));
    }
}
