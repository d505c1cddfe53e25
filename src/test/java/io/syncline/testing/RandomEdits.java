package io.syncline.testing;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.http.ContentType;
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
 * value; one edited on both holds one side's last value, and the later one when it was made, while the server ran,
 * on a record that already held the other side's edit). Some edits write a value the mapping cannot
 * take (dead letters until {@link #repair()}); {@code notes} is a field left for manual review.
 */
public final class RandomEdits {

    /**
     * Two edits of a status this far apart, made while the server ran, are not one conflict but two changes: a window
     * (1 s in the tests) plus a poll interval (1 s) plus a second to apply. Only a status, and an operator's resolution,
     * need it: with three values, the record may hold the other side's edit before that edit has arrived.
     */
    static final long SETTLED = 3_000;

    private static final List<String> FIELDS = List.of("first_name", "last_name", "phone", "status", "notes");
    /** The pair's canonical field names and the CRM's columns, where they differ. */
    private static final Map<String, String> COLUMNS = Map.of("first", "first_name", "last", "last_name");
    private static final Map<String, Integer> ACTIVE = Map.of("Active", 1, "Inactive", 0, "Blocked", 2);

    /**
     * One user's edit of one field; {@code epoch} counts the server's starts, -1 while it is down; {@code afterOthers}:
     * the record edited held the other side's last edit of the field then (that edit had arrived).
     */
    private record Edit(String side, Object value, long at, int epoch, boolean afterOthers) {
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
    private int epoch;
    private boolean serverUp = true;
    /** Records holding a value their side's mapping refuses, by email: "crm" or "helpdesk". */
    private final Map<String, String> broken = new HashMap<>();
    /** Records that held such a value: an edit of the other side could not be applied meanwhile, so timing proves nothing. */
    private final Set<String> everBroken = new HashSet<>();
    private int brokenEdits;
    private int repairs;
    private int resolutions;

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

    /** The server was stopped: edits from now on are made while it is down, until {@link #serverStarted()}. */
    public void serverStopped() {
        serverUp = false;
    }

    public void serverStarted() {
        serverUp = true;
        epoch++;
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
            } else if (kind < 11) {
                breakRecord(crmSide);
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

    /** Edits that wrote a value the mapping refuses (each a dead letter until repaired). */
    public int brokenEdits() {
        return brokenEdits;
    }

    /** Deletes made in each system (hard deletes: polling cannot see them, reconciliation finds them). */
    public int deletes() {
        return deletes;
    }

    /** Their users fix the records that hold a value the mapping refuses: after this, no dead letter is due. Returns how many. */
    public int repair() {
        int repaired = broken.size();
        repairs += repaired;
        for (Map.Entry<String, String> e : new ArrayList<>(broken.entrySet())) {
            String value = List.of("Active", "Inactive", "Blocked").get(random.nextInt(3));
            editField(e.getKey(), "crm".equals(e.getValue()), "status", value);
        }
        broken.clear();
        return repaired;
    }

    /**
     * An operator resolves every conflict left for review, choosing a side at random, through the
     * API; the chosen values count as the last edit on both sides. Returns how many.
     */
    public int resolveConflicts() {
        List<Map<String, Object>> open = operator().get("/api/pairs/people/conflicts").then().statusCode(200).extract().jsonPath().getList("$");
        for (Map<String, Object> conflict : open) {
            String email = String.valueOf(((Map<?, ?>) conflict.get("a")).get("email"));
            Map<String, Object> values = operator().contentType(ContentType.JSON).body(Map.of("choose", random.nextBoolean() ? "a" : "b"))
                    .post("/api/pairs/people/conflicts/" + conflict.get("aId") + "/resolve").then().statusCode(200)
                    .extract().jsonPath().getMap("values");
            values.forEach((field, value) -> record(email.trim().toLowerCase(), COLUMNS.getOrDefault(field, field), "both",
                    field.equals("status") ? status(((Number) value).intValue()) : value, false));
        }
        resolutions += open.size();
        return open.size();
    }

    /** Records repaired and conflicts resolved so far: each adds writes that are no echo. */
    public int repairs() {
        return repairs;
    }

    public int resolutions() {
        return resolutions;
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
                Edit lastCrm = last(history, "crm");
                Edit lastHelpdesk = last(history, "helpdesk");
                Object now = a.get(field);
                String what = email + ": " + field + " is '" + now + "' (crm " + lastCrm + ", help desk " + lastHelpdesk + ")";
                if (lastCrm == null || lastHelpdesk == null) {
                    assertEquals((lastCrm != null ? lastCrm : lastHelpdesk).value(), now, what + ": edited on one side only");
                    continue;
                }
                assertTrue(Objects.equals(now, lastCrm.value()) || Objects.equals(now, lastHelpdesk.value()),
                        what + ": neither side's last edit, a lost update");
                Edit later = lastCrm.at() > lastHelpdesk.at() ? lastCrm : lastHelpdesk;
                Edit earlier = later == lastCrm ? lastHelpdesk : lastCrm;
                long apart = later.at() - earlier.at();
                boolean twoChanges = later.side().equals("both") ? apart > SETTLED // an operator's resolution, made on neither record
                        : later.afterOthers() && (!field.equals("status") || apart > SETTLED);
                if (later.epoch() >= 0 && later.epoch() == earlier.epoch() && twoChanges && !everBroken.contains(email)) {
                    assertEquals(later.value(), now, what + ": the later edit, made " + (later.at() - earlier.at())
                            + " ms later on a record that held the earlier one, must win");
                }
            }
            checked++;
        }
        return checked;
    }

    /** The last edit on that side; a resolution written to both sides counts on each. */
    private static Edit last(List<Edit> history, String side) {
        Edit last = null;
        for (Edit e : history) {
            if (e.side().equals(side) || e.side().equals("both")) {
                last = e;
            }
        }
        return last;
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
        if (deletedInCrm.contains(email) || deletedInHelpdesk.contains(email) || broken.containsKey(email)) {
            return; // a deleted record's dead letter would never clear
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
        editField(email, crmSide, field, value);
    }

    /** Writes a status the mapping refuses: 'Pending' in the CRM, 7 in the help desk. */
    private void breakRecord(boolean crmSide) {
        String email = emails.get(random.nextInt(emails.size()));
        if (deletedInCrm.contains(email) || deletedInHelpdesk.contains(email) || broken.containsKey(email)) {
            return;
        }
        int n = crmSide ? update(crm(), "UPDATE people SET status = 'Pending' WHERE LOWER(TRIM(email)) = ?", email)
                : update(helpdesk(), "UPDATE users SET active = 7 WHERE LOWER(TRIM(email)) = ?", email);
        if (n > 0) {
            countOwnWrite(crmSide, n);
            broken.put(email, crmSide ? "crm" : "helpdesk");
            everBroken.add(email);
            brokenEdits++;
        }
    }

    private void editField(String email, boolean crmSide, String field, String value) {
        boolean afterOthers = holdsOthersLast(email, crmSide, field);
        int n;
        if (crmSide) {
            n = update(crm(), "UPDATE people SET " + field + " = ? WHERE LOWER(TRIM(email)) = ?", value, email);
        } else if (field.equals("status")) {
            n = update(helpdesk(), "UPDATE users SET active = ? WHERE LOWER(TRIM(email)) = ?", ACTIVE.get(value), email);
        } else {
            n = update(helpdesk(), "UPDATE users SET " + field + " = ? WHERE LOWER(TRIM(email)) = ?", value, email);
        }
        countOwnWrite(crmSide, n);
        if (n > 0) { // a record inserted on the other side may not have arrived yet
            if (field.equals("status") && (crmSide ? "crm" : "helpdesk").equals(broken.get(email))) {
                broken.remove(email); // a valid status again
            }
            record(email, field, crmSide ? "crm" : "helpdesk", value, afterOthers);
        }
    }

    /** Whether the record about to be edited holds the other side's last edit of the field: that edit has arrived. */
    private boolean holdsOthersLast(String email, boolean crmSide, String field) {
        Edit others = last(edits.getOrDefault(email, Map.of()).getOrDefault(field, List.of()), crmSide ? "helpdesk" : "crm");
        if (others == null) {
            return false;
        }
        Object now;
        if (crmSide) {
            now = row(crm(), "SELECT " + field + " FROM people WHERE LOWER(TRIM(email)) = ?", email).get(field);
        } else if (field.equals("status")) {
            Object active = row(helpdesk(), "SELECT active FROM users WHERE LOWER(TRIM(email)) = ?", email).get("active");
            now = active == null ? null : ACTIVE.entrySet().stream().filter(e -> e.getValue() == ((Number) active).intValue())
                    .map(Map.Entry::getKey).findFirst().orElse(null);
        } else {
            now = row(helpdesk(), "SELECT " + field + " FROM users WHERE LOWER(TRIM(email)) = ?", email).get(field);
        }
        return Objects.equals(now, others.value());
    }

    private void countOwnWrite(boolean crmSide, int n) {
        if (crmSide) {
            crmOwnWrites += n;
        } else {
            helpdeskOwnWrites += n;
        }
    }

    private void record(String email, String field, String side, Object value, boolean afterOthers) {
        edits.computeIfAbsent(email, e -> new HashMap<>()).computeIfAbsent(field, f -> new ArrayList<>())
                .add(new Edit(side, value, System.currentTimeMillis(), serverUp ? epoch : -1, afterOthers));
    }

    /** The CRM's status for the canonical (and help-desk) value. */
    private static String status(int active) {
        return ACTIVE.entrySet().stream().filter(e -> e.getValue() == active).map(Map.Entry::getKey).findFirst().orElseThrow();
    }
}
