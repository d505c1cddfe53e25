package io.syncline.conflict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The three-way resolution of one link under each policy, as a pair file declares it. */
class ResolutionTest {

    private static final Set<String> FIELDS = Set.of("name", "phone", "status");
    private static final Instant EARLY = Instant.parse("2026-01-01T10:00:00Z");
    private static final Instant LATE = Instant.parse("2026-01-01T10:00:05Z");

    private static Map<String, Object> record(String name, String phone, long status) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", name);
        r.put("phone", phone);
        r.put("status", status);
        return r;
    }

    private static Policy policy(String record, String fields) {
        return Policy.parse(record, "last-writer-wins", fields, FIELDS);
    }

    private static final Map<String, Object> BASE = record("Ada", "111", 1);

    @Test
    void aFieldChangedOnOneSideOnlyIsTakenFromThatSide() {
        Resolution r = Resolution.resolve(policy("field-merge", null), BASE, record("Ada L.", "111", 1), true, EARLY,
                record("Ada", "222", 1), true, LATE, FIELDS);
        assertEquals(record("Ada L.", "222", 1), r.result());
        assertEquals(List.of(), r.conflicting());
    }

    @Test
    void onlyOneSideChangedIsNotAConflictWhateverThePolicy() {
        for (String p : List.of("field-merge", "a-wins", "b-wins", "last-writer-wins", "manual")) {
            Resolution r = Resolution.resolve(policy(p, null), BASE, BASE, false, EARLY, record("Ada", "222", 0), true, LATE, FIELDS);
            assertEquals(record("Ada", "222", 0), r.result(), p);
        }
    }

    @Test
    void fieldMergeFallsBackToTheLaterWriterForAFieldBothChanged() {
        Resolution r = Resolution.resolve(policy("field-merge", null), BASE, record("A", "111", 1), true, LATE,
                record("B", "111", 1), true, EARLY, FIELDS);
        assertEquals("A", r.result().get("name"));
        assertEquals(List.of("name"), r.conflicting());
    }

    @Test
    void aTieOfTimestampsGoesToSideA() {
        Resolution r = Resolution.resolve(policy("last-writer-wins", null), BASE, record("A", "111", 1), true, EARLY,
                record("B", "111", 1), true, EARLY, FIELDS);
        assertEquals("A", r.result().get("name"));
    }

    @Test
    void recordPoliciesDecideEveryFieldOnWhichTheSidesDiffer() {
        Map<String, Object> a = record("A", "111", 0);
        Map<String, Object> b = record("Ada", "222", 1);
        assertEquals(a, Resolution.resolve(policy("a-wins", null), BASE, a, true, LATE, b, true, EARLY, FIELDS).result());
        assertEquals(b, Resolution.resolve(policy("b-wins", null), BASE, a, true, LATE, b, true, EARLY, FIELDS).result());
        assertEquals(b, Resolution.resolve(policy("last-writer-wins", null), BASE, a, true, EARLY, b, true, LATE, FIELDS).result());
        assertNull(Resolution.resolve(policy("manual", null), BASE, a, true, EARLY, b, true, LATE, FIELDS).result());
    }

    @Test
    void fieldAuthorityOverridesTheRecordPolicy() {
        Resolution r = Resolution.resolve(policy("last-writer-wins", "status: a-wins"), BASE, record("A", "111", 0), true, EARLY,
                record("B", "111", 2), true, LATE, FIELDS);
        assertEquals(record("B", "111", 0), r.result(), "name: B is later; status: A is its authority");
    }

    @Test
    void aManualFieldBothSidesChangedLeavesTheRecordForReview() {
        Resolution r = Resolution.resolve(policy("field-merge", "phone: manual"), BASE, record("Ada", "333", 1), true, EARLY,
                record("Ada", "444", 1), true, LATE, FIELDS);
        assertTrue(r.isManual());
        assertEquals(List.of("phone"), r.conflicting());
    }

    @Test
    void withoutABaseEveryDifferenceIsAConflict() {
        // two records matched by natural key on the first run: nothing tells which side changed what
        Resolution r = Resolution.resolve(policy("field-merge", "phone: b-wins"), null, record("Ada", "111", 1), true, LATE,
                record("ADA", "222", 1), true, EARLY, FIELDS);
        assertEquals(record("Ada", "222", 1), r.result());
        assertEquals(List.of("name", "phone"), r.conflicting());
    }

    @Test
    void fieldsHeldOnlyBySideAComeFromSideA() {
        Resolution r = Resolution.resolve(policy("b-wins", null), BASE, record("A", "111", 1), true, EARLY,
                Map.of("phone", "222", "status", 1L), true, LATE, Set.of("phone", "status"));
        assertEquals(record("A", "222", 1), r.result());
    }

    @Test
    void anUnknownPolicyIsRefusedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policy("newest-wins", null));
        assertTrue(e.getMessage().contains("policy: 'newest-wins' is not a conflict policy"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> policy("field-merge", "name: field-merge"), "field-merge is not a field rule");
    }

    /** Two values are the same when their hash forms are, also where the comparison takes a shorter way. */
    @Test
    void valuesAreTheSameExactlyWhenTheirHashFormsAre() {
        List<Object> values = new java.util.ArrayList<>(java.util.Arrays.asList(null, "", "1", "a", "A", 1, 1L, 2L, 0, 0L, -1L, true, false, "true",
                new java.math.BigDecimal("1"), new java.math.BigDecimal("1.00"), new java.math.BigDecimal("2"), 1.0, 1.5f, EARLY, LATE,
                Instant.parse("2026-01-01T10:00:00.000000001Z"), java.time.LocalDate.parse("2026-01-01"),
                java.time.LocalDateTime.parse("2026-01-01T10:00"), java.time.LocalDateTime.parse("2026-01-01T10:00:00.5"),
                new byte[] {1, 2}, new byte[] {1, 2}, new byte[] {2}, "2026-01-01T10:00:00Z", "2026-01-01"));
        for (Object v : List.copyOf(values.stream().filter(java.util.Objects::nonNull).toList())) {
            values.add(v instanceof String text ? new String(text) : v); // strings equal, not identical
        }
        // of each type the fast way compares, two values equal but not identical
        values.addAll(List.of(Long.parseLong("123456"), Long.parseLong("123456"), Integer.parseInt("123456"), Integer.parseInt("123456"),
                Instant.parse("2026-01-01T10:00:00.5Z"), Instant.parse("2026-01-01T10:00:00.5Z"), java.time.LocalDate.parse("2026-02-03"),
                java.time.LocalDate.parse("2026-02-03"), java.time.LocalDateTime.parse("2026-01-01T10:00:01"),
                java.time.LocalDateTime.parse("2026-01-01T10:00:01")));
        for (Object x : values) {
            for (Object y : values) {
                boolean sameText = io.syncline.value.Values.hashForm(x).equals(io.syncline.value.Values.hashForm(y));
                assertEquals(sameText, Resolution.same(x, y), x + " and " + y);
            }
        }
    }
}
