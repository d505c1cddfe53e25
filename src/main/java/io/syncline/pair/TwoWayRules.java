package io.syncline.pair;

import io.syncline.conflict.Policy;
import io.syncline.mapping.Mapping;
import io.syncline.value.RecordException;
import io.syncline.mapping.TwoWayMapping;
import io.syncline.system.Table;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.EnumMap;
import java.util.Map;

/**
 * What decides a two-way pair's records, without the systems behind it: the mapping with the
 * columns it writes on each side, the conflict policy, the delete rules, the references to other
 * pairs and the natural key.
 *
 * @param aColumns the columns written to A, in the order of {@link TwoWayMapping#toA}
 * @param bColumns the columns written to B, in the order of {@link TwoWayMapping#toB}
 * @param match    the natural-key field, or null
 */
public record TwoWayRules(String pair, TwoWayMapping mapping, List<Table.Column> aColumns, List<Table.Column> bColumns, Policy policy,
        Deletes aDeletes, Deletes bDeletes, List<Pair.Reference> references, String match) {

    public TwoWayRules {
        references = List.copyOf(references);
    }

    /** The same rules without matching by natural key: for records reconciliation or an operator has matched already. */
    public TwoWayRules withoutMatch() {
        return new TwoWayRules(pair, mapping, aColumns, bColumns, policy, aDeletes, bDeletes, references, null);
    }

    /** A row of {@code side} as canonical values; a RecordException when the mapping refuses it. */
    public Map<String, Object> read(Role side, Map<String, Object> row) {
        return side == Role.A ? mapping.readA(row) : mapping.readB(row);
    }

    /** Canonical values as {@code side}'s column values, in the order of {@link #written}. */
    public Object[] values(Role side, Map<String, Object> canonical) {
        return side == Role.A ? mapping.toA(canonical, aColumns) : mapping.toB(canonical, bColumns);
    }

    /** The columns written to {@code side}. */
    public List<Table.Column> written(Role side) {
        return side == Role.A ? aColumns : bColumns;
    }

    /** The hash {@code side} will read as after {@code values} are written over {@code row} (null for a new record). */
    public String hashAfter(Role side, Map<String, Object> row, Object[] values) {
        List<String> columns = written(side).stream().map(Table.Column::name).toList();
        return Mapping.hash(read(side, TwoWayMapping.overlay(row, columns, values)));
    }

    public Deletes deletes(Role side) {
        return side == Role.A ? aDeletes : bDeletes;
    }

    /** The record's natural key (trimmed, lower case), or null when it has none or the mapping refuses the row. */
    public String naturalKey(Role side, Map<String, Object> row) {
        String value = naturalValue(side, row);
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    /**
     * The record's natural key as it holds it (trimmed, its case kept: what an API's filter is asked for), or null
     * when it has none or the mapping refuses the row.
     */
    public String naturalValue(Role side, Map<String, Object> row) {
        if (match == null) {
            return null;
        }
        try {
            Object value = read(side, row).get(match);
            String key = value == null ? null : value.toString().trim();
            return key == null || key.isEmpty() ? null : key;
        } catch (RecordException e) {
            return null;
        }
    }

    /**
     * Of the records without a link, grouped by natural key on each side: those whose key more than one
     * of them holds on a side while the other side has it too. Matching them would be a guess, so they
     * wait; returns each one's side and id with the reason, which names them all.
     */
    public Map<Role, Map<String, String>> ambiguousMatches(Map<String, List<String>> aByKey, Map<String, List<String>> bByKey, String aSide,
            String bSide) {
        Map<Role, Map<String, String>> ambiguous = new EnumMap<>(Role.class);
        aByKey.forEach((key, aIds) -> {
            List<String> bIds = bByKey.get(key);
            if (bIds != null && (aIds.size() > 1 || bIds.size() > 1)) {
                String reason = "its natural key '" + match + "' is shared by " + aSide + " " + aIds + " and " + bSide + " " + bIds
                        + ": none of them is matched until each side has one record with it";
                aIds.forEach(id -> ambiguous.computeIfAbsent(Role.A, r -> new LinkedHashMap<>()).put(id, reason));
                bIds.forEach(id -> ambiguous.computeIfAbsent(Role.B, r -> new LinkedHashMap<>()).put(id, reason));
            }
        });
        return ambiguous;
    }
}
