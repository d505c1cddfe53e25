package io.syncline.write;

import io.syncline.conflict.Policy;
import io.syncline.conflict.Resolution;
import io.syncline.mapping.ColumnValues;
import io.syncline.mapping.Mapping;
import io.syncline.value.RecordException;
import io.syncline.value.Values;
import io.syncline.pair.Deletes;
import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.pair.TwoWayRules;
import io.syncline.state.Conflicts;
import io.syncline.state.Links;
import io.syncline.state.Links.Link;
import io.syncline.state.References;
import io.syncline.system.Row;
import io.syncline.system.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what a chunk of a two-way window does, from what is known before anything is written:
 * the links, the rows both sides hold now, and the pair's rules. For each link it compares each
 * side's hash with the link's to see who changed since the base, resolves by the policy, and
 * plans only writes that change what a side holds. Records without a link are matched by natural
 * key or created on the other side. It reads and writes nothing itself: the {@link Plan} it
 * returns is carried out by {@link TwoWayWriter}.
 */
public final class TwoWayPlanner {

    /** A decision that cannot settle its conflict; nothing is planned. */
    public static final class NotSettled extends RuntimeException {
        NotSettled(String message) {
            super(message);
        }
    }

    private final TwoWayRules rules;
    private final Chunk chunk;
    private final EditTimes times;
    // the plan as it is drafted
    private final Map<Role, Map<String, Object[]>> updates = perSide(LinkedHashMap::new);
    private final Map<Role, List<Plan.Create>> creates = perSide(ArrayList::new);
    private final Map<Role, Set<String>> deletes = perSide(LinkedHashSet::new);
    private final List<Link> links = new ArrayList<>();
    private final Set<String> dropLinks = new LinkedHashSet<>();
    private final List<Conflicts.Conflict> conflicts = new ArrayList<>();
    private final Set<String> settled = new HashSet<>();
    private final Map<Role, Map<String, String>> echoes = perSide(HashMap::new);
    private final Map<String, String> parked = new HashMap<>();
    private final Set<String> done = new HashSet<>();
    private final List<Plan.DeadLetter> deadLetters = new ArrayList<>();
    private final Map<String, Role> deletedOn = new LinkedHashMap<>();
    private final Map<Role, Map<String, Instant>> origins = perSide(HashMap::new);
    private final Map<Role, Set<String>> changes = perSide(HashSet::new);
    private final Map<Role, Set<String>> relayed = perSide(HashSet::new);
    private int resolved;
    private int newConflicts;
    private int unchanged;
    private int deleted;

    private TwoWayPlanner(TwoWayRules rules, Chunk chunk) {
        this.rules = rules;
        this.chunk = chunk;
        this.times = new EditTimes(chunk.origins());
    }

    /** The plan for one chunk; throws {@link NotSettled} when the chunk's decision leaves a conflict open. */
    public static Plan plan(TwoWayRules rules, Chunk chunk) {
        return new TwoWayPlanner(rules, chunk).plan();
    }

    private Plan plan() {
        Map<String, Link> involved = new LinkedHashMap<>(chunk.links());
        Set<String> newA = new LinkedHashSet<>(chunk.newA());
        Set<String> newB = new LinkedHashSet<>(chunk.newB());
        chunk.match(rules, newA, newB, involved);
        for (Link link : involved.values()) {
            try {
                decide(link, chunk.intents().get(link.aId()), chunk.a().get(link.aId()), chunk.b().get(link.bId()));
            } catch (RecordException e) { // a value the mapping cannot write to a side: nothing is planned for the link
                forget(link);
                // the dead letter is the record that brought the value: once it holds what the link holds again (its user
                // undid the edit), reading it clears the dead letter
                Role from = changed(Role.B, link) && !changed(Role.A, link) ? Role.B : Role.A;
                deadLetters.add(new Plan.DeadLetter(from, link.id(from), e.getMessage(), "link " + link.aId() + " <-> " + link.bId()));
            }
        }
        for (String id : newA) {
            create(Role.A, id);
        }
        for (String id : newB) {
            create(Role.B, id);
        }
        // a record that is a dead letter of this plan is not done: the chunk's state commit would clear the letter it stores
        deadLetters.forEach(letter -> done.remove(letter.side().key() + letter.id()));
        return new Plan(updates, creates, deletes, links, dropLinks, conflicts, settled, echoes, parked, done, deadLetters, deletedOn,
                origins, sizes(changes), sizes(relayed), resolved, newConflicts, unchanged, deleted);
    }

    private static Map<Role, Integer> sizes(Map<Role, Set<String>> bySide) {
        return new EnumMap<>(Map.of(Role.A, bySide.get(Role.A).size(), Role.B, bySide.get(Role.B).size()));
    }

    /** True when the side's record differs from what the link holds (or cannot be read). */
    private boolean changed(Role side, Link link) {
        Row row = chunk.rows(side).get(link.id(side));
        if (row == null) {
            return false;
        }
        try {
            return !Mapping.hash(rules.read(side, row.values())).equals(link.hash(side));
        } catch (RecordException e) {
            return true;
        }
    }

    /** The link's records are dealt with by this plan: no longer parked (waiting for a parent, or for a side to accept them). */
    private void handled(Link link) {
        done.add(Role.A.key() + link.aId());
        done.add(Role.B.key() + link.bId());
    }

    /** Nothing is planned for the link after all (a value a side cannot hold, a parent not linked yet). */
    private void forget(Link link) {
        for (Role side : Role.values()) {
            updates.get(side).remove(link.id(side));
            echoes.get(side).remove(link.id(side));
            origins.get(side).remove(link.id(side));
            changes.get(side).remove(link.id(side));
            relayed.get(side).remove(link.id(side));
            done.remove(side.key() + link.id(side));
        }
        settled.remove(link.aId());
        deletedOn.remove(link.aId());
    }

    /** Both sides of a link as the plan sees them: the link, and each side's record in canonical form. */
    private record Sides(Link link, Map<String, Object> a, Map<String, Object> b) {
    }

    /** What to do for one link, given the rows both sides hold now. */
    private void decide(Link link, Link intent, Row rowA, Row rowB) {
        if (rowA == null && rowB == null) {
            dropLinks.add(link.aId());
            return;
        }
        boolean wasCreating = link.aHash().startsWith(Links.CREATING) || link.bHash().startsWith(Links.CREATING);
        if (wasCreating) {
            link = created(link, rowA, rowB);
            if (link == null) {
                return;
            }
        }
        if (rowA == null || rowB == null) {
            deleted(link, rowA == null ? Role.A : Role.B, rowA == null ? rowB : rowA);
            return;
        }
        Map<String, Object> canonicalA = canonical(Role.A, link.aId(), rowA);
        Map<String, Object> canonicalB = canonicalA == null ? null : canonical(Role.B, link.bId(), rowB);
        if (canonicalB == null || parked(Role.B, link.bId(), canonicalB)) {
            return;
        }
        String hashA = Mapping.hash(canonicalA);
        String hashB = Mapping.hash(canonicalB);
        Sides sides = new Sides(link, canonicalA, canonicalB);
        if (intent != null) {
            sides = afterInterruptedWindow(sides, intent, rowA, hashA, rowB, hashB);
            if (sides == null) {
                return;
            }
        }
        link = sides.link();
        boolean changedA = !hashA.equals(link.aHash());
        boolean changedB = !hashB.equals(link.bHash());
        boolean matched = link.base() == null && "-".equals(link.aHash()); // twins just linked by their natural key: not changes
        counted(Role.A, link.aId(), changedA && !matched);
        counted(Role.B, link.bId(), changedB && !matched);
        Map<String, Object> result = chunk.decision() != null ? decided(link, sides.a(), rowA, sides.b(), rowB)
                : resolved(sides, rowA, hashA, changedA, rowB, hashB, changedB, wasCreating || intent != null);
        if (result == null) {
            return;
        }
        if (parked(Role.A, link.aId(), result)) {
            forget(link); // counted when it is applied
            return;
        }
        handled(link);
        // the values written carry the latest edit they merge; an operator's decision is made now (its stamp tells)
        Instant origin = chunk.decision() != null ? null : EditTimes.merged(changedA, times.of(Role.A, link.aId(), rowA), changedB, times.of(Role.B, link.bId(), rowB));
        String newHashA = write(Role.A, link.aId(), rowA, hashA, result, changedA ? origin : times.of(Role.B, link.bId(), rowB));
        String newHashB = write(Role.B, link.bId(), rowB, hashB, result, changedB ? origin : times.of(Role.A, link.aId(), rowA));
        links.add(new Link(link.aId(), link.bId(), result, newHashA, newHashB));
        if (chunk.decision() != null) {
            settled.add(link.aId()); // only once both writes are planned: a value a side refuses leaves it open
        }
    }

    /**
     * A link marked {@link Links#CREATING}: without its mark once the created record exists; null when its insert never
     * committed, and the record is planned to be created again.
     */
    private Link created(Link link, Row rowA, Row rowB) {
        Role creating = link.aHash().startsWith(Links.CREATING) ? Role.A : Role.B;
        if ((creating == Role.A ? rowA : rowB) == null) { // its insert never committed (see ChunkWriter.createdThenDeleted): create it again
            if (creating == Role.A) {
                dropLinks.add(link.aId()); // the new record gets a new id, and a new link
            }
            create(creating.other(), link.id(creating.other()));
            return null;
        }
        return link.created(creating);
    }

    /**
     * The last window stopped after writing and before moving the link ({@code intent}): sees which of its writes made it
     * (a side it did not write proves nothing: it may hold an edit made since, and the window's change is then not done).
     * Returns the sides to resolve as any change, or null when this finished the window's work.
     */
    private Sides afterInterruptedWindow(Sides sides, Link intent, Row rowA, String hashA, Row rowB, String hashB) {
        Link link = sides.link();
        boolean aWrote = Links.written(intent.aHash());
        boolean bWrote = Links.written(intent.bHash());
        String aIntended = Links.expected(intent.aHash());
        String bIntended = Links.expected(intent.bHash());
        boolean aDone = aWrote && hashA.equals(aIntended);
        boolean bDone = bWrote && hashB.equals(bIntended);
        if (!aDone && !bDone) {
            return sides; // neither made it: the changes are resolved again against the older base
        }
        if (aWrote && !aDone && hashA.equals(link.aHash()) || bWrote && !bDone && hashB.equals(link.bHash())) {
            // one write made it and the other side still holds what it held: finish the window's work
            String newHashA = write(Role.A, link.aId(), rowA, hashA, intent.base(), times.of(Role.B, link.bId(), rowB));
            String newHashB = write(Role.B, link.bId(), rowB, hashB, intent.base(), times.of(Role.A, link.aId(), rowA));
            links.add(new Link(link.aId(), link.bId(), intent.base(), newHashA, newHashB));
            handled(link);
            return null;
        }
        // the window's writes made it (and a side may have been edited since: a change against the window's result);
        // a side whose write did not commit still holds the older values where the window changed them: those are
        // the window's to write, not edits of that side
        boolean missedA = aWrote && !aDone && !UncommittedWrites.fields(sides.a(), link.base(), intent.base()).isEmpty();
        boolean missedB = bWrote && !bDone && !UncommittedWrites.fields(sides.b(), link.base(), intent.base()).isEmpty();
        Link after = new Link(intent.aId(), intent.bId(), intent.base(), aIntended, bIntended);
        if (!missedA && !missedB) {
            return new Sides(after, sides.a(), sides.b());
        }
        Map<String, Object> canonicalA = missedA ? UncommittedWrites.filledIn(sides.a(), link.base(), intent.base()) : sides.a();
        Map<String, Object> canonicalB = missedB ? UncommittedWrites.filledIn(sides.b(), link.base(), intent.base()) : sides.b();
        Resolution resolution = Resolution.resolve(rules.policy(), after.base(), canonicalA, missedA || !hashA.equals(aIntended),
                times.of(Role.A, after.aId(), rowA), canonicalB, missedB || !hashB.equals(bIntended), times.of(Role.B, after.bId(), rowB),
                rules.mapping().bFields());
        if (resolution.isManual()) {
            return new Sides(after, canonicalA, canonicalB);
        }
        handled(after);
        Map<String, Object> result = resolution.result();
        links.add(new Link(after.aId(), after.bId(), result, write(Role.A, after.aId(), rowA, hashA, result, times.of(Role.B, after.bId(), rowB)),
                write(Role.B, after.bId(), rowB, hashB, result, times.of(Role.A, after.aId(), rowA))));
        return null;
    }

    /**
     * The values both sides should hold, by the pair's policy against the base; null when this decided that nothing is
     * written (unchanged, or left to an operator). {@code settling}: an insert or a window had committed, and the link
     * takes it even when nothing changed.
     */
    private Map<String, Object> resolved(Sides sides, Row rowA, String hashA, boolean changedA, Row rowB, String hashB, boolean changedB,
            boolean settling) {
        Link link = sides.link();
        if (!changedA && !changedB) {
            unchanged++;
            handled(link);
            if (settling) {
                links.add(link); // the insert, or the window, had committed: the link loses its mark, or takes the intent
            }
            return null;
        }
        if (chunk.inConflict().contains(link.aId())) { // still waiting for an operator: keep the latest values for review, write nothing
            handled(link);
            conflicts.add(new Conflicts.Conflict(rules.pair(), link.aId(), link.bId(), List.of(), link.base(), sides.a(), sides.b(), null, null));
            links.add(new Link(link.aId(), link.bId(), link.base(), hashA, hashB));
            return null;
        }
        Resolution resolution = Resolution.resolve(rules.policy(), link.base(), sides.a(), changedA, times.of(Role.A, link.aId(), rowA),
                sides.b(), changedB, times.of(Role.B, link.bId(), rowB), rules.mapping().bFields());
        if (resolution.isManual()) {
            conflicts.add(new Conflicts.Conflict(rules.pair(), link.aId(), link.bId(), resolution.conflicting(), link.base(), sides.a(),
                    sides.b(), null, null));
            newConflicts++;
            handled(link);
            // the link keeps its base but takes the sides' hashes: re-reads are skipped, a new edit is seen
            links.add(new Link(link.aId(), link.bId(), link.base(), hashA, hashB));
            return null;
        }
        if (!resolution.conflicting().isEmpty()) {
            resolved++;
        }
        return resolution.result();
    }

    /**
     * An operator's decision: the decided fields hold the decision on both sides, so they are in
     * conflict no more; the rest resolve as usual.
     */
    private Map<String, Object> decided(Link link, Map<String, Object> canonicalA, Row rowA, Map<String, Object> canonicalB, Row rowB) {
        Map<String, Object> decidedA = new LinkedHashMap<>(canonicalA);
        decidedA.putAll(chunk.decision());
        Map<String, Object> decidedB = new LinkedHashMap<>(canonicalB);
        chunk.decision().forEach((field, value) -> {
            if (rules.mapping().bFields().contains(field)) {
                decidedB.put(field, value);
            }
        });
        Resolution resolution = Resolution.resolve(rules.policy(), link.base(), decidedA, true, times.of(Role.A, link.aId(), rowA), decidedB, true,
                times.of(Role.B, link.bId(), rowB), rules.mapping().bFields());
        if (resolution.isManual()) {
            List<String> open = resolution.conflicting().stream().filter(f -> rules.policy().ruleFor(f) == Policy.Rule.MANUAL).toList();
            throw new NotSettled("record " + link.aId() + " of pair '" + rules.pair() + "' now also conflicts on " + open
                    + ", left to an operator; decide those fields too (\"values\")");
        }
        return resolution.result();
    }

    /** A side's row as canonical values; null, and a dead letter, when the mapping refuses it. */
    private Map<String, Object> canonical(Role side, String id, Row row) {
        try {
            return rules.read(side, row.values());
        } catch (RecordException e) { // the record holds what the mapping refuses: its dead letter, until it is fixed
            deadLetters.add(new Plan.DeadLetter(side, id, e.getMessage(), String.valueOf(row.values())));
            return null;
        }
    }

    /**
     * Plans the write of {@code result} to one side when it differs from what the side holds;
     * returns the hash the side will hold.
     *
     * @param origin the time of the edit whose values are written, or null
     */
    private String write(Role side, String id, Row row, String currentHash, Map<String, Object> result, Instant origin) {
        Object[] values = rules.values(side, result);
        String after = rules.hashAfter(side, row == null ? null : row.values(), values);
        if (!after.equals(currentHash)) {
            updates.get(side).put(id, withParentsOnB(side, values));
            echoes.get(side).put(id, after);
            if (origin != null) {
                origins.get(side).put(id, origin);
            }
        }
        return after;
    }

    /**
     * Side B's values with each reference's parent A id replaced by its B id; the values before
     * this are what B will read back, translated, so the hash is computed on them.
     */
    private Object[] withParentsOnB(Role side, Object[] values) {
        if (side == Role.A || rules.references().isEmpty()) {
            return values;
        }
        Object[] translated = values.clone();
        List<Table.Column> columns = rules.bColumns();
        for (Pair.Reference ref : rules.references()) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equalsIgnoreCase(ref.bColumn()) && translated[i] != null) {
                    String bId = chunk.parentsOnB().get(ref.field()).get(String.valueOf(Values.canonical(translated[i])));
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
    private boolean parked(Role side, String id, Map<String, Object> canonical) {
        for (Pair.Reference ref : rules.references()) {
            Object v = canonical.get(ref.field());
            if (v instanceof References.Unlinked
                    || v != null && !chunk.parentsOnB().getOrDefault(ref.field(), Map.of()).containsKey(String.valueOf(v))) {
                parked.put(side.key() + id, ref.parent());
                return true;
            }
        }
        return false;
    }

    /**
     * One side's record is gone while its link remains: the pair's delete rule for that side
     * decides, once. Unless the rule deletes the survivor, the link stays as a tombstone (the gone
     * side's hash is {@link Links#GONE}), so the survivor is neither created again on the side
     * that deleted it nor counted as a delete again.
     */
    private void deleted(Link link, Role gone, Row survivor) {
        handled(link);
        Role other = gone.other();
        Map<String, Object> canonical = canonical(other, link.id(other), survivor);
        if (canonical == null) {
            return;
        }
        canonical = new LinkedHashMap<>(canonical);
        String current = Mapping.hash(canonical);
        Deletes rule = rules.deletes(gone);
        if (Links.GONE.equals(link.hash(gone))) {
            links.add(tombstone(link, gone, link.base(), current));
            return;
        }
        deletedOn.put(link.aId(), gone);
        if (rule.kind() == Deletes.Kind.IGNORE) {
            links.add(tombstone(link, gone, link.base(), current));
            return;
        }
        if (rule.kind() == Deletes.Kind.DELETE) {
            deletes.get(other).add(link.id(other));
            dropLinks.add(link.aId());
            deleted++;
            return;
        }
        canonical.put(rule.field(), rule.value());
        String after = write(other, link.id(other), survivor, current, canonical, null);
        deleted++;
        links.add(tombstone(link, gone, canonical, after));
    }

    private static Link tombstone(Link link, Role gone, Map<String, Object> base, String survivorHash) {
        return gone == Role.A ? new Link(link.aId(), link.bId(), base, Links.GONE, survivorHash)
                : new Link(link.aId(), link.bId(), base, survivorHash, Links.GONE);
    }

    /** A record with no link yet: created on the other side, where the insert's generated id becomes the link. */
    private void create(Role side, String id) {
        Row row = chunk.rows(side).get(id);
        if (row == null) {
            return; // created and deleted before the window closed
        }
        Map<String, Object> canonical = canonical(side, id, row);
        if (canonical == null || parked(side, id, canonical)) {
            return;
        }
        Role other = side.other();
        Object[] values;
        try {
            values = rules.values(other, canonical);
        } catch (RecordException e) { // a value the other side's column cannot hold
            deadLetters.add(new Plan.DeadLetter(side, id, e.getMessage(), String.valueOf(row.values())));
            return;
        }
        done.add(side.key() + id);
        counted(side, id, true);
        creates.get(other).add(new Plan.Create(id, withParentsOnB(other, values), canonical, Mapping.hash(canonical),
                rules.hashAfter(other, null, values), times.of(side, id, row)));
    }

    /** Counts a change read on a side: a user's edit, or another pair's write (the record still holds what it wrote). */
    private void counted(Role side, String id, boolean changed) {
        if (changed) {
            changes.get(side).add(id);
            if (chunk.origins().get(side).containsKey(id)) {
                relayed.get(side).add(id);
            }
        }
    }

    private static <T> Map<Role, T> perSide(java.util.function.Supplier<T> empty) {
        Map<Role, T> map = new EnumMap<>(Role.class);
        map.put(Role.A, empty.get());
        map.put(Role.B, empty.get());
        return map;
    }
}
