package io.syncline.conflict;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How a two-way pair resolves a record both sides changed since the base: a rule for the record
 * ({@code policy}) and, optionally, a rule per field ({@code fields}, field authority).
 */
public record Policy(Rule record, Rule fallback, Map<String, Rule> fields) {

    public enum Rule {
        LAST_WRITER_WINS("last-writer-wins"), A_WINS("a-wins"), B_WINS("b-wins"), FIELD_MERGE("field-merge"), MANUAL("manual");

        private final String word;

        Rule(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        static Rule parse(String text, String setting, boolean recordLevel) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            for (Rule r : values()) {
                if (r.word.equals(t) && (recordLevel || r != FIELD_MERGE)) {
                    return r;
                }
            }
            List<String> known = java.util.Arrays.stream(values()).filter(r -> recordLevel || r != FIELD_MERGE).map(Rule::word).toList();
            throw new IllegalArgumentException(setting + ": '" + text + "' is not a conflict policy; use one of " + known);
        }
    }

    /**
     * Parses {@code policy}, {@code fallback} (for fields both sides changed under field-merge) and
     * {@code fields} ("status: a-wins, notes: manual"); every problem names the setting.
     */
    public static Policy parse(String policy, String fallback, String fields, Set<String> canonicalFields) {
        List<String> problems = new java.util.ArrayList<>();
        Policy parsed = parse(policy, fallback, fields, canonicalFields, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return parsed;
    }

    /** Parses as above, adding every problem to {@code problems}; returns null when there is one. */
    public static Policy parse(String policy, String fallback, String fields, Set<String> canonicalFields, List<String> problems) {
        int before = problems.size();
        Rule record = rule(policy, "policy", true, problems);
        Rule fallbackRule = rule(fallback, "fallback", false, problems);
        Map<String, Rule> byField = new LinkedHashMap<>();
        if (fields != null && !fields.isBlank()) {
            for (String entry : fields.split(",")) {
                int colon = entry.indexOf(':');
                if (colon < 0) {
                    problems.add("fields: '" + entry.trim() + "' needs the form 'field: rule', e.g. 'status: a-wins'");
                    continue;
                }
                String field = entry.substring(0, colon).trim();
                if (!canonicalFields.contains(field)) {
                    problems.add("fields: '" + field + "' is not a canonical field of the mapping " + canonicalFields);
                    continue;
                }
                Rule rule = rule(entry.substring(colon + 1), "fields: " + field, false, problems);
                if (rule != null) {
                    byField.put(field, rule);
                }
            }
        }
        return problems.size() > before ? null : new Policy(record, fallbackRule, Map.copyOf(byField));
    }

    private static Rule rule(String text, String setting, boolean recordLevel, List<String> problems) {
        try {
            return Rule.parse(text, setting, recordLevel);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    /** The rule for a field both sides changed. */
    public Rule ruleFor(String field) {
        Rule own = fields.get(field);
        if (own != null) {
            return own;
        }
        return record == Rule.FIELD_MERGE ? fallback : record;
    }

    @Override
    public String toString() {
        return record.word() + (record == Rule.FIELD_MERGE ? " (fallback " + fallback.word() + ")" : "")
                + (fields.isEmpty() ? "" : ", fields " + fields.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue().word())
                        .collect(java.util.stream.Collectors.joining(", ")));
    }
}
