package io.syncline.pair;

import io.syncline.value.Values;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a two-way pair does on the other side when a record of one side is deleted:
 * {@code delete} it there too, mark it there ({@code soft(field = value)}, a canonical field), or
 * {@code ignore} it (the other side keeps its record; the link stays, so it is not created again).
 */
public record Deletes(Kind kind, String field, Object value) {

    public enum Kind {
        DELETE, SOFT, IGNORE
    }

    private static final Pattern SOFT = Pattern.compile("soft\\(\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.+?)\\s*\\)");

    static Deletes parse(String setting, String text, Set<String> canonicalFields, List<String> problems) {
        String t = text == null ? "" : text.trim();
        switch (t.toLowerCase(Locale.ROOT)) {
            case "delete":
                return new Deletes(Kind.DELETE, null, null);
            case "ignore":
                return new Deletes(Kind.IGNORE, null, null);
            default:
                Matcher m = SOFT.matcher(t);
                if (!m.matches()) {
                    problems.add(setting + ": '" + text + "' is not a delete rule; use delete, ignore or soft(field = value), e.g. soft(status = Inactive)");
                    return null;
                }
                if (!canonicalFields.contains(m.group(1))) {
                    problems.add(setting + ": '" + m.group(1) + "' is not a canonical field of the mapping " + canonicalFields);
                    return null;
                }
                return new Deletes(Kind.SOFT, m.group(1), Values.literal(m.group(2)));
        }
    }

    @Override
    public String toString() {
        return kind == Kind.SOFT ? "soft(" + field + " = " + value + ")" : kind.name().toLowerCase(Locale.ROOT);
    }
}
