package io.syncline.write;

import io.syncline.pair.Role;
import io.syncline.system.Row;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * When the values of a chunk's records were made, for last-writer-wins and for the origins of what a plan writes: the
 * origin of what another pair wrote into a record while it still holds that, else the record's change marker.
 */
final class EditTimes {

    private final Map<Role, Map<String, Instant>> origins;

    /** @param origins per side, the records that still hold what another pair wrote, by id -> the time of the edit it carried */
    EditTimes(Map<Role, Map<String, Instant>> origins) {
        this.origins = origins;
    }

    /** When a side's record was made: its origin, else its change marker as an instant (a local time read as UTC on both sides). */
    Instant of(Role side, String id, Row row) {
        Instant origin = row == null ? null : origins.get(side).get(id);
        return origin != null ? origin : row == null ? null : marker(row);
    }

    /**
     * The time of the edit that values merged from both sides carry: the later side's when both changed (a side that
     * changed keeps its own newer edits beside the other's), else the changed side's.
     */
    static Instant merged(boolean changedA, Instant timeA, boolean changedB, Instant timeB) {
        if (changedA && changedB) {
            return timeA == null ? timeB : timeB == null || timeA.isAfter(timeB) ? timeA : timeB;
        }
        return changedA ? timeA : timeB;
    }

    private static Instant marker(Row row) {
        Object marker = row.marker();
        if (marker instanceof Instant i) {
            return i;
        }
        if (marker instanceof LocalDateTime ldt) {
            return ldt.toInstant(ZoneOffset.UTC);
        }
        return null;
    }
}
