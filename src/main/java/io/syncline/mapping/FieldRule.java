package io.syncline.mapping;

import io.syncline.value.Values;
import java.util.List;
import java.util.Map;

/**
 * One line of a pair's mapping: how a canonical field is read from the source row, and which
 * target column it is written to.
 *
 * @param parts the source expression: column names, or literals (already unquoted) when {@code literal[i]}
 */
public record FieldRule(int line, String text, String canonical, List<String> parts, List<Boolean> literal,
        List<Transform> toCanonical, String target, List<Transform> toTarget) {

    /** The source columns this line reads. */
    public List<String> sourceColumns() {
        return java.util.stream.IntStream.range(0, parts.size()).filter(i -> !literal.get(i)).mapToObj(parts::get).toList();
    }

    /** The single source column when the expression is exactly one column, else null. */
    public String plainSourceColumn() {
        return parts.size() == 1 && !literal.get(0) ? parts.get(0) : null;
    }

    Object read(Map<String, Object> row) {
        Object value;
        if (parts.size() == 1) {
            value = literal.get(0) ? Values.literal(parts.get(0)) : Values.canonical(row.get(parts.get(0)));
        } else {
            StringBuilder joined = new StringBuilder();
            boolean any = false;
            for (int i = 0; i < parts.size(); i++) {
                if (literal.get(i)) {
                    joined.append(parts.get(i));
                } else {
                    Object v = row.get(parts.get(i));
                    if (v != null) {
                        joined.append(v);
                        any = true;
                    }
                }
            }
            value = any ? joined.toString().trim() : null;
        }
        for (Transform t : toCanonical) {
            value = t.apply(value, canonical);
        }
        return value;
    }

    /** A canonical value as this line writes it to its target column (its transforms after the column). */
    public Object write(Object canonicalValue) {
        Object value = canonicalValue;
        for (Transform t : toTarget) {
            value = t.apply(value, canonical);
        }
        return value;
    }
}
