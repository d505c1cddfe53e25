package io.syncline.pair;

import java.util.List;

/**
 * The mass-delete guard of a pair: a reconciliation that would delete more than
 * {@code share} of the linked records, or more than {@code count} of them, pauses the pair instead
 * and waits for an operator. Written {@code 10%} or {@code 500}.
 */
public record DeleteGuard(double share, long count) {

    /** True when deleting {@code deletes} of {@code linked} records needs an operator's confirmation. */
    public boolean trips(long deletes, long linked) {
        if (deletes == 0) {
            return false;
        }
        return count >= 0 ? deletes > count : deletes > share * Math.max(linked, 1);
    }

    static DeleteGuard parse(String text, List<String> problems) {
        String t = text == null ? "" : text.trim();
        try {
            if (t.endsWith("%")) {
                double percent = Double.parseDouble(t.substring(0, t.length() - 1).trim());
                if (percent < 0 || percent > 100) {
                    throw new NumberFormatException();
                }
                return new DeleteGuard(percent / 100, -1);
            }
            long n = Long.parseLong(t);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return new DeleteGuard(0, n);
        } catch (NumberFormatException e) {
            problems.add("deleteGuard: '" + text + "' is neither a share (10%) nor a number of records (500)");
            return null;
        }
    }

    @Override
    public String toString() {
        return count >= 0 ? count + " records" : (share * 100) + "%";
    }
}
