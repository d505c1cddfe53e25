package io.syncline.write;

import io.syncline.value.Values;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a side holds when a window's write to it did not commit (the window stopped between its writes and its links):
 * the older base's values where the window's intended base has others. Those are the window's to write, not edits of
 * that side.
 */
final class UncommittedWrites {

    private UncommittedWrites() {
    }

    /** The fields of a side's record that still hold {@code before}'s value where {@code intended} has another, with the intended value. */
    static Map<String, Object> fields(Map<String, Object> canonical, Map<String, Object> before, Map<String, Object> intended) {
        Map<String, Object> missed = new LinkedHashMap<>();
        if (before == null || intended == null) {
            return missed;
        }
        canonical.forEach((field, value) -> {
            if (intended.containsKey(field) && same(value, before.get(field)) && !same(value, intended.get(field))) {
                missed.put(field, intended.get(field));
            }
        });
        return missed;
    }

    /** The side's record with the window's values where its write did not commit. */
    static Map<String, Object> filledIn(Map<String, Object> canonical, Map<String, Object> before, Map<String, Object> intended) {
        Map<String, Object> fixed = new LinkedHashMap<>(canonical);
        fixed.putAll(fields(canonical, before, intended));
        return fixed;
    }

    /** Equal as the hash sees values (a base read back from the state store may hold another numeric type). */
    private static boolean same(Object x, Object y) {
        return Values.hashForm(x).equals(Values.hashForm(y));
    }
}
