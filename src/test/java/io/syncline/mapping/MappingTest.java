package io.syncline.mapping;

import io.syncline.value.RecordException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mapping language of pair files, on its own. */
class MappingTest {

    private static final Mapping CONTACTS = Mapping.parse("""
            # comments and blank lines are fine

            id       <- id                                -> crm_id
            email    <- email | trim | lower              -> email
            name     <- first_name + " " + last_name      -> full_name
            status   <- status {Active: 1, Inactive: 0}   -> active
            birthday <- birth_date | date(dd/MM/yyyy)     -> birthday | date(yyyy-MM-dd)
            created  <- created_at | zone(Europe/Paris)   -> created_utc | zone(UTC)
            tier     <- tier | default(standard)          -> tier
            score    <- score | decimal
            required: email
            """);

    private static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> row = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            row.put((String) keyValues[i], keyValues[i + 1]);
        }
        return row;
    }

    private static Map<String, Object> ada() {
        return row("id", 7, "email", "  Ada@Example.COM ", "first_name", "Ada", "last_name", "Lovelace", "status", "Inactive",
                "birth_date", "10/12/1815", "created_at", LocalDateTime.of(2024, 7, 1, 12, 0), "tier", null, "score", "4.50");
    }

    @Test
    void sourceRowBecomesCanonicalRecordAndTargetValues() {
        Map<String, Object> canonical = CONTACTS.toCanonical(ada());
        assertEquals(7L, canonical.get("id"), "integers are canonical longs");
        assertEquals("ada@example.com", canonical.get("email"));
        assertEquals("Ada Lovelace", canonical.get("name"));
        assertEquals(0L, canonical.get("status"));
        assertEquals(LocalDate.of(1815, 12, 10), canonical.get("birthday"));
        assertEquals(Instant.parse("2024-07-01T10:00:00Z"), canonical.get("created"), "Paris summer time is UTC+2");
        assertEquals("standard", canonical.get("tier"));
        assertEquals(new BigDecimal("4.50"), canonical.get("score"));

        Object[] target = CONTACTS.toTarget(canonical);
        assertEquals(7, target.length, "score has no target column");
        assertEquals("1815-12-10", target[4], "a date written back as text with the target pattern");
        assertEquals(LocalDateTime.of(2024, 7, 1, 10, 0), target[5], "an instant written as local time in UTC");
    }

    @Test
    void hashIgnoresDriverTypesButSeesEveryChange() {
        Map<String, Object> a = CONTACTS.toCanonical(ada());
        Map<String, Object> fromAnotherDriver = ada();
        fromAnotherDriver.put("id", 7L);
        fromAnotherDriver.put("score", new BigDecimal("4.5"));
        assertEquals(Mapping.hash(a), Mapping.hash(CONTACTS.toCanonical(fromAnotherDriver)));
        Map<String, Object> edited = ada();
        edited.put("last_name", "Byron");
        assertNotEquals(Mapping.hash(a), Mapping.hash(CONTACTS.toCanonical(edited)));
    }

    @Test
    void aBinaryColumnHashesTheSameOnEveryRead() {
        Mapping files = Mapping.parse("id <- id -> id\nphoto <- photo -> photo");
        // each read of a bytea or BLOB column gives a new array: the hash, the base and conflict checks go by its content
        Map<String, Object> first = files.toCanonical(new java.util.HashMap<>(Map.of("id", 1L, "photo", new byte[] {1, 2, (byte) 0xff})));
        Map<String, Object> again = files.toCanonical(new java.util.HashMap<>(Map.of("id", 1L, "photo", new byte[] {1, 2, (byte) 0xff})));
        assertEquals(Mapping.hash(first), Mapping.hash(again), "read again, unchanged: no re-sync");
        Map<String, Object> changed = files.toCanonical(new java.util.HashMap<>(Map.of("id", 1L, "photo", new byte[] {1, 2, 3})));
        assertNotEquals(Mapping.hash(first), Mapping.hash(changed));
        Map<String, Object> base = io.syncline.state.CanonicalJson.read(io.syncline.state.CanonicalJson.write(first));
        assertTrue(io.syncline.conflict.Resolution.same(base.get("photo"), again.get("photo")), "a stored base compares by content");
    }

    @Test
    void badRecordsFailWithTheFieldAndTheReason() {
        Map<String, Object> noMail = ada();
        noMail.put("email", "   ");
        assertEquals("required field 'email' is empty", assertThrows(RecordException.class, () -> CONTACTS.toCanonical(noMail)).getMessage());
        Map<String, Object> pending = ada();
        pending.put("status", "Pending");
        assertTrue(assertThrows(RecordException.class, () -> CONTACTS.toCanonical(pending)).getMessage()
                .contains("field 'status': value 'Pending' is not in the value map [Active, Inactive]"));
        Map<String, Object> badDate = ada();
        badDate.put("birth_date", "1815-12-10");
        assertTrue(assertThrows(RecordException.class, () -> CONTACTS.toCanonical(badDate)).getMessage()
                .contains("does not match the pattern dd/MM/yyyy"));
        Map<String, Object> badNumber = ada();
        badNumber.put("score", "lots");
        assertTrue(assertThrows(RecordException.class, () -> CONTACTS.toCanonical(badNumber)).getMessage().contains("'lots' is not a number"));
    }

    @Test
    void syntaxErrorsNameTheLine() {
        assertEquals("mapping line 2 'email <- email | lowr -> email': unknown transform 'lowr'; known: " + Transform.KNOWN,
                assertThrows(MappingSyntaxException.class, () -> Mapping.parse("id <- id -> id\nemail <- email | lowr -> email")).getMessage());
        assertTrue(assertThrows(MappingSyntaxException.class, () -> Mapping.parse("id = id"))
                .getMessage().contains("mapping line 1 'id = id': expected 'canonical <- source"));
        assertTrue(assertThrows(MappingSyntaxException.class, () -> Mapping.parse("id <- id\nid <- other"))
                .getMessage().contains("canonical field 'id' is mapped twice"));
        assertTrue(assertThrows(MappingSyntaxException.class, () -> Mapping.parse("id <- id\nrequired: email"))
                .getMessage().contains("required field 'email' is not a canonical field"));
        assertTrue(assertThrows(MappingSyntaxException.class, () -> Mapping.parse("t <- created | zone(Mars/Olympus)"))
                .getMessage().contains("time zone 'Mars/Olympus' is unknown"));
        assertTrue(assertThrows(MappingSyntaxException.class, () -> Mapping.parse("s <- status {Active 1}"))
                .getMessage().contains("needs the form 'from: to'"));
    }

    @Test
    void aTwoWayMappingReadsSideBAndWritesSideABackwards() {
        TwoWayMapping twoWay = Mapping.parse("""
                status  <- status {Active: 1, Inactive: 0}      -> active
                born    <- birth_date | date(dd/MM/yyyy)        -> birthday
                created <- created_at | zone(Europe/Paris)      -> created_utc | zone(UTC)
                name    <- first_name + " " + last_name         -> full_name
                """).twoWay();
        Map<String, Object> b = new HashMap<>();
        b.put("active", 0);
        b.put("birthday", LocalDate.of(1985, 12, 10));
        b.put("created_utc", LocalDateTime.of(2024, 7, 1, 10, 0));
        b.put("full_name", "Ada Lovelace");
        Map<String, Object> canonical = twoWay.readB(b);
        assertEquals(0L, canonical.get("status"));
        assertEquals(Instant.parse("2024-07-01T10:00:00Z"), canonical.get("created"));

        assertEquals(java.util.List.of("status", "birth_date", "created_at"), twoWay.aColumns(), "a concatenation is not written back to A");
        assertEquals(java.util.Set.of("status", "born", "created"), twoWay.aWritableFields());
        Object[] a = twoWay.toA(canonical, twoWay.aColumns().stream().map(column -> new io.syncline.system.Table.Column(column,
                column.equals("created_at") ? java.sql.Types.TIMESTAMP : java.sql.Types.VARCHAR, "x")).toList());
        assertEquals("Inactive", a[0], "value map inverted");
        assertEquals("10/12/1985", a[1], "date pattern written back");
        assertEquals(LocalDateTime.of(2024, 7, 1, 12, 0), a[2], "UTC instant to Paris summer time");
    }

    @Test
    void aValueMapThatIsNotOneToOneCannotBeTwoWay() {
        Mapping mapping = Mapping.parse("status <- status {Active: 1, Blocked: 1} -> active");
        MappingSyntaxException e = assertThrows(MappingSyntaxException.class, mapping::twoWay);
        assertTrue(e.getMessage().contains("maps two values to '1'"), e.getMessage());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    /**
     * Usual dates of a pattern such as dd/MM/yyyy are read without the formatter; every text must still read as the
     * formatter reads it (the day after a month's last clamped to it, an impossible month or day refused).
     */
    @Test
    void datesReadAsTheFormatterReadsThem() {
        for (String pattern : new String[] {"dd/MM/yyyy", "yyyy-MM-dd", "MM.dd.uuuu", "yyyyMMdd", "ddMMyyyy"}) {
            Mapping mapping = Mapping.parse("born <- birth_date | date(" + pattern + ")");
            java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter.ofPattern(pattern, java.util.Locale.ROOT);
            java.util.Random random = new java.util.Random(pattern.hashCode());
            java.util.List<String> texts = new java.util.ArrayList<>(java.util.List.of("x", " ", "1/2/2020", "2020-1-2", "0000-01-01"));
            for (int i = 0; i < 3000; i++) { // every field out of range, at its edges or garbled
                String text = pattern.replace("dd", String.format("%02d", random.nextInt(34)))
                        .replace("MM", String.format("%02d", random.nextInt(15)))
                        .replace("yyyy", String.format("%04d", random.nextInt(2100))).replace("uuuu", String.format("%04d", random.nextInt(2100)));
                texts.add(i % 50 == 0 ? text.replace('0', 'O') : i % 70 == 0 ? " " + text + " " : text);
            }
            for (String text : texts) {
                Object expected;
                try {
                    expected = text.isBlank() ? null : LocalDate.parse(text.trim(), format);
                } catch (java.time.DateTimeException e) {
                    expected = "refused";
                }
                Object read;
                try {
                    read = mapping.toCanonical(row("birth_date", text)).get("born");
                } catch (RecordException e) {
                    read = "refused";
                }
                assertEquals(expected, read, pattern + ": '" + text + "'");
            }
        }
    }
}
