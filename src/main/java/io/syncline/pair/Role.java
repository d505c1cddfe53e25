package io.syncline.pair;

import java.util.Locale;

/** Which side of a two-way pair: A (the left of each mapping line) or B (the right). */
public enum Role {
    A, B;

    public Role other() {
        return this == A ? B : A;
    }

    /** The side's name in the state store, in URLs and in windows: "a" or "b". */
    public String key() {
        return this == A ? "a" : "b";
    }

    /** "a" or "b", any case. */
    public static Role of(String key) {
        return switch (key.toLowerCase(Locale.ROOT)) {
            case "a" -> A;
            case "b" -> B;
            default -> throw new IllegalArgumentException("a two-way pair has sides 'a' and 'b', not '" + key + "'");
        };
    }
}
