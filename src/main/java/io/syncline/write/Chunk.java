package io.syncline.write;

import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.pair.TwoWayRules;
import io.syncline.state.Links.Link;
import io.syncline.state.References;
import io.syncline.system.Row;
import io.syncline.value.Values;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the {@link TwoWayPlanner} knows of one chunk of a window: links, both sides' rows, and what is
 * decided elsewhere (conflicts waiting for an operator, an operator's decision, the parents' ids on B).
 *
 * @param links      the links of the chunk's records, by A id
 * @param intents    the intents a window left when it stopped after writing and before moving its links, by A id
 * @param a          the rows side A holds now, by id (missing: the record is gone)
 * @param b          the rows side B holds now, by id
 * @param newA       ids of records of A the window saw that have no link
 * @param newB       ids of records of B the window saw that have no link
 * @param unlinkedA  ids of other records of A without a link that may be the twin of a new record of B (same natural key)
 * @param unlinkedB  the same for B
 * @param inConflict A ids whose conflict waits for an operator
 * @param decision   an operator's decision (canonical field -> value) for the chunk's only link, else null
 * @param parentsOnB per reference field: the parent's A id -> its B id, for the parents the rows name
 * @param origins    per side: the records that still hold what another pair wrote into them, by id -> the time of the edit
 *                   those values carry (in a table that more than one pair syncs; see {@link io.syncline.state.Origins})
 */
public record Chunk(Map<String, Link> links, Map<String, Link> intents, Map<String, Row> a, Map<String, Row> b, Set<String> newA,
        Set<String> newB, Set<String> unlinkedA, Set<String> unlinkedB, Set<String> inConflict, Map<String, Object> decision,
        Map<String, Map<String, String>> parentsOnB, Map<Role, Map<String, Instant>> origins) {

    /** A chunk of a pair whose tables no other pair syncs: its records' times are their change markers. */
    public Chunk(Map<String, Link> links, Map<String, Link> intents, Map<String, Row> a, Map<String, Row> b, Set<String> newA,
            Set<String> newB, Set<String> unlinkedA, Set<String> unlinkedB, Set<String> inConflict, Map<String, Object> decision,
            Map<String, Map<String, String>> parentsOnB) {
        this(links, intents, a, b, newA, newB, unlinkedA, unlinkedB, inConflict, decision, parentsOnB, Map.of(Role.A, Map.of(), Role.B, Map.of()));
    }

    public Map<String, Row> rows(Role side) {
        return side == Role.A ? a : b;
    }

    /** The ids of the parents that the rows (and a decision) name, per reference field: what {@link Chunk#parentsOnB} translates. */
    public static Map<String, Set<String>> parentIds(TwoWayRules rules, Collection<Row> a, Collection<Row> b, Map<String, Object> decision) {
        Map<String, Set<String>> ids = new HashMap<>();
        for (Pair.Reference ref : rules.references()) {
            Set<String> parents = ids.computeIfAbsent(ref.field(), k -> new HashSet<>());
            a.forEach(r -> addId(parents, r.values().get(ref.aColumn())));
            b.forEach(r -> addId(parents, r.values().get(ref.bColumn())));
            if (decision != null) {
                addId(parents, decision.get(ref.field()));
            }
        }
        return ids;
    }

    /**
     * Links new records to unlinked records of the other side with the same natural key, instead of
     * creating twins: records created on both sides, or a replay after a crash between a create and
     * its link. Of several records with one key on a side, the first (new ones first) is matched.
     */
    void match(TwoWayRules rules, Set<String> newA, Set<String> newB, Map<String, Link> involved) {
        if (rules.match() == null) {
            return;
        }
        Map<String, String> aByKey = byKey(rules, Role.A, newA, unlinkedA);
        Map<String, String> bByKey = byKey(rules, Role.B, newB, unlinkedB);
        aByKey.forEach((key, aId) -> {
            String bId = bByKey.get(key);
            if (bId != null && (newA.contains(aId) || newB.contains(bId))) {
                involved.put(aId, new Link(aId, bId, null, "-", "-"));
                newA.remove(aId);
                newB.remove(bId);
            }
        });
    }

    private Map<String, String> byKey(TwoWayRules rules, Role side, Set<String> fresh, Set<String> unlinked) {
        Map<String, String> byKey = new LinkedHashMap<>();
        Set<String> ids = new LinkedHashSet<>(fresh);
        ids.addAll(unlinked);
        for (String id : ids) {
            Row row = rows(side).get(id);
            String key = row == null ? null : rules.naturalKey(side, row.values());
            if (key != null) {
                byKey.putIfAbsent(key, id);
            }
        }
        return byKey;
    }

    private static void addId(Set<String> ids, Object value) {
        if (value != null && !(value instanceof References.Unlinked)) {
            ids.add(String.valueOf(Values.canonical(value)));
        }
    }
}
