package io.syncline.write;

import io.syncline.conflict.Resolution;
import io.syncline.pair.Deletes;
import io.syncline.pair.Role;
import io.syncline.pair.TwoWayRules;
import io.syncline.state.Conflicts;
import io.syncline.state.History;
import io.syncline.state.Links.Link;
import io.syncline.system.Row;
import io.syncline.value.RecordException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an applied chunk of a two-way window adds to the record history: for each link it wrote, created,
 * matched, deleted or left for review, the fields whose agreed value moved or whose edit was overruled, with the
 * side that changed each, the rule that chose, the old and new values, and the sides written. Pure: the
 * links before and after, the rows read, and the plan.
 */
final class HistoryEntries {

    private final TwoWayRules rules;
    private final Set<String> sensitive;
    private final Map<String, Object> decision;
    private final Instant at = Instant.now();

    /**
     * @param decision the fields an operator decided (and their values), or null
     */
    HistoryEntries(TwoWayRules rules, Set<String> sensitive, Map<String, Object> decision) {
        this.rules = rules;
        this.sensitive = sensitive;
        this.decision = decision;
    }

    /**
     * @param involved the chunk's links before the plan, by side-a id
     * @param created  the links of the records the plan created, with the side each was created on
     */
    List<History.Entry> of(Plan plan, Map<String, Link> involved, Map<String, Row> rowsA, Map<String, Row> rowsB, Map<Link, Role> created) {
        List<History.Entry> entries = new ArrayList<>();
        for (Link after : plan.links()) {
            if (plan.deletedOn().containsKey(after.aId())) {
                continue; // a delete: below
            }
            boolean writesA = plan.updates(Role.A).containsKey(after.aId());
            boolean writesB = plan.updates(Role.B).containsKey(after.bId());
            Link before = involved.get(after.aId());
            boolean matched = before == null || before.base() == null;
            if (!writesA && !writesB) {
                continue; // both sides already held it (twins matched equal too): nothing was decided about its values
            }
            Map<String, Object> a = canonical(Role.A, rowsA.get(after.aId()));
            Map<String, Object> b = canonical(Role.B, rowsB.get(after.bId()));
            Map<String, Object> base = matched ? null : before.base();
            List<History.Change> changes = new ArrayList<>();
            after.base().forEach((field, value) -> {
                History.Change change = change(field, base, value, a, b);
                if (change != null) {
                    changes.add(change);
                }
            });
            String what = decision != null ? "decided by an operator" : matched ? "matched" : "synced";
            if (!changes.isEmpty()) { // twins matched equal are linked, nothing decided about their values
                entries.add(new History.Entry(after.aId(), after.bId(), at, what, changes));
            }
        }
        plan.deletedOn().forEach((aId, gone) -> entries.add(deleted(plan, involved.get(aId), gone)));
        created.forEach((link, side) -> {
            List<History.Change> changes = new ArrayList<>();
            link.base().forEach((field, value) -> changes.add(new History.Change(field, null, shown(field, value), side.other().key(), null,
                    List.of(side.key()))));
            entries.add(new History.Entry(link.aId(), link.bId(), at, "created on " + side.key(), changes));
        });
        for (Conflicts.Conflict conflict : plan.conflicts()) {
            List<History.Change> changes = new ArrayList<>();
            for (String field : conflict.fields()) {
                Map<String, Object> both = new LinkedHashMap<>();
                both.put("a", shown(field, conflict.a().get(field)));
                both.put("b", shown(field, conflict.b().get(field)));
                changes.add(new History.Change(field, conflict.base() == null ? null : shown(field, conflict.base().get(field)), both, "both",
                        "manual", List.of()));
            }
            entries.add(new History.Entry(conflict.aId(), conflict.bId(), at, "left for review", changes));
        }
        return entries;
    }

    /**
     * A record found gone on one side, and what the pair's delete rule for that side made of its twin: deleted too (the link
     * ends), marked (the rule's field, written to the twin), or kept.
     */
    private History.Entry deleted(Plan plan, Link before, Role gone) {
        Role twin = gone.other();
        Deletes rule = rules.deletes(gone);
        String setting = gone.key() + "Deletes: " + rule;
        List<History.Change> changes = new ArrayList<>();
        String became = switch (rule.kind()) {
            case DELETE -> "deleted on " + twin.key();
            case IGNORE -> "kept on " + twin.key();
            case SOFT -> {
                Object from = before.base() == null ? null : before.base().get(rule.field());
                List<String> written = plan.updates(twin).containsKey(before.id(twin)) ? List.of(twin.key()) : List.of();
                changes.add(new History.Change(rule.field(), shown(rule.field(), from), shown(rule.field(), rule.value()), gone.key(), setting,
                        written));
                yield "marked on " + twin.key();
            }
        };
        return new History.Entry(before.aId(), before.bId(), at, "deleted on " + gone.key() + ", " + became + " (" + setting + ")", changes);
    }

    /**
     * One field of a link the plan settled: null when its agreed value stayed and no side's edit of it was overruled.
     * An overruled edit is a side that changed the field and was written (its value replaced by the other's).
     */
    private History.Change change(String field, Map<String, Object> base, Object value, Map<String, Object> a, Map<String, Object> b) {
        boolean bHas = rules.mapping().bFields().contains(field);
        Object from = base == null ? null : base.get(field);
        boolean known = base != null && base.containsKey(field);
        Object aValue = a == null ? null : a.get(field);
        Object bValue = b == null || !bHas ? null : b.get(field);
        boolean aChanged = a != null && (!known || !Resolution.same(aValue, from));
        boolean bChanged = b != null && bHas && (!known || !Resolution.same(bValue, from));
        List<String> written = new ArrayList<>();
        if (a != null && !Resolution.same(aValue, value)) {
            written.add(Role.A.key());
        }
        if (b != null && bHas && !Resolution.same(bValue, value)) {
            written.add(Role.B.key());
        }
        if (known && Resolution.same(from, value) && written.isEmpty()) {
            return null;
        }
        boolean overruled = aChanged && written.contains(Role.A.key()) || bChanged && written.contains(Role.B.key());
        boolean decided = decision != null && decision.containsKey(field);
        String rule = decided ? "operator" : overruled ? rules.policy().ruleFor(field).word() : null;
        String changedOn = decided ? "operator" : aChanged && bChanged ? "both" : aChanged ? Role.A.key() : bChanged ? Role.B.key() : null;
        return new History.Change(field, shown(field, from), shown(field, value), changedOn, rule, written);
    }

    private Map<String, Object> canonical(Role side, Row row) {
        if (row == null) {
            return null;
        }
        try {
            return rules.read(side, row.values());
        } catch (RecordException e) {
            return null;
        }
    }

    private Object shown(String field, Object value) {
        return sensitive.contains(field) && value != null ? History.SENSITIVE : value;
    }
}
