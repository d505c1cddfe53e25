package io.syncline.mapping;

import io.syncline.value.RecordException;
import io.syncline.value.Values;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A pair's field mapping, parsed from the {@code mapping} text of its pair file:
 *
 * <pre>
 * canonical &lt;- source expression | transform | ... -&gt; target column | transform | ...
 * required: field, field
 * </pre>
 */
public final class Mapping {

    private final List<FieldRule> rules;
    private final Set<String> required;
    private final List<FieldRule> targetRules;
    private TwoWayMapping twoWay;

    private Mapping(List<FieldRule> rules, Set<String> required) {
        this.rules = List.copyOf(rules);
        this.required = Set.copyOf(required);
        this.targetRules = this.rules.stream().filter(r -> r.target() != null).toList();
    }

    /** This mapping read in both directions, for a two-way pair; throws MappingSyntaxException for a line that cannot be read back. */
    public synchronized TwoWayMapping twoWay() {
        if (twoWay == null) {
            twoWay = new TwoWayMapping(this);
        }
        return twoWay;
    }

    public List<FieldRule> rules() {
        return rules;
    }

    public Set<String> required() {
        return required;
    }

    public FieldRule rule(String canonical) {
        return rules.stream().filter(r -> r.canonical().equals(canonical)).findFirst().orElse(null);
    }

    /** Every source column the mapping reads, lower case, in order. */
    public List<String> sourceColumns() {
        Set<String> columns = new LinkedHashSet<>();
        rules.forEach(r -> r.sourceColumns().forEach(c -> columns.add(c.toLowerCase(Locale.ROOT))));
        return new ArrayList<>(columns);
    }

    /** The rules that write a target column, in the order of {@link #toTarget}. */
    public List<FieldRule> targetRules() {
        return targetRules;
    }

    /** Source row (lower-case column names) to canonical record; throws RecordException for a bad record. */
    public Map<String, Object> toCanonical(Map<String, Object> row) {
        Map<String, Object> canonical = new LinkedHashMap<>();
        for (FieldRule rule : rules) {
            canonical.put(rule.canonical(), rule.read(row));
        }
        for (String field : required) {
            Object v = canonical.get(field);
            if (v == null || (v instanceof String s && s.isBlank())) {
                throw new RecordException("required field '" + field + "' is empty");
            }
        }
        return canonical;
    }

    /** Canonical record to the target columns' values, in the order of {@link #targetRules()}. */
    public Object[] toTarget(Map<String, Object> canonical) {
        Object[] values = new Object[targetRules.size()];
        for (int i = 0; i < values.length; i++) {
            FieldRule rule = targetRules.get(i);
            values[i] = rule.write(canonical.get(rule.canonical()));
        }
        return values;
    }

    /** A short digest of the canonical values: equal records, equal hashes, whatever the driver. */
    public static String hash(Map<String, Object> canonical) {
        StringBuilder text = new StringBuilder(128);
        canonical.forEach((k, v) -> Values.appendHashForm(text.append(k).append('='), v).append('\u0001'));
        byte[] digest = Values.sha256(text);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 15));
    }

    /** A column, or a field of an HTTP record: nested fields are named by their path, e.g. {@code owner.address.city}. */
    private static final String FIELD_NAME = "[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)*";

    public static Mapping parse(String text) {
        if (text == null || text.isBlank()) {
            throw new MappingSyntaxException(0, "", "the mapping is empty; write one line per field: canonical <- source -> target");
        }
        List<FieldRule> rules = new ArrayList<>();
        Set<String> required = new LinkedHashSet<>();
        String[] lines = text.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            int comment = indexOutside(line, "#", 0);
            if (comment > 0) { // a comment at the end of a line
                line = line.substring(0, comment).strip();
            }
            int number = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                if (line.toLowerCase(Locale.ROOT).startsWith("required:")) {
                    for (String f : line.substring("required:".length()).split(",")) {
                        if (!f.isBlank()) {
                            required.add(f.trim());
                        }
                    }
                    continue;
                }
                FieldRule rule = parseRule(number, line);
                if (rules.stream().anyMatch(r -> r.canonical().equals(rule.canonical()))) {
                    throw new IllegalArgumentException("canonical field '" + rule.canonical() + "' is mapped twice");
                }
                rules.add(rule);
            } catch (IllegalArgumentException e) {
                throw new MappingSyntaxException(number, line, e.getMessage());
            }
        }
        for (String field : required) {
            if (rules.stream().noneMatch(r -> r.canonical().equals(field))) {
                throw new MappingSyntaxException(0, "required: " + String.join(", ", required),
                        "required field '" + field + "' is not a canonical field of this mapping");
            }
        }
        return new Mapping(rules, required);
    }

    private static FieldRule parseRule(int number, String line) {
        int from = indexOutside(line, "<-", 0);
        if (from < 0) {
            throw new IllegalArgumentException("expected 'canonical <- source [| transform] [-> target]'");
        }
        String canonical = line.substring(0, from).trim();
        if (!canonical.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("'" + canonical + "' is not a valid canonical field name");
        }
        int to = indexOutside(line, "->", from + 2);
        String readSide = to < 0 ? line.substring(from + 2) : line.substring(from + 2, to);
        String writeSide = to < 0 ? null : line.substring(to + 2);

        List<String> readSteps = splitOutside(readSide, '|');
        String expression = readSteps.get(0).trim();
        int brace = indexOutside(expression, "{", 0);
        if (brace > 0) { // "status {Active: 1}" reads as "status | {Active: 1}"
            readSteps.add(1, expression.substring(brace));
            expression = expression.substring(0, brace).trim();
        }
        List<String> parts = new ArrayList<>();
        List<Boolean> literal = new ArrayList<>();
        for (String part : splitOutside(expression, '+')) {
            String p = part.trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("the source expression '" + expression + "' has an empty part");
            }
            boolean quoted = p.length() >= 2 && (p.startsWith("\"") && p.endsWith("\"") || p.startsWith("'") && p.endsWith("'"));
            if (!quoted && !p.matches(FIELD_NAME) && !p.matches("-?\\d+(\\.\\d+)?")) {
                throw new IllegalArgumentException("'" + p + "' is neither a column name nor a quoted literal");
            }
            boolean isNumber = !quoted && p.matches("-?\\d+(\\.\\d+)?");
            parts.add(quoted ? p.substring(1, p.length() - 1) : isNumber ? p : p.toLowerCase(Locale.ROOT));
            literal.add(quoted || isNumber);
        }
        List<Transform> toCanonical = new ArrayList<>();
        readSteps.subList(1, readSteps.size()).forEach(s -> toCanonical.add(Transform.parse(s)));

        String target = null;
        List<Transform> toTarget = new ArrayList<>();
        if (writeSide != null) {
            List<String> writeSteps = splitOutside(writeSide, '|');
            target = writeSteps.get(0).trim();
            if (!target.matches(FIELD_NAME)) {
                throw new IllegalArgumentException("'" + target + "' is not a valid target column name");
            }
            writeSteps.subList(1, writeSteps.size()).forEach(s -> toTarget.add(Transform.parse(s)));
        }
        return new FieldRule(number, line, canonical, parts, literal, toCanonical, target, toTarget);
    }

    /** Index of {@code token} in {@code s} outside quotes, braces and parentheses. */
    private static int indexOutside(String s, String token, int start) {
        int depth = 0;
        char quote = 0;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '"' || c == '\'') {
                quote = c;
            } else if (depth == 0 && s.startsWith(token, i)) {
                return i;
            } else if (c == '{' || c == '(') {
                depth++;
            } else if (c == '}' || c == ')') {
                depth--;
            }
        }
        return -1;
    }

    private static List<String> splitOutside(String s, char separator) {
        List<String> out = new ArrayList<>();
        int last = 0;
        int at;
        while ((at = indexOutside(s, String.valueOf(separator), last)) >= 0) {
            out.add(s.substring(last, at));
            last = at + 1;
        }
        out.add(s.substring(last));
        return out;
    }
}
