package io.syncline.write;

import io.syncline.conflict.Policy;
import io.syncline.conflict.Resolution;
import io.syncline.mapping.ColumnValues;
import io.syncline.mapping.Mapping;
import io.syncline.mapping.RecordException;
import io.syncline.mapping.TwoWayMapping;
import io.syncline.mapping.Values;
import io.syncline.pair.Deletes;
import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.pair.Side;
import io.syncline.read.ChangeKey;
import io.syncline.read.Page;
import io.syncline.state.Conflicts;
import io.syncline.state.Links;
import io.syncline.state.Links.Link;
import io.syncline.state.PairStatus;
import io.syncline.state.PendingChanges;
import io.syncline.state.References;
import io.syncline.state.SyncState;
import io.syncline.state.Window;
import io.syncline.system.Table;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Applies a closed window of a two-way pair. For each link it touches, it reads and locks the
 * rows both sides hold now ({@code SELECT ... FOR UPDATE}), compares each side's hash with the
 * link's to see who changed since the base, resolves by the pair's policy, and writes only what
 * differs. Because the rows are locked while it decides, an edit that races the write is either
 * seen (and resolved) or waits and is read as a new change: never silently overwritten.
 * Both sides commit before the links move to the new base; a crash in between replays the
 * window, which then finds both sides already equal.
 */
@ApplicationScoped
@Named("twoWayWriter")
public class TwoWayWriter {

    private static final Logger LOG = Logger.getLogger(TwoWayWriter.class);
    /** Ids per side per transaction: bounds the rows locked at once and the size of IN lists. */
    private static final int CHUNK = 1000;

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
    SideRows rows;

    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** What one application of a window did. */
    public record Outcome(int writtenA, int writtenB, int created, int resolved, int manual, int deleted, int unchanged) {
        Outcome plus(Outcome o) {
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
        try {
            references.parked(pair.name()).forEach(window::add); // retried with every window, in case their parent came meanwhile
            Outcome outcome = applyLocked(pair, window, matchNew);
            state.status(pair.name()).applied(null);
            pendingChanges.applied(window, side -> pair.side(side).name());
            // children of other pairs that waited for a record of this one
            references.waitingFor(pair.name()).forEach((child, ids) -> {
                if (!child.equals(pair.name())) {
                    Window parked = new Window(child);
                    ids.forEach(parked::add);
                    try {
                        apply(parked, true);
                    } catch (RuntimeException e) {
                        // logged and shown by the child pair; its records stay parked and are tried with its next window
                    }
                }
            });
            return outcome;
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            state.status(pair.name()).applied(reason);
            LOG.errorf("pair '%s': %s (it is kept and applied again)", pair.name(), reason);
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
            Set<String> aIds = new java.util.LinkedHashSet<>(window.ids("a"));
            List<String> newB = new ArrayList<>();
            List<String> bIds = new ArrayList<>(window.ids("b"));
            for (int from = 0; from < bIds.size(); from += CHUNK) {
                List<String> chunk = bIds.subList(from, Math.min(bIds.size(), from + CHUNK));
                Map<String, Link> linked = links.find(pair.name(), "b", chunk);
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
            for (int from = 0; from < a.size(); from += CHUNK) {
                total = total.plus(applyChunk(pair, Set.copyOf(a.subList(from, Math.min(a.size(), from + CHUNK))), Set.of(), null, matchNew));
            }
            for (int from = 0; from < newB.size(); from += CHUNK) {
                total = total.plus(applyChunk(pair, Set.of(), Set.copyOf(newB.subList(from, Math.min(newB.size(), from + CHUNK))), null, matchNew));
            }
            for (Page page : window.takeUnsaved()) { // pages that closed the window before the repository stored them
                state.commitPage(pair.name(), page.side().name(), List.of(), page.end());
                page.written().complete(page.staged().size());
            }
            if (total.writtenA + total.writtenB + total.manual > 0) {
                LOG.infof("pair '%s': window applied in %.2fs: %d written to %s, %d to %s (%d created), %d conflicts resolved, "
                        + "%d left for review, %d deleted", pair.name(), (System.nanoTime() - started) / 1e9, total.writtenA,
                        pair.side("a").reference(), total.writtenB, pair.side("b").reference(), total.created, total.resolved,
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
     * @throws NotSettled when the conflict was resolved meanwhile, or the record now conflicts on fields
     *                    the decision leaves open
     */
    public Outcome force(Pair pair, String aId, Map<String, Object> decided) {
        ReentrantLock lock = locks.computeIfAbsent(pair.name(), k -> new ReentrantLock());
        lock.lock();
        try {
            if (conflicts.open(pair.name(), Set.of(aId)).isEmpty()) {
                throw new NotSettled("pair '" + pair.name() + "' has no open conflict for record " + aId + " of side a any more: resolved meanwhile");
            }
            return applyChunk(pair, Set.of(aId), Set.of(), decided, false);
        } finally {
            lock.unlock();
        }
    }

    /** A decision that cannot settle its conflict (see {@link #force}); nothing was written. */
    public static final class NotSettled extends RuntimeException {
        NotSettled(String message) {
            super(message);
        }
    }

    /** Everything one chunk will do, decided before anything is written. */
    private static final class Plan {
        final Map<String, Object[]> updateA = new LinkedHashMap<>();
        final Map<String, Object[]> updateB = new LinkedHashMap<>();
        final Map<String, Object[]> insertA = new LinkedHashMap<>(); // by B id
        final Map<String, Object[]> insertB = new LinkedHashMap<>(); // by A id
        final Map<String, Map<String, Object>> insertedCanonical = new HashMap<>();
        final Map<String, String> insertHash = new HashMap<>(); // hash of the record's own side, by its id
        final Map<String, String> insertedHash = new HashMap<>(); // hash the new twin will read as
        final Set<String> deleteA = new HashSet<>();
        final Set<String> deleteB = new HashSet<>();
        final List<Link> links = new ArrayList<>();
        final Set<String> dropLinks = new HashSet<>();
        final List<Conflicts.Conflict> conflicts = new ArrayList<>();
        final Set<String> conflictsSettled = new HashSet<>();
        final Map<String, String> echoes = new HashMap<>(); // "a"/"b" + id -> hash the write produces
        final Map<String, Map<String, String>> parentsOnB = new HashMap<>(); // reference field -> parent's A id -> its B id
        final Map<String, String> parked = new HashMap<>(); // "a"/"b" + id -> the parent pair it waits for
        final Set<String> done = new HashSet<>(); // "a"/"b" + id applied without parking
        final List<Link> creating = new ArrayList<>(); // links of records being created, stored before the insert commits
        int resolved;
        int newConflicts;
        int unchanged;
        int deleted;
    }

    private Outcome applyChunk(Pair pair, Set<String> aIds, Set<String> bIds, Map<String, Object> forced, boolean matchNew) {
        String name = pair.name();
        Side a = pair.side("a");
        Side b = pair.side("b");
        Map<String, Link> involved = new LinkedHashMap<>(links.find(name, "a", aIds));
        Map<String, Link> byB = links.find(name, "b", bIds);
        byB.values().forEach(l -> involved.put(l.aId(), l));
        Set<String> newA = new HashSet<>(aIds);
        newA.removeAll(involved.keySet());
        Set<String> newB = new HashSet<>(bIds);
        newB.removeAll(byB.keySet());
        newB.removeAll(involved.values().stream().map(Link::bId).toList());
        Set<String> inConflict = forced == null ? conflicts.open(name, involved.keySet()) : Set.of();
        Map<String, Link> intents = links.intents(name, involved.keySet());

        Set<String> readA = new HashSet<>(newA);
        Set<String> readB = new HashSet<>(newB);
        involved.values().forEach(l -> {
            readA.add(l.aId());
            readB.add(l.bId());
        });
        try (Connection ca = a.system().connect(); Connection cb = b.system().connect()) {
            ca.setAutoCommit(false);
            cb.setAutoCommit(false);
            try {
                Map<String, SideRows.Row> rowsA = rows.lockRead(pair, ca, a, readA);
                Map<String, SideRows.Row> rowsB = rows.lockRead(pair, cb, b, readB);
                if (pair.match() != null && matchNew) {
                    rows.matchNew(pair, "a", newA, rowsA, cb, rowsB, involved);
                    rows.matchNew(pair, "b", newB, rowsB, ca, rowsA, involved);
                }
                Plan plan = new Plan();
                for (Pair.Reference ref : pair.references()) {
                    Set<String> parents = new HashSet<>();
                    rowsA.values().forEach(r -> addId(parents, r.values().get(ref.aColumn())));
                    rowsB.values().forEach(r -> addId(parents, r.values().get(ref.bColumn())));
                    if (forced != null) {
                        addId(parents, forced.get(ref.field()));
                    }
                    plan.parentsOnB.put(ref.field(), references.bIds(ref.parent(), parents));
                }
                for (Link link : involved.values()) {
                    try {
                        decide(pair, link, intents.get(link.aId()), rowsA.get(link.aId()), rowsB.get(link.bId()), inConflict.contains(link.aId()),
                                forced, plan);
                    } catch (RecordException e) {
                        state.deadLetter(name, a.name(), link.aId(), e.getMessage(), "link " + link.aId() + " <-> " + link.bId());
                    }
                }
                for (String id : newA) {
                    create(pair, "a", id, rowsA.get(id), plan);
                }
                for (String id : newB) {
                    create(pair, "b", id, rowsB.get(id), plan);
                }
                int createdB = execute(cb, pair, b, plan.updateB, plan.insertB, plan.deleteB, plan, "b");
                int createdA = execute(ca, pair, a, plan.updateA, plan.insertA, plan.deleteA, plan, "a");
                List<Link> writing = plan.links.stream()
                        .filter(l -> plan.updateA.containsKey(l.aId()) || plan.updateB.containsKey(l.bId()))
                        .map(l -> new Link(l.aId(), l.bId(), l.base(), Links.intended(l.aHash(), plan.updateA.containsKey(l.aId())),
                                Links.intended(l.bHash(), plan.updateB.containsKey(l.bId()))))
                        .toList();
                if (!writing.isEmpty()) {
                    try (Connection c = links.begin()) {
                        links.saveIntents(c, name, writing);
                        c.commit();
                    }
                }
                if (!plan.creating.isEmpty()) {
                    // the new records' links, marked as being created, are stored before the inserts commit: a crash in
                    // between leaves a link whose record is missing (created again) or present (merged against its base),
                    // never a record without a link that would be matched with no base
                    try (Connection c = links.begin()) {
                        links.save(c, name, plan.creating);
                        c.commit();
                    }
                }
                faults.at(name, Faults.BEFORE_SIDES_COMMIT, involved.keySet());
                cb.commit();
                faults.at(name, Faults.BETWEEN_SIDES_COMMIT, involved.keySet());
                ca.commit();
                faults.at(name, Faults.BEFORE_STATE_COMMIT, involved.keySet());
                commitState(pair, plan);
                PairStatus status = state.status(name);
                int writtenA = plan.updateA.size() + createdA + plan.deleteA.size();
                int writtenB = plan.updateB.size() + createdB + plan.deleteB.size();
                status.written("a", writtenA);
                status.written("b", writtenB);
                status.resolved(plan.resolved);
                status.deleted(plan.deleted);
                plan.echoes.forEach((key, hash) -> status.expectEcho(
                        ChangeKey.of(name, pair.side(key.substring(0, 1)).name(), key.substring(1), hash)));
                return new Outcome(writtenA, writtenB, createdA + createdB, plan.resolved, plan.newConflicts, plan.deleted, plan.unchanged);
            } catch (SQLException | RuntimeException e) {
                rollback(ca);
                rollback(cb);
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("applying a window failed: " + e.getMessage(), e);
        }
    }

    /** What to do for one link, given the rows both sides hold now. */
    private void decide(Pair pair, Link link, Link intent, SideRows.Row rowA, SideRows.Row rowB, boolean inConflict, Map<String, Object> forced, Plan plan) {
        TwoWayMapping mapping = pair.twoWayMapping();
        if (rowA == null && rowB == null) {
            plan.dropLinks.add(link.aId());
            return;
        }
        boolean wasCreating = link.aHash().startsWith(Links.CREATING) || link.bHash().startsWith(Links.CREATING);
        if (wasCreating) {
            String creatingSide = link.aHash().startsWith(Links.CREATING) ? "a" : "b";
            if ((creatingSide.equals("a") ? rowA : rowB) == null) { // its insert never committed: create it again
                String from = creatingSide.equals("a") ? "b" : "a";
                if (creatingSide.equals("a")) {
                    plan.dropLinks.add(link.aId()); // the new record gets a new id, and a new link
                }
                create(pair, from, link.id(from), from.equals("a") ? rowA : rowB, plan);
                return;
            }
            String hash = link.hash(creatingSide).substring(Links.CREATING.length());
            link = creatingSide.equals("a") ? new Link(link.aId(), link.bId(), link.base(), hash, link.bHash())
                    : new Link(link.aId(), link.bId(), link.base(), link.aHash(), hash);
        }
        if (rowA == null || rowB == null) {
            deleted(pair, link, rowA == null ? "a" : "b", rowA == null ? rowB : rowA, plan);
            return;
        }
        Map<String, Object> canonicalA;
        Map<String, Object> canonicalB;
        String failing = "a";
        try {
            canonicalA = mapping.readA(rowA.values());
            failing = "b";
            canonicalB = mapping.readB(rowB.values());
        } catch (RecordException e) { // the record of that side holds what the mapping refuses: its dead letter, until it is fixed
            state.deadLetter(pair.name(), pair.side(failing).name(), link.id(failing), e.getMessage(),
                    String.valueOf(("a".equals(failing) ? rowA : rowB).values()));
            return;
        }
        if (parked(pair, "b" + link.bId(), canonicalB, plan)) {
            return;
        }
        String hashA = Mapping.hash(canonicalA);
        String hashB = Mapping.hash(canonicalB);
        if (intent != null) {
            // the last window stopped after writing and before moving the link: see which of its writes made it (a side
            // it did not write proves nothing: it may hold an edit made since, and the window's change is then not done)
            boolean aWrote = Links.written(intent.aHash());
            boolean bWrote = Links.written(intent.bHash());
            String aIntended = Links.expected(intent.aHash());
            String bIntended = Links.expected(intent.bHash());
            boolean aDone = aWrote && hashA.equals(aIntended);
            boolean bDone = bWrote && hashB.equals(bIntended);
            if (aDone || bDone) {
                if (aWrote && !aDone && hashA.equals(link.aHash()) || bWrote && !bDone && hashB.equals(link.bHash())) {
                    // one write made it and the other side still holds what it held: finish the window's work
                    String newHashA = write(pair, "a", link.aId(), rowA, hashA, intent.base(), plan.updateA, plan);
                    String newHashB = write(pair, "b", link.bId(), rowB, hashB, intent.base(), plan.updateB, plan);
                    plan.links.add(new Link(link.aId(), link.bId(), intent.base(), newHashA, newHashB));
                    plan.done.add("a" + link.aId());
                    return;
                }
                // the window's writes made it (and a side may have been edited since: a change against the window's result)
                link = new Link(intent.aId(), intent.bId(), intent.base(), aIntended, bIntended);
            }
            // neither made it: the changes are resolved again against the older base
        }
        boolean changedA = !hashA.equals(link.aHash());
        boolean changedB = !hashB.equals(link.bHash());
        Map<String, Object> result;
        if (forced != null) {
            // the decided fields hold the decision on both sides, so they are in conflict no more; the rest resolve as usual
            Map<String, Object> decidedA = new LinkedHashMap<>(canonicalA);
            decidedA.putAll(forced);
            Map<String, Object> decidedB = new LinkedHashMap<>(canonicalB);
            forced.forEach((field, value) -> {
                if (mapping.bFields().contains(field)) {
                    decidedB.put(field, value);
                }
            });
            Resolution resolution = Resolution.resolve(pair.policy(), link.base(), decidedA, true, time(rowA), decidedB, true, time(rowB),
                    mapping.bFields());
            if (resolution.isManual()) {
                List<String> open = resolution.conflicting().stream().filter(f -> pair.policy().ruleFor(f) == Policy.Rule.MANUAL).toList();
                throw new NotSettled("record " + link.aId() + " of pair '" + pair.name() + "' now also conflicts on " + open
                        + ", left to an operator; decide those fields too (\"values\")");
            }
            result = resolution.result();
        } else {
            if (!changedA && !changedB) {
                plan.unchanged++;
                if (wasCreating || intent != null) {
                    plan.links.add(link); // the insert, or the window, had committed: the link loses its mark, or takes the intent
                }
                return;
            }
            if (inConflict) { // still waiting for an operator: keep the latest values for review, write nothing
                plan.conflicts.add(new Conflicts.Conflict(pair.name(), link.aId(), link.bId(), List.of(), link.base(), canonicalA, canonicalB,
                        null, null));
                plan.links.add(new Link(link.aId(), link.bId(), link.base(), hashA, hashB));
                return;
            }
            Resolution resolution = Resolution.resolve(pair.policy(), link.base(), canonicalA, changedA, time(rowA), canonicalB, changedB,
                    time(rowB), mapping.bFields());
            if (resolution.isManual()) {
                plan.conflicts.add(new Conflicts.Conflict(pair.name(), link.aId(), link.bId(), resolution.conflicting(), link.base(),
                        canonicalA, canonicalB, null, null));
                plan.newConflicts++;
                // the link keeps its base but takes the sides' hashes: re-reads are skipped, a new edit is seen
                plan.links.add(new Link(link.aId(), link.bId(), link.base(), hashA, hashB));
                return;
            }
            if (!resolution.conflicting().isEmpty()) {
                plan.resolved++;
            }
            result = resolution.result();
        }
        if (parked(pair, "a" + link.aId(), result, plan)) {
            return;
        }
        plan.done.add("a" + link.aId());
        plan.done.add("b" + link.bId());
        String newHashA = write(pair, "a", link.aId(), rowA, hashA, result, plan.updateA, plan);
        String newHashB = write(pair, "b", link.bId(), rowB, hashB, result, plan.updateB, plan);
        plan.links.add(new Link(link.aId(), link.bId(), result, newHashA, newHashB));
        if (forced != null) {
            plan.conflictsSettled.add(link.aId()); // only once both writes are planned: a value a side refuses leaves it open
        }
    }

    /**
     * Plans the write of {@code result} to one side when it differs from what the side holds;
     * returns the hash the side will hold.
     */
    private String write(Pair pair, String side, String id, SideRows.Row row, String currentHash, Map<String, Object> result,
            Map<String, Object[]> updates, Plan plan) {
        Object[] values = values(pair, side, result);
        String after = hashAfter(pair, side, row == null ? null : row.values(), values);
        if (!after.equals(currentHash)) {
            updates.put(id, withParentsOnB(pair, side, values, plan));
            plan.echoes.put(side + id, after);
        }
        return after;
    }

    /**
     * Side B's values with each reference's parent A id replaced by its B id; the values before
     * this are what B will read back, translated, so the hash is computed on them.
     */
    private Object[] withParentsOnB(Pair pair, String side, Object[] values, Plan plan) {
        if ("a".equals(side) || pair.references().isEmpty()) {
            return values;
        }
        Object[] translated = values.clone();
        List<Table.Column> columns = pair.targetColumns();
        for (Pair.Reference ref : pair.references()) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equalsIgnoreCase(ref.bColumn()) && translated[i] != null) {
                    String bId = plan.parentsOnB.get(ref.field()).get(String.valueOf(Values.canonical(translated[i])));
                    translated[i] = ColumnValues.forColumn(bId, columns.get(i), ref.field());
                }
            }
        }
        return translated;
    }

    /**
     * Parks a record whose parent (a ref(...) field) has no link yet, instead of writing a broken
     * reference: it is applied again once the parent pair links the parent.
     */
    private boolean parked(Pair pair, String sideId, Map<String, Object> canonical, Plan plan) {
        for (Pair.Reference ref : pair.references()) {
            Object v = canonical.get(ref.field());
            if (v instanceof References.Unlinked || v != null && !plan.parentsOnB.get(ref.field()).containsKey(String.valueOf(v))) {
                plan.parked.put(sideId, ref.parent());
                return true;
            }
        }
        return false;
    }

    private Object[] values(Pair pair, String side, Map<String, Object> canonical) {
        TwoWayMapping mapping = pair.twoWayMapping();
        Side s = pair.side(side);
        return "a".equals(side) ? mapping.toA(canonical, s::column) : mapping.toB(canonical, pair.targetColumns());
    }

    private List<String> writtenColumns(Pair pair, String side) {
        return "a".equals(side) ? pair.twoWayMapping().aColumns() : pair.targetColumns().stream().map(Table.Column::name).toList();
    }

    /** The hash a side will read as after {@code values} are written over {@code row}. */
    private String hashAfter(Pair pair, String side, Map<String, Object> row, Object[] values) {
        Map<String, Object> after = TwoWayMapping.overlay(row, writtenColumns(pair, side), values);
        TwoWayMapping mapping = pair.twoWayMapping();
        return Mapping.hash("a".equals(side) ? mapping.readA(after) : mapping.readB(after));
    }

    /**
     * One side's record is gone while its link remains: the pair's delete rule for that side
     * decides, once. Unless the rule deletes the survivor, the link stays as a tombstone (the gone
     * side's hash is {@link Links#GONE}), so the survivor is neither created again on the side
     * that deleted it nor counted as a delete again.
     */
    private void deleted(Pair pair, Link link, String goneSide, SideRows.Row survivor, Plan plan) {
        String other = "a".equals(goneSide) ? "b" : "a";
        TwoWayMapping mapping = pair.twoWayMapping();
        Map<String, Object> canonical = new LinkedHashMap<>("a".equals(other) ? mapping.readA(survivor.values()) : mapping.readB(survivor.values()));
        String current = Mapping.hash(canonical);
        String otherId = link.id(other);
        Deletes rule = pair.deletes(goneSide);
        if (Links.GONE.equals(link.hash(goneSide)) || rule.kind() == Deletes.Kind.IGNORE) {
            plan.links.add(tombstone(link, goneSide, link.base(), current));
            return;
        }
        if (rule.kind() == Deletes.Kind.DELETE) {
            ("a".equals(other) ? plan.deleteA : plan.deleteB).add(otherId);
            plan.dropLinks.add(link.aId());
            plan.deleted++;
            return;
        }
        canonical.put(rule.field(), rule.value());
        String after = write(pair, other, otherId, survivor, current, canonical, "a".equals(other) ? plan.updateA : plan.updateB, plan);
        plan.deleted++;
        plan.links.add(tombstone(link, goneSide, canonical, after));
    }

    private static Link tombstone(Link link, String goneSide, Map<String, Object> base, String survivorHash) {
        return "a".equals(goneSide) ? new Link(link.aId(), link.bId(), base, Links.GONE, survivorHash)
                : new Link(link.aId(), link.bId(), base, survivorHash, Links.GONE);
    }

    /** A record with no link yet: created on the other side, where the insert's generated id becomes the link. */
    private void create(Pair pair, String side, String id, SideRows.Row row, Plan plan) {
        if (row == null) {
            return; // created and deleted before the window closed
        }
        TwoWayMapping mapping = pair.twoWayMapping();
        Map<String, Object> canonical;
        try {
            canonical = "a".equals(side) ? mapping.readA(row.values()) : mapping.readB(row.values());
        } catch (RecordException e) {
            state.deadLetter(pair.name(), pair.side(side).name(), id, e.getMessage(), String.valueOf(row.values()));
            return;
        }
        if (parked(pair, side + id, canonical, plan)) {
            return;
        }
        plan.done.add(side + id);
        String other = "a".equals(side) ? "b" : "a";
        Object[] values = values(pair, other, canonical);
        ("a".equals(other) ? plan.insertA : plan.insertB).put(id, withParentsOnB(pair, other, values, plan));
        plan.insertedCanonical.put(side + id, canonical);
        plan.insertHash.put(side + id, Mapping.hash(canonical));
        plan.insertedHash.put(side + id, hashAfter(pair, other, null, values));
    }

    /** Updates, inserts and deletes on one side, inside its transaction; returns the number of records created. */
    private int execute(Connection c, Pair pair, Side side, Map<String, Object[]> updates, Map<String, Object[]> inserts, Set<String> deletes,
            Plan plan, String role) throws SQLException {
        List<String> columns = writtenColumns(pair, role);
        List<Table.Column> types = columns.stream().map(side::column).toList();
        String table = side.quotedTable();
        var dialect = side.system().dialect();
        String key = dialect.quote(side.key().name());
        Table.Column stamp = side.stamp();
        if (!updates.isEmpty()) {
            String set = columns.stream().map(col -> dialect.quote(side.column(col).name()) + " = ?").collect(Collectors.joining(", "))
                    + (stamp == null ? "" : ", " + dialect.quote(stamp.name()) + " = " + dialect.stamp(stamp, false));
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET " + set + " WHERE " + key + " = ?")) {
                for (Map.Entry<String, Object[]> update : updates.entrySet()) {
                    int i = bind(ps, update.getValue(), types);
                    side.key().bindId(ps, i, update.getKey());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        int created = 0;
        if (!inserts.isEmpty()) {
            String cols = columns.stream().map(col -> dialect.quote(side.column(col).name())).collect(Collectors.joining(", "))
                    + (stamp == null ? "" : ", " + dialect.quote(stamp.name()));
            String marks = columns.stream().map(col -> "?").collect(Collectors.joining(", ")) + (stamp == null ? "" : ", " + dialect.stamp(stamp, true));
            String other = "a".equals(role) ? "b" : "a";
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ")",
                    new String[] {side.key().name()})) {
                for (Map.Entry<String, Object[]> insert : inserts.entrySet()) {
                    bind(ps, insert.getValue(), types);
                    ps.executeUpdate();
                    String newId;
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        if (!keys.next()) {
                            throw new SQLException(side.reference() + " returned no generated " + side.key().name()
                                    + "; a two-way pair creates records and needs a generated id column", "42000");
                        }
                        newId = String.valueOf(Values.canonical(keys.getObject(1)));
                    }
                    String sourceId = insert.getKey();
                    String sourceHash = plan.insertHash.get(other + sourceId);
                    String twinHash = plan.insertedHash.get(other + sourceId);
                    Map<String, Object> base = plan.insertedCanonical.get(other + sourceId);
                    plan.links.add("a".equals(role) ? new Link(newId, sourceId, base, twinHash, sourceHash)
                            : new Link(sourceId, newId, base, sourceHash, twinHash));
                    String creating = Links.CREATING + twinHash;
                    plan.creating.add("a".equals(role) ? new Link(newId, sourceId, base, creating, sourceHash)
                            : new Link(sourceId, newId, base, sourceHash, creating));
                    plan.echoes.put(role + newId, twinHash);
                    created++;
                }
            }
        }
        if (!deletes.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE " + key + " = ?")) {
                for (String id : deletes) {
                    side.key().bindId(ps, 1, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        return created;
    }

    private static int bind(PreparedStatement ps, Object[] values, List<Table.Column> types) throws SQLException {
        int i = 1;
        for (int col = 0; col < values.length; col++) {
            if (values[col] == null) {
                ps.setNull(i++, types.get(col).jdbcType());
            } else {
                ps.setObject(i++, values[col]);
            }
        }
        return i;
    }

    private void commitState(Pair pair, Plan plan) {
        try (Connection c = links.begin()) {
            try {
                links.save(c, pair.name(), plan.links);
                links.delete(c, pair.name(), plan.dropLinks);
                references.park(c, pair.name(), plan.parked, plan.done);
                for (Conflicts.Conflict conflict : plan.conflicts) {
                    conflicts.save(c, conflict);
                }
                for (String aId : plan.conflictsSettled) {
                    conflicts.delete(c, pair.name(), aId);
                }
                // records that were resolved (written, equal, or left for review) could be mapped: no longer dead letters
                state.clearDeadLetters(c, pair.name(), pair.side("a").name(), plan.links.stream().map(Link::aId).filter(Objects::nonNull).toList());
                state.clearDeadLetters(c, pair.name(), pair.side("b").name(), plan.links.stream().map(Link::bId).filter(Objects::nonNull).toList());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            // both sides hold the result; the next look at these records finds them equal and records the links then
            throw new IllegalStateException("pair '" + pair.name() + "': the links of an applied window could not be stored: " + e.getMessage(), e);
        }
    }

    private static void addId(Set<String> ids, Object value) {
        if (value != null && !(value instanceof References.Unlinked)) {
            ids.add(String.valueOf(Values.canonical(value)));
        }
    }

    /** A row's change marker as an instant, for last-writer-wins; a local time is read as UTC on both sides. */
    private static Instant time(SideRows.Row row) {
        Object cursor = row.cursor();
        if (cursor instanceof Instant i) {
            return i;
        }
        if (cursor instanceof LocalDateTime ldt) {
            return ldt.toInstant(ZoneOffset.UTC);
        }
        return null;
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is closed next; the database rolls back what was not committed
        }
    }
}
