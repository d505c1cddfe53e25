package io.syncline.mapping;

import java.time.LocalDate;

/**
 * A date pattern made of {@code dd}, {@code MM} and {@code yyyy} (or {@code uuuu}) and separators, such as
 * {@code dd/MM/yyyy}: its usual dates are read without the formatter, which costs more than the rest of a record's
 * mapping. A text that is not plainly such a date (another length, a day after the 28th, year 0) is left to the
 * formatter, which decides as it always has.
 */
record DigitsDate(String pattern, int day, int month, int year) {

    static DigitsDate of(String pattern) {
        int day = -1;
        int month = -1;
        int year = -1;
        for (int i = 0; i < pattern.length();) {
            char c = pattern.charAt(i);
            int end = i;
            while (end < pattern.length() && pattern.charAt(end) == c) {
                end++;
            }
            String run = pattern.substring(i, end);
            if (run.equals("dd") && day < 0) {
                day = i;
            } else if (run.equals("MM") && month < 0) {
                month = i;
            } else if ((run.equals("yyyy") || run.equals("uuuu")) && year < 0) {
                year = i;
            } else if (run.length() != 1 || " /-.,".indexOf(c) < 0) {
                return null;
            }
            i = end;
        }
        return day < 0 || month < 0 || year < 0 ? null : new DigitsDate(pattern, day, month, year);
    }

    /** The date, or null when the formatter must decide. */
    LocalDate parse(String text) {
        if (text.length() != pattern.length()) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char p = pattern.charAt(i);
            char c = text.charAt(i);
            if (Character.isLetter(p) ? c < '0' || c > '9' : c != p) {
                return null;
            }
        }
        int d = number(text, day, 2);
        int m = number(text, month, 2);
        int y = number(text, year, 4);
        return d >= 1 && d <= 28 && m >= 1 && m <= 12 && y >= 1 ? LocalDate.of(y, m, d) : null;
    }

    private static int number(String text, int from, int digits) {
        int n = 0;
        for (int i = from; i < from + digits; i++) {
            n = n * 10 + text.charAt(i) - '0';
        }
        return n;
    }
}
