package io.syncline.value;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ValuesTest {

    /** A fraction of a second of each length the JDK writes: none, milli-, micro-, nanoseconds. */
    private static int nanos(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
        };
    }

    /**
     * Times are part of every stored hash: their text must stay what {@code toString()} gave when the
     * hashes were stored, or every record would look changed.
     */
    @Test
    void timesAreHashedAsTheirTextAlwaysWas() {
        Random random = new Random(42);
        List<Object> values = new ArrayList<>(List.of(Instant.EPOCH, Instant.MIN, Instant.MAX, LocalDate.MIN, LocalDate.MAX, LocalDateTime.MIN,
                LocalDateTime.MAX, Instant.parse("2024-02-29T00:00:00Z"), LocalDateTime.parse("2024-02-29T10:00"),
                LocalDateTime.parse("2024-02-29T10:00:00.000000001"), LocalDate.parse("0999-01-01")));
        for (long edge : new long[] {-62_167_219_200L, 253_402_300_799L}) { // the first and last second of the years 0 to 9999
            for (long second = edge - 2; second <= edge + 2; second++) {
                values.add(Instant.ofEpochSecond(second));
                values.add(Instant.ofEpochSecond(second, 999_999_999));
                values.add(LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC));
                values.add(LocalDate.ofEpochDay(Math.floorDiv(second, 86_400)));
            }
        }
        for (int i = 0; i < 20_000; i++) {
            // mostly the years people live in, some far outside 0 to 9999
            long second = i % 10 == 0 ? random.nextLong(-400_000_000_000L, 400_000_000_000L) : random.nextLong(-3_000_000_000L, 5_000_000_000L);
            if (i % 7 == 0) {
                second -= Math.floorMod(second, 60); // whole minutes: a date and time then shows no seconds
            }
            int nanos = i % 7 == 0 && i % 2 == 0 ? 0 : nanos(random);
            values.add(Instant.ofEpochSecond(second, nanos));
            values.add(LocalDateTime.ofEpochSecond(second, nanos, ZoneOffset.UTC));
            values.add(LocalDate.ofEpochDay(Math.floorDiv(second, 86_400)));
        }
        for (Object value : values) {
            assertEquals("t" + value, Values.hashForm(value), value.getClass().getSimpleName());
        }
    }

    /** The digest of a record's hash text is that of its UTF-8 bytes, ASCII or not, short or long. */
    @Test
    void textsAreDigestedAsTheirUtf8Bytes() throws Exception {
        java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
        Random random = new Random(7);
        String alphabet = "abcXYZ019 =#/\u0000\u0001\u007f\u0080é€😀";
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder();
            int length = i % 100 == 0 ? 2000 + random.nextInt(12_000) : random.nextInt(300); // some beyond the 8 KB buffer
            boolean ascii = i % 3 != 0;
            for (int c = 0; c < length; c++) {
                text.append(alphabet.charAt(random.nextInt(ascii ? 13 : alphabet.length())));
            }
            String expected = java.util.HexFormat.of().formatHex(sha256.digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertEquals(expected, java.util.HexFormat.of().formatHex(Values.sha256(text)), text.toString());
        }
    }
}
