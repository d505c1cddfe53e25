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

    /**
     * Orders positions by marker (versions as numbers, times as instants or local date-times), then by id
     * (numbers as numbers); the start comes first.
     */
    public static int compare(Position a, Position b) {
        if (a.isStart() || b.isStart()) {
            return a.isStart() ? (b.isStart() ? 0 : -1) : 1;
        }
        int byMarker = compareText(a.value, b.value);
        return byMarker != 0 ? byMarker : compareText(String.valueOf(a.id), String.valueOf(b.id));
    }

    private static int compareText(String a, String b) {
        if (a.matches("-?\\d{1,18}") && b.matches("-?\\d{1,18}")) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        try {
            return java.time.Instant.parse(a).compareTo(java.time.Instant.parse(b));
        } catch (java.time.format.DateTimeParseException notInstants) {
            try {
                return java.time.LocalDateTime.parse(a).compareTo(java.time.LocalDateTime.parse(b));
            } catch (java.time.format.DateTimeParseException notLocal) {
                return a.compareTo(b);
            }
        }
    }

    public boolean isStart() {
        return value == null;
    }

    @Override
    public String toString() {
        return isStart() ? "(start)" : value + " / " + id;
    }
}
