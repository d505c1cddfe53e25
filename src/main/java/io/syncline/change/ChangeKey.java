package io.syncline.change;

/** The text form of an idempotent key, {@code pair/side/id#hash}; the id may itself hold '/' or '#'. */
public record ChangeKey(String pair, String side, String recordId, String hash) {

    public static String of(String pair, String side, String recordId, String hash) {
        return pair + "/" + side + "/" + recordId + "#" + hash;
    }

    public static ChangeKey parse(String key) {
        int first = key.indexOf('/');
        int second = key.indexOf('/', first + 1);
        int hash = key.lastIndexOf('#');
        if (first < 0 || second < 0 || hash < second) {
            throw new IllegalArgumentException("'" + key + "' is not a change key (pair/side/id#hash)");
        }
        return new ChangeKey(key.substring(0, first), key.substring(first + 1, second), key.substring(second + 1, hash),
                key.substring(hash + 1));
    }
}
