package io.syncline.mapping;

import io.syncline.value.RecordException;
import io.syncline.value.Values;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One step of a field's conversion, written after a {@code |} in a mapping line. The date and
 * zone steps work both ways, so the same word reads a source value and writes a target value.
 */
@FunctionalInterface
public interface Transform {

    Object apply(Object value, String field);

    /**
     * The step that undoes this one, for a two-way pair's way back. Date, zone and the plain
     * clean-ups work both ways as they are; a value map is inverted.
     */
    default Transform reverse() {
        return this;
    }

    /** The transforms a pair file may name, with their syntax for error messages. */
    String KNOWN = "trim, lower, upper, int, decimal, text, bool, default(value), date(pattern), "
            + "datetime(pattern), zone(Region/City), ref(pair), join(separator), {from: to, ...}";

    static Transform parse(String token) {
        String t = token.trim();
        if (t.startsWith("{")) {
            return valueMap(t);
        }
        String name = t;
        String arg = null;
        int open = t.indexOf('(');
        if (open > 0) {
            if (!t.endsWith(")")) {
                throw new IllegalArgumentException("transform '" + t + "' lacks its closing ')'");
            }
            name = t.substring(0, open).trim();
            arg = t.substring(open + 1, t.length() - 1).trim();
        }
        String argument = arg;
        switch (name.toLowerCase(Locale.ROOT)) {
            case "trim":
                return (v, f) -> v instanceof String s ? s.trim() : v;
            case "lower":
                return (v, f) -> v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
            case "upper":
                return (v, f) -> v instanceof String s ? s.toUpperCase(Locale.ROOT) : v;
            case "int":
                return Values::toLong;
            case "decimal":
                return Values::toDecimal;
            case "bool":
                return Values::toBoolean;
            case "text":
                return (v, f) -> v == null ? null : v.toString();
            case "default":
                requireArgument(name, argument, "default(Unknown)");
                Object fallback = Values.literal(argument);
                return (v, f) -> v == null || (v instanceof String s && s.isBlank()) ? fallback : v;
            case "date":
                requireArgument(name, argument, "date(dd/MM/yyyy)");
                return dateFormat(argument, false);
            case "datetime":
                requireArgument(name, argument, "datetime(yyyy-MM-dd HH:mm:ss)");
                return dateFormat(argument, true);
            case "ref":
                requireArgument(name, argument, "ref(companies)");
                return new Reference(argument);
            case "zone":
                requireArgument(name, argument, "zone(Europe/Paris)");
                return zone(argument);
            case "join":
                requireArgument(name, argument, "join(\", \")");
                return join(String.valueOf(Values.literal(argument)));
            default:
                throw new IllegalArgumentException("unknown transform '" + name + "'; known: " + KNOWN);
        }
    }

    /** {@code join(", ")}: a list of values (an API's array field) as one text; the way back splits it. */
    private static Transform join(String separator) {
        return new Transform() {
            @Override
            public Object apply(Object value, String field) {
                return value instanceof java.util.List<?> items
                        ? String.join(separator, items.stream().map(i -> i == null ? "" : Values.hashForm(i).substring(1)).toList()) : value;
            }

            @Override
            public Transform reverse() {
                return (v, f) -> v instanceof String s ? (s.isEmpty() ? java.util.List.of()
                        : java.util.List.of(s.split(java.util.regex.Pattern.quote(separator), -1))) : v;
            }
        };
    }

    private static void requireArgument(String name, String argument, String example) {
        if (argument == null || argument.isEmpty()) {
            throw new IllegalArgumentException("transform '" + name + "' needs an argument, e.g. " + example);
        }
    }

    /**
     * {@code ref(companies)}: the field holds the id of a record of another two-way pair. Its
     * canonical value is the id on side A; the writer translates it through that pair's links to
     * side B's id, and parks the record while the referenced record has no link yet.
     */
    record Reference(String pair) implements Transform {
        @Override
        public Object apply(Object v, String f) {
            return v == null ? null : String.valueOf(Values.canonical(v));
        }
    }

    /** {@code {Active: 1, Inactive: 0}}: values not in the map make the record a dead letter. */
    private static Transform valueMap(String text) {
        if (!text.endsWith("}")) {
            throw new IllegalArgumentException("value map '" + text + "' lacks its closing '}'");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (String entry : text.substring(1, text.length() - 1).split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("value map entry '" + entry.trim() + "' needs the form 'from: to'");
            }
            Object from = Values.literal(entry.substring(0, colon));
            map.put(String.valueOf(from), Values.literal(entry.substring(colon + 1)));
        }
        if (map.isEmpty()) {
            throw new IllegalArgumentException("value map '" + text + "' is empty");
        }
        return new ValueMap(map);
    }

    /** {@code {from: to}}: its reverse exists only when no two entries map to the same value. */
    record ValueMap(Map<String, Object> map) implements Transform {
        @Override
        public Object apply(Object v, String f) {
            if (v == null) {
                return null;
            }
            String key = v instanceof Boolean || v instanceof Number ? Values.hashForm(v).substring(1) : v.toString();
            if (!map.containsKey(key)) {
                throw new RecordException("field '" + f + "': value '" + v + "' is not in the value map " + map.keySet());
            }
            return map.get(key);
        }

        @Override
        public Transform reverse() {
            Map<String, Object> inverse = new LinkedHashMap<>();
            map.forEach((from, to) -> {
                String key = to instanceof Boolean || to instanceof Number ? Values.hashForm(to).substring(1) : String.valueOf(to);
                if (inverse.put(key, Values.literal(from)) != null) {
                    throw new IllegalArgumentException("value map " + map + " maps two values to '" + to
                            + "', so it cannot be read back; a two-way field needs a one-to-one map");
                }
            });
            return new ValueMap(inverse);
        }
    }

    /** Text to a date (or date-time) with the pattern, and a date back to text with it. */
    private static Transform dateFormat(String pattern, boolean withTime) {
        DateTimeFormatter format;
        try {
            format = DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("date pattern '" + pattern + "' is invalid: " + e.getMessage());
        }
        DigitsDate digits = withTime ? null : DigitsDate.of(pattern);
        return (v, f) -> {
            if (v == null) {
                return null;
            }
            if (v instanceof String s) {
                if (s.isBlank()) {
                    return null;
                }
                LocalDate date = digits == null ? null : digits.parse(s.trim());
                if (date != null) {
                    return date;
                }
                try {
                    return withTime ? LocalDateTime.parse(s.trim(), format) : LocalDate.parse(s.trim(), format);
                } catch (DateTimeException e) {
                    throw new RecordException("field '" + f + "': '" + s + "' does not match the pattern " + pattern);
                }
            }
            if (v instanceof Instant || v instanceof LocalDate || v instanceof LocalDateTime || v instanceof OffsetDateTime) {
                TemporalAccessor t = v instanceof Instant i ? i.atOffset(ZoneOffset.UTC) : (TemporalAccessor) v;
                try {
                    return format.format(t);
                } catch (DateTimeException e) {
                    throw new RecordException("field '" + f + "': cannot write '" + v + "' with the pattern " + pattern);
                }
            }
            throw new RecordException("field '" + f + "': " + v.getClass().getSimpleName() + " '" + v + "' is not a date");
        };
    }

    /** A local date-time read in the zone becomes an instant; an instant becomes local time there. */
    private static Transform zone(String zoneId) {
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneId);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("time zone '" + zoneId + "' is unknown (use a region such as Europe/Paris, or UTC)");
        }
        return (v, f) -> {
            if (v == null) {
                return null;
            }
            if (v instanceof LocalDateTime ldt) {
                return ldt.atZone(zone).toInstant();
            }
            if (v instanceof Instant i) {
                return LocalDateTime.ofInstant(i, zone);
            }
            if (v instanceof OffsetDateTime odt) {
                return LocalDateTime.ofInstant(odt.toInstant(), zone);
            }
            throw new RecordException("field '" + f + "': " + v.getClass().getSimpleName() + " '" + v + "' is not a date-time");
        };
    }
}
