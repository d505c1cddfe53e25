package io.syncline.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Whether a record another pair wrote still holds what it wrote, as a second pair reads it: the columns compared by
 * fingerprint, whatever Java type each pair's driver or mapping gave a value.
 */
class OriginsTest {

    private static final Set<String> KEY_AND_MARKER = Set.of("id", "modified");

    @Test
    void aValueHasOneFingerprintWhateverTypeCarriesIt() {
        assertEquals(Origins.fingerprint(1), Origins.fingerprint(1L));
        assertEquals(Origins.fingerprint(1), Origins.fingerprint(new BigDecimal("1.00")));
        assertEquals(Origins.fingerprint(1), Origins.fingerprint(true), "a TINYINT(1) read as a boolean");
        assertEquals(Origins.fingerprint(Instant.parse("2026-11-27T10:00:00Z")),
                Origins.fingerprint(OffsetDateTime.of(2026, 11, 27, 11, 0, 0, 0, ZoneOffset.ofHours(1))));
        assertNotEquals(Origins.fingerprint("1"), Origins.fingerprint(null));
        assertNotEquals(Origins.fingerprint("A"), Origins.fingerprint("a"));
    }

    @Test
    void aRecordHoldsWhatWasWrittenUntilAColumnChanges() {
        Map<String, Object> written = row("+1 555", "A");
        Origins.Origin origin = new Origins.Origin(Instant.EPOCH, Origins.fingerprints(written, KEY_AND_MARKER));
        Map<String, Object> read = row("+1 555", "A");
        read.put("modified", "a later stamp"); // the marker every write moves is not compared
        assertTrue(origin.holds(read, KEY_AND_MARKER, Map.of()));
        assertFalse(origin.holds(row("+1 666", "A"), KEY_AND_MARKER, Map.of()), "a user edited the phone since");
    }

    @Test
    void aColumnTheWriterDidNotKnowMustStillHoldWhatTheReaderLastSynced() {
        Origins.Origin origin = new Origins.Origin(Instant.EPOCH, Origins.fingerprints(row("+1 555", "A"), KEY_AND_MARKER));
        Map<String, Object> read = row("+1 555", "A");
        read.put("notes", "call back");
        assertFalse(origin.holds(read, KEY_AND_MARKER, Map.of()), "notes: unknown to the writer, unknown before: may be a user's edit");
        assertTrue(origin.holds(read, KEY_AND_MARKER, Map.of("notes", "call back")), "notes as last synced: the change is the writer's");
        assertFalse(origin.holds(read, KEY_AND_MARKER, Map.of("notes", "older")), "notes edited since: a user's change");
    }

    private static Map<String, Object> row(String phone, String state) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", 7L);
        row.put("email", "ada@example.com");
        row.put("phone", phone);
        row.put("state", state);
        return row;
    }
}
