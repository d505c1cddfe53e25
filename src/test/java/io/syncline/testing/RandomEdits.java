package io.syncline.testing;

import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random inserts, updates and deletes on both sides of the two-way pair "people", as their
 * users would make them, remembered so that the outcome can be checked once both sides are quiet:
 * both sides agree, and no edit was lost (a field edited on one side only holds that side's last
 * value; one edited on both holds one side's last value).
 */
public final class RandomEdits {

    private static final List<String> FIELDS = List.of("first_name", "last_name", "phone", "status");
    private static final Map<String, Integer> ACTIVE = Map.of("Active", 1, "Inactive", 0, "Blocked", 2);

    private record Edit(String side, Object value) {
    }

    private final Random random;
    private final String prefix;
    private final Map<String, Map<String, List<Edit>>> edits = new HashMap<>();
    private final List<String> emails = new ArrayList<>();
    private final Set<String> deletedInCrm = new HashSet<>();
    private final Set<String> deletedInHelpdesk = new HashSet<>();
    private final int maxDeletes;
    private int deletes;
    private int operation;
    private int crmOwnWrites;
    private int helpdeskOwnWrites;

    /**
     * @param existing emails of linked people the edits may touch
     * @param prefix   for the emails of inserted records, unique per run
     * @param maxDeletes at most this many deletes, so that the mass-delete guard does not hold them
     */
    public RandomEdits(long seed, List<String> existing, String prefix, int maxDeletes) {
        this.random = new Random(seed);
        this.emails.addAll(existing);
        this.prefix = prefix;
        this.maxDeletes = maxDeletes;
    }

    /** Makes {@code count} operations, a few milliseconds apart. */
    public void run(int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            int kind = random.nextInt(100);
            boolean crmSide = random.nextBoolean();
            if (kind < 6) {
                insert(crmSide);
            } else if (kind < 8 && deletes < maxDeletes) {
                delete(crmSide);
            } else {
                edit(crmSide);
            }
            operation++;
            Thread.sleep(random.nextInt(30));
        }
    }

    public int operations() {
        return operation;
    }

    /** Rows the edits themselves inserted or updated in the CRM (its write counter counts them too). */
    public int crmOwnWrites() {
        return crmOwnWrites;
    }

    public int helpdeskOwnWrites() {
        return helpdeskOwnWrites;
    }

    /** Checks both sides, record by record; returns how many records were compared field by field. */
    public int verify() {
        int checked = 0;
        for (String email : emails) {
            Map<String, Object> a = row(crm(), "SELECT first_name, last_name, phone, status, notes FROM people WHERE LOWER(TRIM(email)) = ?", email);
            Map<String, Object> b = row(helpdesk(), "SELECT first_name, last_name, phone, active, notes FROM users WHERE LOWER(TRIM(email)) = ?", email);
            if (deletedInCrm.contains(email) && !deletedInHelpdesk.contains(email)) {
                assertTrue(a.isEmpty() && b.isEmpty(), email + ": deleted in the CRM, so deleted in the help desk: " + a + " / " + b);
                continue;
            }
            if (deletedInHelpdesk.contains(email)) {
                assertTrue(b.isEmpty(), email + ": deleted in the help desk");
                assertTrue(a.isEmpty() || "Inactive".equals(a.get("status")), email + ": marked inactive in the CRM: " + a);
                continue;
            }
            assertTrue(!a.isEmpty() && !b.isEmpty(), email + " exists on both sides: " + a + " / " + b);
            for (String field : List.of("first_name", "last_name", "phone", "notes")) {
                assertEquals(a.get(field), b.get(field), email + ": " + field + " agrees");
            }
            assertEquals(ACTIVE.get((String) a.get("status")), ((Number) b.get("active")).intValue(), email + ": status agrees");
            for (String field : FIELDS) {
                List<Edit> history = edits.getOrDefault(email, Map.of()).getOrDefault(field, List.of());
                if (history.isEmpty()) {
                    continue;
                }
                Object lastCrm = last(history, "crm");
                Object lastHelpdesk = last(history, "helpdesk");
                Object now = a.get(field);
                assertTrue(Objects.equals(now, lastCrm) || Objects.equals(now, lastHelpdesk), email + ": " + field + " is '" + now
                        + "', which is neither side's last edit (crm " + lastCrm + ", help desk " + lastHelpdesk + "): a lost update");
                if (lastCrm == null || lastHelpdesk == null) {
                    assertEquals(lastCrm != null ? lastCrm : lastHelpdesk, now, email + ": " + field + " was edited on one side only");
                }
            }
            checked++;
        }
        return checked;
    }

    private static Object last(List<Edit> history, String side) {
        Object value = null;
        for (Edit e : history) {
            if (e.side().equals(side)) {
                value = e.value();
            }
        }
        return value;
    }

    private void insert(boolean crmSide) {
        String email = prefix + operation + "@example.com";
        if (crmSide) {
            crmOwnWrites += update(crm(), "INSERT INTO people (email, first_name, last_name, status, notes) VALUES (?, 'New', 'InCrm', 'Active', 'n')", email);
        } else {
            helpdeskOwnWrites += update(helpdesk(), "INSERT INTO users (email, first_name, last_name, active, notes) VALUES (?, 'New', 'InHelpdesk', 1, 'n')", email);
        }
        emails.add(email);
    }

    private void delete(boolean crmSide) {
        String email = emails.get(random.nextInt(emails.size()));
        if (deletedInCrm.contains(email) || deletedInHelpdesk.contains(email)) {
            return;
        }
        int n = crmSide ? update(crm(), "DELETE FROM people WHERE LOWER(TRIM(email)) = ?", email)
                : update(helpdesk(), "DELETE FROM users WHERE LOWER(TRIM(email)) = ?", email);
        if (n > 0) {
            (crmSide ? deletedInCrm : deletedInHelpdesk).add(email);
            deletes++;
        }
    }

    private void edit(boolean crmSide) {
        String email = emails.get(random.nextInt(emails.size()));
        if (deletedInCrm.contains(email) || deletedInHelpdesk.contains(email)) {
            return;
        }
        String field = FIELDS.get(random.nextInt(FIELDS.size()));
        String value = field.equals("status") ? List.of("Active", "Inactive", "Blocked").get(random.nextInt(3)) : prefix + field + "-" + operation;
        int n;
        if (crmSide) {
            n = update(crm(), "UPDATE people SET " + field + " = ? WHERE LOWER(TRIM(email)) = ?", value, email);
            crmOwnWrites += n;
        } else if (field.equals("status")) {
            n = update(helpdesk(), "UPDATE users SET active = ? WHERE LOWER(TRIM(email)) = ?", ACTIVE.get(value), email);
            helpdeskOwnWrites += n;
        } else {
            n = update(helpdesk(), "UPDATE users SET " + field + " = ? WHERE LOWER(TRIM(email)) = ?", value, email);
            helpdeskOwnWrites += n;
        }
        if (n > 0) { // a record inserted on the other side may not have arrived yet
            edits.computeIfAbsent(email, e -> new HashMap<>()).computeIfAbsent(field, f -> new ArrayList<>())
                    .add(new Edit(crmSide ? "crm" : "helpdesk", value));
        }
    }
}
