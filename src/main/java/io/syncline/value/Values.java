package io.syncline.value;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.Locale;

/** Conversions between the value forms that databases hand out and canonical values. */
public final class Values {

    private Values() {
    }

    /** Reads a literal written in a pair file: a number, true/false, null, or text (quotes optional). */
    public static Object literal(String text) {
        String t = text.trim();
        if ((t.startsWith("\"") && t.endsWith("\"") && t.length() >= 2) || (t.startsWith("'") && t.endsWith("'") && t.length() >= 2)) {
            return t.substring(1, t.length() - 1);
        }
        if (t.equalsIgnoreCase("null")) {
            return null;
        }
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
            return Boolean.valueOf(t);
        }
        if (t.matches("-?\\d{1,18}")) {
            return Long.valueOf(t);
        }
        if (t.matches("-?\\d+\\.\\d+")) {
            return new BigDecimal(t);
        }
        return t;
    }

    /** The same value in the form used for canonical records (no driver-specific types). */
    public static Object canonical(Object value) {
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof ZonedDateTime zdt) {
            return zdt.toInstant();
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof java.math.BigInteger bi) {
            return new BigDecimal(bi);
        }
        if (value instanceof Float || value instanceof Double) {
            return BigDecimal.valueOf(((Number) value).doubleValue());
        }
        return value;
    }

    /** Looking the algorithm up costs more than hashing a record, so each thread keeps its digest. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** The SHA-256 digest of bytes (a webhook's body, when its sender gives it no id). */
    public static byte[] sha256(byte[] bytes) {
        return SHA_256.get().digest(bytes);
    }

    /** Each thread's buffer for a text's bytes, when they are ASCII (as most records' hash texts are). */
    private static final ThreadLocal<byte[]> ASCII = ThreadLocal.withInitial(() -> new byte[512]);
    /** Longer texts (a record with a large text or binary value) go to the JDK's encoder: no thread keeps a large buffer. */
    private static final int ASCII_BUFFER_MAX = 8192;

    /** The SHA-256 digest of the text's UTF-8 bytes (of records' values, for their hashes and fingerprints). */
    public static byte[] sha256(CharSequence text) {
        MessageDigest digest = SHA_256.get();
        int length = text.length();
        if (length > ASCII_BUFFER_MAX) {
            return digest.digest(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = ASCII.get();
        if (bytes.length < length) {
            bytes = new byte[Math.max(length, bytes.length * 2)];
            ASCII.set(bytes);
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) { // beyond ASCII: the JDK's encoder
                return digest.digest(text.toString().getBytes(StandardCharsets.UTF_8));
            }
            bytes[i] = (byte) c; // an ASCII character is its own UTF-8 byte
        }
        digest.update(bytes, 0, length);
        return digest.digest();
    }

    /** A stable text form, the same for equal canonical values whatever driver produced them. */
    public static String hashForm(Object value) {
        return appendHashForm(new StringBuilder(24), value).toString();
    }

    /**
     * Whether two values have the same {@link #hashForm}. Values of one type whose {@code equals} says the same are
     * compared with it, without building those texts.
     */
    public static boolean sameHashForm(Object x, Object y) {
        if (x == y) {
            return true;
        }
        if (x == null || y == null) {
            return false; // null's hash form is the only one without a type letter
        }
        if (x.getClass() == y.getClass() && (x instanceof String || x instanceof Long || x instanceof Integer || x instanceof Boolean
                || x instanceof Instant || x instanceof LocalDate || x instanceof LocalDateTime)) {
            return x.equals(y);
        }
        return hashForm(x).equals(hashForm(y));
    }

    /** Appends {@link #hashForm}: the hash of every record is built this way, without a string per value. */
    public static StringBuilder appendHashForm(StringBuilder text, Object value) {
        if (value == null) {
            return text.append('\u0000');
        }
        if (value instanceof BigDecimal bd) {
            return text.append('n').append(bd.signum() == 0 ? "0" : bd.stripTrailingZeros().toPlainString());
        }
        if (value instanceof Number n) {
            return value instanceof Long l ? text.append('n').append(l.longValue())
                    : value instanceof Integer i ? text.append('n').append(i.intValue()) : text.append('n').append(n);
        }
        if (value instanceof Boolean b) {
            return text.append('b').append(b.booleanValue());
        }
        if (value instanceof Instant || value instanceof LocalDateTime || value instanceof LocalDate) {
            return appendTime(text.append('t'), value);
        }
        if (value instanceof byte[] bytes) { // binary columns: by content, not by the array's identity
            return text.append('x').append(HexFormat.of().formatHex(bytes));
        }
        return text.append('s').append(value);
    }

    /** Instants of the years 0 to 9999, in seconds since 1970. */
    private static final long FIRST_SECOND = -62_167_219_200L;
    private static final long LAST_SECOND = 253_402_300_799L;

    /**
     * Appends exactly what {@code toString()} gives for an instant, a date and time or a date: the text is
     * part of every stored hash. Years 0 to 9999 are written digit by digit (the JDK's formatter costs
     * more than the rest of a record's hash); other years as the JDK writes them.
     */
    static StringBuilder appendTime(StringBuilder text, Object value) {
        if (value instanceof Instant i && i.getEpochSecond() >= FIRST_SECOND && i.getEpochSecond() <= LAST_SECOND) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(i.getEpochSecond(), 0, ZoneOffset.UTC);
            appendDate(text, t.getYear(), t.getMonthValue(), t.getDayOfMonth());
            appendTwoDigits(appendTwoDigits(appendTwoDigits(text.append('T'), t.getHour()).append(':'), t.getMinute()).append(':'), t.getSecond());
            return appendNanos(text, i.getNano()).append('Z'); // an instant always shows its seconds
        }
        if (value instanceof LocalDateTime t && t.getYear() >= 0 && t.getYear() <= 9999) {
            appendDate(text, t.getYear(), t.getMonthValue(), t.getDayOfMonth());
            appendTwoDigits(appendTwoDigits(text.append('T'), t.getHour()).append(':'), t.getMinute());
            // a date and time shows its seconds only if it has seconds or a fraction
            return t.getSecond() == 0 && t.getNano() == 0 ? text : appendNanos(appendTwoDigits(text.append(':'), t.getSecond()), t.getNano());
        }
        if (value instanceof LocalDate d && d.getYear() >= 0 && d.getYear() <= 9999) {
            return appendDate(text, d.getYear(), d.getMonthValue(), d.getDayOfMonth());
        }
        return text.append(value);
    }

    private static StringBuilder appendDate(StringBuilder text, int year, int month, int day) {
        appendTwoDigits(text, year / 100);
        return appendTwoDigits(appendTwoDigits(appendTwoDigits(text, year % 100).append('-'), month).append('-'), day);
    }

    private static StringBuilder appendTwoDigits(StringBuilder text, int value) {
        return text.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    /** A fraction of a second as the JDK writes it: none, or 3, 6 or 9 digits, as few as show it whole. */
    private static StringBuilder appendNanos(StringBuilder text, int nanos) {
        if (nanos == 0) {
            return text;
        }
        text.append('.');
        int digits = nanos % 1_000_000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
        for (int i = 0, unit = 100_000_000; i < digits; i++, unit /= 10) {
            text.append((char) ('0' + nanos / unit % 10));
        }
        return text;
    }

    public static Long toLong(Object value, String field) {
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (value instanceof Number n) {
            if (n instanceof BigDecimal bd) {
                try {
                    return bd.longValueExact();
                } catch (ArithmeticException e) {
                    throw new RecordException("field '" + field + "': '" + value + "' is not a whole number");
                }
            }
            return n.longValue();
        }
        String s = value.toString().trim();
        try {
            return Long.valueOf(s);
        } catch (NumberFormatException e) {
            throw new RecordException("field '" + field + "': '" + s + "' is not a whole number");
        }
    }

    public static BigDecimal toDecimal(Object value, String field) {
        if (value == null) {
            return null;
        }
        if (value instanceof BigDecimal bd) {
            return bd;
        }
        if (value instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        try {
            return new BigDecimal(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new RecordException("field '" + field + "': '" + value + "' is not a number");
        }
    }

    public static Boolean toBoolean(Object value, String field) {
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        if (value instanceof Number n) {
            return n.intValue() != 0;
        }
        String s = value.toString().trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "true", "t", "yes", "y", "1":
                return true;
            case "false", "f", "no", "n", "0":
                return false;
            default:
                throw new RecordException("field '" + field + "': '" + value + "' is not a boolean");
        }
    }

    /** An instant for a timestamp column with a time zone; a local date-time is read as UTC. */
    public static OffsetDateTime toOffsetDateTime(Object value) {
        if (value instanceof Instant i) {
            return i.atOffset(ZoneOffset.UTC);
        }
        if (value instanceof LocalDateTime ldt) {
            return ldt.atOffset(ZoneOffset.UTC);
        }
        return (OffsetDateTime) value;
    }

    /** A local date-time for a timestamp column without a time zone; an instant is written in UTC. */
    public static LocalDateTime toLocalDateTime(Object value) {
        if (value instanceof Instant i) {
            return LocalDateTime.ofInstant(i, ZoneOffset.UTC);
        }
        if (value instanceof LocalDate d) {
            return d.atStartOfDay();
        }
        return (LocalDateTime) value;
    }
}
