package io.syncline.system;

/**
 * Where a polling reader stands on one side: the cursor column's value (ISO text for
 * timestamps, digits for versions) and the record id that breaks ties. Empty before the first read.
 */
public record Position(String value, String id) {

    public static final Position START = new Position(null, null);

    /** The position of a record: its change marker's value (a version, or a time as ISO text) and its id. */
    public static Position of(Object marker, String id) {
        return new Position(marker instanceof Number n ? String.valueOf(n.longValue()) : marker.toString(), id);
    }

    public boolean isStart() {
        return value == null;
    }

    @Override
    public String toString() {
        return isStart() ? "(start)" : value + " / " + id;
    }
}
