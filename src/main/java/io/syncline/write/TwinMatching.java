package io.syncline.write;

import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.state.Links;
import io.syncline.state.References;
import io.syncline.system.Entity;
import io.syncline.system.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds, for the records of a chunk that have no link yet, their twins: records of the other side without a link
 * that hold the same natural key (the pair's {@code match}), locked in the chunk's sessions. A natural key that more
 * than one record without a link holds on a side is not guessed at: those records are dead letters, and wait.
 */
@ApplicationScoped
public class TwinMatching {

    @Inject
    Links links;

    @Inject
    References references;

    /** What was found: the twins' ids per side (their rows added to the chunk's) and the records left waiting. */
    record Twins(Set<String> unlinkedA, Set<String> unlinkedB, List<Plan.DeadLetter> ambiguous) {
        static final Twins NONE = new Twins(Set.of(), Set.of(), List.of());
    }

    /**
     * Looks up and locks, in the sessions' lock order, the records without a link that share a natural key with the new
     * records {@code newA} and {@code newB}. The twins' rows join {@code rowsA} and {@code rowsB}; records sharing a key
     * leave {@code newA} and {@code newB}, as dead letters.
     */
    Twins find(Pair pair, Entity.Session sa, Entity.Session sb, boolean aLockedFirst, Set<String> newA, Set<String> newB,
            Map<String, Row> rowsA, Map<String, Row> rowsB) {
        Set<String> valuesOfNewA = naturalValues(pair, Role.A, newA, rowsA);
        Set<String> valuesOfNewB = naturalValues(pair, Role.B, newB, rowsB);
        Set<String> values = new HashSet<>(valuesOfNewA);
        values.addAll(valuesOfNewB);
        Map<String, Row> sameKeyA = aLockedFirst ? unlinkedByKey(pair, sa, Role.A, values) : null; // in the pair's lock order
        Map<String, Row> sameKeyB = unlinkedByKey(pair, sb, Role.B, values);
        sameKeyA = aLockedFirst ? sameKeyA : unlinkedByKey(pair, sa, Role.A, values);
        Map<String, List<String>> aByKey = byNaturalKey(pair, Role.A, sameKeyA);
        Map<String, List<String>> bByKey = byNaturalKey(pair, Role.B, sameKeyB);
        List<Plan.DeadLetter> ambiguous = ambiguous(pair, aByKey, sameKeyA, bByKey, sameKeyB);
        for (Plan.DeadLetter letter : ambiguous) { // neither matched nor created
            (letter.side() == Role.A ? newA : newB).remove(letter.id());
            (letter.side() == Role.A ? sameKeyA : sameKeyB).remove(letter.id());
        }
        Map<String, Row> twinsA = withKeys(aByKey, sameKeyA, valuesOfNewB);
        Map<String, Row> twinsB = withKeys(bByKey, sameKeyB, valuesOfNewA);
        rowsB.putAll(twinsB);
        rowsA.putAll(twinsA);
        return new Twins(twinsA.keySet(), twinsB.keySet(), ambiguous);
    }

    /** Records without a link that share a natural key ({@link io.syncline.pair.TwoWayRules#ambiguousMatches}): dead letters. */
    private static List<Plan.DeadLetter> ambiguous(Pair pair, Map<String, List<String>> aByKey, Map<String, Row> unlinkedA,
            Map<String, List<String>> bByKey, Map<String, Row> unlinkedB) {
        List<Plan.DeadLetter> letters = new ArrayList<>();
        pair.rules().ambiguousMatches(aByKey, bByKey, pair.side(Role.A).reference(),
                pair.side(Role.B).reference()).forEach((side, ids) -> ids.forEach((id, reason) -> letters.add(new Plan.DeadLetter(side, id, reason,
                        String.valueOf((side == Role.A ? unlinkedA : unlinkedB).get(id).values())))));
        return letters;
    }

    private static Map<String, List<String>> byNaturalKey(Pair pair, Role side, Map<String, Row> rows) {
        Map<String, List<String>> byKey = new TreeMap<>();
        rows.forEach((id, row) -> {
            String key = pair.rules().naturalKey(side, row.values());
            if (key != null) {
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(id);
            }
        });
        byKey.values().forEach(ids -> ids.sort(null));
        return byKey;
    }

    /** Of {@code rows} (grouped by natural key in {@code byKey}), those whose key is one of {@code values} and still there. */
    private static Map<String, Row> withKeys(Map<String, List<String>> byKey, Map<String, Row> rows, Set<String> values) {
        Map<String, Row> found = new HashMap<>();
        values.forEach(value -> byKey.getOrDefault(value.toLowerCase(Locale.ROOT), List.of()).stream().filter(rows::containsKey)
                .forEach(id -> found.put(id, rows.get(id))));
        return found;
    }

    /** The records of {@code side} without a link whose natural key is one of {@code values}: the twins new records may have. */
    private Map<String, Row> unlinkedByKey(Pair pair, Entity.Session session, Role side, Set<String> values) {
        if (values.isEmpty()) {
            return new HashMap<>();
        }
        Map<String, Row> candidates = session.lockByNaturalKey(pair.matchColumn(side), values);
        if (side == Role.B) { // B's reference columns read as the parents' A ids, as the mapping expects
            references.readB(pair, candidates.values().stream().map(Row::values).toList());
        }
        candidates.keySet().removeAll(links.find(pair.name(), side, candidates.keySet()).keySet());
        return candidates;
    }

    /** The natural keys of new records of {@code side}, as they hold them: the keys their twins on the other side may have. */
    private static Set<String> naturalValues(Pair pair, Role side, Set<String> ids, Map<String, Row> rows) {
        Set<String> keys = new HashSet<>();
        for (String id : ids) {
            Row row = rows.get(id);
            String key = row == null ? null : pair.rules().naturalValue(side, row.values());
            if (key != null) {
                keys.add(key);
            }
        }
        return keys;
    }
}
