package io.syncline.conflict;

import io.syncline.value.Values;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The three-way resolution of one link: the base (what both sides last agreed on), side A's and
 * side B's current canonical values, and which of them changed since the base. A field changed on
 * one side only is taken from that side. When both sides changed the record, the pair's
 * {@link Policy} decides the fields in conflict: under field-merge, those both sides changed to
 * different values; under a record rule, every field on which the sides differ.
 *
 * @param result the canonical values both sides should hold; null when the conflict is left to an operator
 * @param conflicting the fields that needed a rule
 */
public record Resolution(Map<String, Object> result, List<String> conflicting) {

    public boolean isManual() {
        return result == null;
    }

    /**
     * @param base    null when the link has no base yet (two records matched by natural key)
     * @param bFields the fields side B holds; the others are read from A only
     */
    public static Resolution resolve(Policy policy, Map<String, Object> base, Map<String, Object> a, boolean aChanged, Instant aTime,
            Map<String, Object> b, boolean bChanged, Instant bTime, Set<String> bFields) {
        boolean both = aChanged && bChanged;
        boolean aIsLater = aTime == null || bTime == null || !bTime.isAfter(aTime); // a tie goes to A: deterministic
        Map<String, Object> result = new LinkedHashMap<>();
        List<String> conflicting = new ArrayList<>();
        boolean manual = false;
        for (Map.Entry<String, Object> field : a.entrySet()) {
            String name = field.getKey();
            Object aValue = field.getValue();
            boolean bHas = bFields.contains(name);
            Object bValue = bHas ? b.get(name) : aValue;
            boolean baseKnown = base != null && base.containsKey(name);
            Object baseValue = baseKnown ? base.get(name) : null;
            boolean aDiff = aChanged && (!baseKnown || !same(aValue, baseValue));
            boolean bDiff = bHas && bChanged && (!baseKnown || !same(bValue, baseValue));
            boolean inConflict = both && !same(aValue, bValue)
                    && (policy.record() == Policy.Rule.FIELD_MERGE ? aDiff && bDiff : aDiff || bDiff);
            if (inConflict) {
                conflicting.add(name);
                Policy.Rule rule = policy.ruleFor(name);
                switch (rule) {
                    case A_WINS -> result.put(name, aValue);
                    case B_WINS -> result.put(name, bValue);
                    case LAST_WRITER_WINS -> result.put(name, aIsLater ? aValue : bValue);
                    default -> manual = true;
                }
            } else if (aDiff) {
                result.put(name, aValue);
            } else if (bDiff) {
                result.put(name, bValue);
            } else {
                result.put(name, baseKnown ? baseValue : aValue);
            }
        }
        return new Resolution(manual ? null : result, conflicting);
    }

    /** Equal as canonical values, whatever Java type a driver produced (a window compares each field of each record three times). */
    public static boolean same(Object x, Object y) {
        return Values.sameHashForm(x, y);
    }
}
