package io.syncline.mapping;

import io.syncline.value.RecordException;
import io.syncline.value.Values;
import io.syncline.system.Table;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A two-way pair's mapping read in both directions. Side A is the left of each line, side B the
 * right: {@code canonical <- a column | steps -> b column | steps}. The way from B to canonical
 * and from canonical to A runs each line's steps backwards ({@link Transform#reverse()}).
 * A line whose left is not one plain column (a concatenation, a literal) is read from A only:
 * A is its authority and B's value of it is not read.
 */
public final class TwoWayMapping {

    /** How one canonical field is read from, or written to, one column of one side. */
    record Way(String field, String column, List<Transform> steps) {
        Object run(Object value) {
            Object v = value;
            for (Transform t : steps) {
                v = t.apply(v, field);
            }
            return v;
        }
    }

    private final Mapping mapping;
    private final List<Way> fromB = new ArrayList<>();
    private final List<Way> toA = new ArrayList<>();
    private final Set<String> bFields;

    /** Throws IllegalArgumentException naming the line when a line cannot be read backwards. */
    TwoWayMapping(Mapping mapping) {
        this.mapping = mapping;
        for (FieldRule rule : mapping.rules()) {
            try {
                if (rule.target() != null) {
                    List<Transform> steps = reversed(rule.toTarget());
                    // a reference reads as the same text id on both sides (the writer translates B's ids)
                    rule.toCanonical().stream().filter(t -> t instanceof Transform.Reference).forEach(steps::add);
                    fromB.add(new Way(rule.canonical(), rule.target().toLowerCase(java.util.Locale.ROOT), steps));
                }
                if (rule.plainSourceColumn() != null) {
                    toA.add(new Way(rule.canonical(), rule.plainSourceColumn(), reversed(rule.toCanonical())));
                }
            } catch (IllegalArgumentException e) {
                throw new MappingSyntaxException(rule.line(), rule.text(), e.getMessage());
            }
        }
        bFields = Set.copyOf(fromB.stream().map(Way::field).toList()); // asked per field of each record a window settles
    }

    private static List<Transform> reversed(List<Transform> steps) {
        List<Transform> back = new ArrayList<>(steps.size());
        for (int i = steps.size() - 1; i >= 0; i--) {
            back.add(steps.get(i).reverse());
        }
        return back;
    }

    /** The canonical fields B holds, which are also the ones written to B. */
    public Set<String> bFields() {
        return bFields;
    }

    /** The canonical fields written to A (read from one plain A column). */
    public Set<String> aWritableFields() {
        return Set.copyOf(toA.stream().map(Way::field).toList());
    }

    /** A's columns written, in the order of {@link #toA}. */
    public List<String> aColumns() {
        return toA.stream().map(Way::column).toList();
    }

    /** B's columns read, lower case. */
    public List<String> bColumns() {
        return fromB.stream().map(Way::column).toList();
    }

    /** Side A's row to canonical (every field of the mapping). */
    public Map<String, Object> readA(Map<String, Object> row) {
        return mapping.toCanonical(row);
    }

    /** Side B's row to canonical: the fields B holds. */
    public Map<String, Object> readB(Map<String, Object> row) {
        Map<String, Object> canonical = new LinkedHashMap<>();
        for (Way way : fromB) {
            canonical.put(way.field(), way.run(Values.canonical(row.get(way.column()))));
        }
        for (String field : mapping.required()) {
            if (canonical.containsKey(field)) {
                Object v = canonical.get(field);
                if (v == null || (v instanceof String s && s.isBlank())) {
                    throw new RecordException("required field '" + field + "' is empty");
                }
            }
        }
        return canonical;
    }

    /** Canonical values to A's columns ({@link #aColumns}, in that order), converted to each column's type. */
    public Object[] toA(Map<String, Object> canonical, List<Table.Column> columns) {
        Object[] values = new Object[toA.size()];
        for (int i = 0; i < values.length; i++) {
            Way way = toA.get(i);
            values[i] = ColumnValues.forColumn(way.run(canonical.get(way.field())), columns.get(i), way.field());
        }
        return values;
    }

    /** Canonical values to B's columns (the mapping's target columns), converted to each column's type. */
    public Object[] toB(Map<String, Object> canonical, List<Table.Column> columns) {
        Object[] values = mapping.toTarget(canonical);
        List<FieldRule> rules = mapping.targetRules();
        for (int i = 0; i < values.length; i++) {
            values[i] = ColumnValues.forColumn(values[i], columns.get(i), rules.get(i).canonical());
        }
        return values;
    }

    /** {@code row} with {@code values} written over {@code columns} (lower-case names): what the side holds after a write. */
    public static Map<String, Object> overlay(Map<String, Object> row, List<String> columns, Object[] values) {
        Map<String, Object> after = row == null ? new HashMap<>() : new HashMap<>(row);
        for (int i = 0; i < values.length; i++) {
            after.put(columns.get(i).toLowerCase(java.util.Locale.ROOT), values[i]);
        }
        return after;
    }
}
