package io.syncline.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncline.conflict.Policy;
import io.syncline.mapping.Mapping;
import io.syncline.mapping.TwoWayMapping;
import io.syncline.pair.Deletes;
import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.pair.TwoWayRules;
import io.syncline.state.Links;
import io.syncline.state.Links.Link;
import io.syncline.system.Row;
import io.syncline.system.Table;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two-way planner without databases: links and the rows both sides hold in, a plan out. Side A
 * is a CRM table (email, name, phone, status as text), side B a help-desk table (email, full_name,
 * phone, active as a number), as a pair file maps them.
 */
class TwoWayPlannerTest {

    private static final String MAPPING = """
            email   <- email                          -> email
            name    <- name                           -> full_name
            phone   <- phone                          -> phone
            status  <- status {Active: 1, Inactive: 0} -> active
            company <- company_id | ref(companies)    -> org_id
            required: email
            """;
    private static final TwoWayMapping TWO_WAY = Mapping.parse(MAPPING).twoWay();
    private static final List<Table.Column> A_COLUMNS = TWO_WAY.aColumns().stream().map(c -> column(c, Types.VARCHAR)).toList();
    private static final List<Table.Column> B_COLUMNS = List.of(column("email", Types.VARCHAR), column("full_name", Types.VARCHAR),
            column("phone", Types.VARCHAR), column("active", Types.INTEGER), column("org_id", Types.INTEGER));
    private static final Pair.Reference COMPANY = new Pair.Reference("company", "companies", "company_id", "org_id", 5);
    private static final LocalDateTime EARLY = LocalDateTime.of(2026, 11, 26, 10, 0, 0);
    private static final LocalDateTime LATE = EARLY.plusSeconds(5);

    private static Table.Column column(String name, int type) {
        return new Table.Column(name, type, type == Types.INTEGER ? "integer" : "varchar");
    }

    private static TwoWayRules rules(String policy, String fields, String aDeletes, String bDeletes) {
        Set<String> canonical = Set.of("email", "name", "phone", "status", "company");
        return new TwoWayRules("people", TWO_WAY, A_COLUMNS, B_COLUMNS, Policy.parse(policy, "last-writer-wins", fields, canonical),
                deletes(aDeletes), deletes(bDeletes), List.of(COMPANY), "email");
    }

    private static TwoWayRules rules(String policy) {
        return rules(policy, null, "ignore", "ignore");
    }

    private static Deletes deletes(String rule) {
        return switch (rule) {
            case "delete" -> new Deletes(Deletes.Kind.DELETE, null, null);
            case "ignore" -> new Deletes(Deletes.Kind.IGNORE, null, null);
            default -> new Deletes(Deletes.Kind.SOFT, "status", 0L);
        };
    }

    /** A CRM person. */
    private static Row a(String name, String phone, String status, LocalDateTime at) {
        return a("ada@example.com", name, phone, status, at);
    }

    private static Row a(String email, String name, String phone, String status, LocalDateTime at) {
        Map<String, Object> v = new HashMap<>();
        v.put("email", email);
        v.put("name", name);
        v.put("phone", phone);
        v.put("status", status);
        v.put("company_id", "7");
        return new Row(v, at);
    }

    /** A help-desk user. */
    private static Row b(String name, String phone, int active, LocalDateTime at) {
        return b("ada@example.com", name, phone, active, at);
    }

    private static Row b(String email, String name, String phone, int active, LocalDateTime at) {
        Map<String, Object> v = new HashMap<>();
        v.put("email", email);
        v.put("full_name", name);
        v.put("phone", phone);
        v.put("active", active);
        v.put("org_id", "7"); // as References.readB leaves it: the parent's A id
        return new Row(v, at);
    }

    private static final Row BASE_A = a("Ada", "111", "Active", EARLY);
    private static final Row BASE_B = b("Ada", "111", 1, EARLY);

    /** The link of two records that agreed on the base rows. */
    private static Link link(TwoWayRules rules) {
        Map<String, Object> base = rules.read(Role.A, BASE_A.values());
        return new Link("1", "10", base, Mapping.hash(base), Mapping.hash(rules.read(Role.B, BASE_B.values())));
    }

    private static final Map<String, Map<String, String>> COMPANY_LINKED = Map.of("company", Map.of("7", "70"));

    private static Chunk chunk(Link link, Row rowA, Row rowB) {
        return new Chunk(Map.of(link.aId(), link), Map.of(), rows(link.aId(), rowA), rows(link.bId(), rowB), Set.of(), Set.of(),
                Set.of(), Set.of(), Set.of(), null, COMPANY_LINKED);
    }

    /** A chunk whose side-A record still holds what another pair wrote into it, carrying the edit made at {@code originOnA}. */
    private static Chunk chunk(Link link, Row rowA, Row rowB, java.time.Instant originOnA) {
        return new Chunk(Map.of(link.aId(), link), Map.of(), rows(link.aId(), rowA), rows(link.bId(), rowB), Set.of(), Set.of(),
                Set.of(), Set.of(), Set.of(), null, COMPANY_LINKED, Map.of(Role.A, Map.of(link.aId(), originOnA), Role.B, Map.of()));
    }

    private static Map<String, Row> rows(String id, Row row) {
        Map<String, Row> rows = new HashMap<>();
        if (row != null) {
            rows.put(id, row);
        }
        return rows;
    }

    /** What a side reads as, canonical, once the plan's update is written over its row. */
    private static Map<String, Object> after(TwoWayRules rules, Plan plan, Role side, String id, Row row) {
        Object[] update = plan.updates(side).get(id);
        if (update == null) {
            return rules.read(side, row.values());
        }
        if (side == Role.B) { // B's reference columns hold B ids; read back, they are the parent's A id again
            update = update.clone();
            update[4] = "7";
        }
        List<String> columns = rules.written(side).stream().map(Table.Column::name).toList();
        return rules.read(side, TwoWayMapping.overlay(row.values(), columns, update));
    }

    private static Map<String, Object> canonical(String name, String phone, long status) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("email", "ada@example.com");
        c.put("name", name);
        c.put("phone", phone);
        c.put("status", status);
        c.put("company", "7");
        return c;
    }

    // who changed what since the base: A edits the name (or nothing), B the phone or the name
    enum Edit {
        NONE(BASE_A, BASE_B), A(a("Ann", "111", "Active", LATE), BASE_B), B(BASE_A, b("Ada", "222", 1, LATE)),
        BOTH_OTHER_FIELDS(a("Ann", "111", "Active", EARLY), b("Ada", "222", 1, LATE)),
        BOTH_SAME_FIELD(a("Ann", "111", "Active", EARLY), b("Bea", "111", 1, LATE));

        final Row a;
        final Row b;

        Edit(Row a, Row b) {
            this.a = a;
            this.b = b;
        }
    }

    private static final Map<String, Object> BASE = canonical("Ada", "111", 1);
    private static final Map<String, Object> ANN = canonical("Ann", "111", 1);
    private static final Map<String, Object> PHONE_222 = canonical("Ada", "222", 1);
    private static final Map<String, Object> MERGED = canonical("Ann", "222", 1);
    private static final Map<String, Object> BEA = canonical("Bea", "111", 1);

    /** Every policy against every combination of who changed what; null: left to an operator. B's edits are the later ones. */
    static List<Arguments> policies() {
        return List.of(
                Arguments.of("field-merge", Edit.NONE, BASE), Arguments.of("field-merge", Edit.A, ANN),
                Arguments.of("field-merge", Edit.B, PHONE_222), Arguments.of("field-merge", Edit.BOTH_OTHER_FIELDS, MERGED),
                Arguments.of("field-merge", Edit.BOTH_SAME_FIELD, BEA),
                Arguments.of("a-wins", Edit.NONE, BASE), Arguments.of("a-wins", Edit.A, ANN), Arguments.of("a-wins", Edit.B, PHONE_222),
                Arguments.of("a-wins", Edit.BOTH_OTHER_FIELDS, ANN), Arguments.of("a-wins", Edit.BOTH_SAME_FIELD, ANN),
                Arguments.of("b-wins", Edit.NONE, BASE), Arguments.of("b-wins", Edit.A, ANN), Arguments.of("b-wins", Edit.B, PHONE_222),
                Arguments.of("b-wins", Edit.BOTH_OTHER_FIELDS, PHONE_222), Arguments.of("b-wins", Edit.BOTH_SAME_FIELD, BEA),
                Arguments.of("last-writer-wins", Edit.NONE, BASE), Arguments.of("last-writer-wins", Edit.A, ANN),
                Arguments.of("last-writer-wins", Edit.B, PHONE_222), Arguments.of("last-writer-wins", Edit.BOTH_OTHER_FIELDS, PHONE_222),
                Arguments.of("last-writer-wins", Edit.BOTH_SAME_FIELD, BEA),
                Arguments.of("manual", Edit.NONE, BASE), Arguments.of("manual", Edit.A, ANN), Arguments.of("manual", Edit.B, PHONE_222),
                Arguments.of("manual", Edit.BOTH_OTHER_FIELDS, null), Arguments.of("manual", Edit.BOTH_SAME_FIELD, null));
    }

    @ParameterizedTest(name = "{0}, changed: {1}")
    @MethodSource("policies")
    void everyPolicyAgainstEveryCombinationOfChanges(String policy, Edit edit, Map<String, Object> expected) {
        TwoWayRules rules = rules(policy);
        Link link = link(rules);
        Plan plan = TwoWayPlanner.plan(rules, chunk(link, edit.a, edit.b));
        if (expected == null) {
            assertEquals(1, plan.conflicts().size(), "left for review");
            assertEquals(1, plan.newConflicts());
            assertTrue(plan.writesNothing(), "a record left for review is written on neither side");
            assertEquals(link.base(), plan.links().get(0).base(), "the link keeps its base");
            return;
        }
        assertEquals(expected, after(rules, plan, Role.A, "1", edit.a), "side A holds the result");
        assertEquals(expected, after(rules, plan, Role.B, "10", edit.b), "side B holds the result");
        assertTrue(plan.conflicts().isEmpty());
        if (edit == Edit.NONE) {
            assertTrue(plan.writesNothing());
            assertEquals(1, plan.unchanged());
            assertTrue(plan.links().isEmpty(), "an unchanged link is not stored again");
            return;
        }
        // only a side that must change is written, and its echo is expected with the hash it will read back
        for (Role side : Role.values()) {
            Row row = side == Role.A ? edit.a : edit.b;
            boolean differs = !expected.equals(rules.read(side, row.values()));
            assertEquals(differs, plan.updates(side).containsKey(link.id(side)), side + " is written only when it differs");
            if (differs) {
                assertEquals(Mapping.hash(expected), plan.echoes().get(side).get(link.id(side)));
            }
        }
        Link moved = plan.links().get(0);
        assertEquals(expected, moved.base(), "the link moves to the result");
        assertEquals(Mapping.hash(expected), moved.aHash());
        assertEquals(Mapping.hash(expected), moved.bHash());
        assertEquals(edit == Edit.BOTH_SAME_FIELD || edit == Edit.BOTH_OTHER_FIELDS && !policy.equals("field-merge") ? 1 : 0,
                plan.resolved(), "conflicts resolved by a rule");
    }

    @Test
    void fieldAuthorityDecidesAFieldBothSidesChanged() {
        TwoWayRules rules = rules("field-merge", "name: a-wins", "ignore", "ignore");
        Plan plan = TwoWayPlanner.plan(rules, chunk(link(rules), Edit.BOTH_SAME_FIELD.a, Edit.BOTH_SAME_FIELD.b));
        assertEquals(ANN, after(rules, plan, Role.B, "10", Edit.BOTH_SAME_FIELD.b), "A is the authority for the name, though B wrote later");
        TwoWayRules manualName = rules("field-merge", "name: manual", "ignore", "ignore");
        Plan review = TwoWayPlanner.plan(manualName, chunk(link(manualName), Edit.BOTH_SAME_FIELD.a, Edit.BOTH_SAME_FIELD.b));
        assertEquals(List.of("name"), review.conflicts().get(0).fields());
        assertTrue(review.writesNothing());
    }

    @Test
    void aRecordWaitingForAnOperatorIsWrittenNowhereAndKeepsItsBase() {
        TwoWayRules rules = rules("field-merge");
        Link link = link(rules);
        Chunk waiting = new Chunk(Map.of("1", link), Map.of(), rows("1", Edit.A.a), rows("10", BASE_B), Set.of(),
                Set.of(), Set.of(), Set.of(), Set.of("1"), null, COMPANY_LINKED);
        Plan plan = TwoWayPlanner.plan(rules, waiting);
        assertTrue(plan.writesNothing());
        assertEquals(ANN.get("name"), plan.conflicts().get(0).a().get("name"), "the review shows A's latest value");
        assertEquals(BASE, plan.links().get(0).base());
    }

    @Test
    void anOperatorsDecisionSettlesTheConflictAndLeavesOtherFieldsMerged() {
        TwoWayRules rules = rules("field-merge", "name: manual", "ignore", "ignore");
        Link link = link(rules);
        Row rowA = a("Ann", "111", "Active", EARLY);
        Row rowB = b("Bea", "222", 1, LATE); // the phone was edited meanwhile on B
        Chunk decided = new Chunk(Map.of("1", link), Map.of(), rows("1", rowA), rows("10", rowB), Set.of(), Set.of(),
                Set.of(), Set.of(), Set.of(), Map.of("name", "Bea"), COMPANY_LINKED);
        Plan plan = TwoWayPlanner.plan(rules, decided);
        assertEquals(canonical("Bea", "222", 1), after(rules, plan, Role.A, "1", rowA));
        assertEquals(Set.of("1"), plan.settled());

        TwoWayRules twoManual = rules("field-merge", "name: manual, phone: manual", "ignore", "ignore");
        Row phoneOnA = a("Ann", "333", "Active", EARLY);
        Chunk stillOpen = new Chunk(Map.of("1", link(twoManual)), Map.of(), rows("1", phoneOnA), rows("10", rowB),
                Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Map.of("name", "Bea"), COMPANY_LINKED);
        assertThrows(TwoWayPlanner.NotSettled.class, () -> TwoWayPlanner.plan(twoManual, stillOpen), "the phone conflicts too: not settled");
    }

    @Test
    void aDeleteOnEachSideFollowsThatSidesRule() {
        // deleted in A, rule delete: B's record is deleted and the link ends
        TwoWayRules rules = rules("field-merge", null, "delete", "soft");
        Plan goneInA = TwoWayPlanner.plan(rules, chunk(link(rules), null, BASE_B));
        assertEquals(Set.of("10"), goneInA.deletes(Role.B));
        assertEquals(Set.of("1"), goneInA.dropLinks());
        assertEquals(1, goneInA.deleted());
        // deleted in B, rule soft(status = 0): A's record is marked inactive, the link stays as a tombstone
        Plan goneInB = TwoWayPlanner.plan(rules, chunk(link(rules), BASE_A, null));
        assertEquals(canonical("Ada", "111", 0), after(rules, goneInB, Role.A, "1", BASE_A));
        assertEquals(Links.GONE, goneInB.links().get(0).bHash());
        assertTrue(goneInB.deletes(Role.A).isEmpty());
        // the tombstone is found again by the next look: nothing more happens
        Link tombstone = goneInB.links().get(0);
        Plan again = TwoWayPlanner.plan(rules, chunk(tombstone, a("Ada", "111", "Inactive", LATE), null));
        assertTrue(again.writesNothing());
        assertEquals(0, again.deleted());
        // deleted in A, rule ignore: B keeps its record, nothing is created again in A
        TwoWayRules ignoring = rules("field-merge");
        Plan ignored = TwoWayPlanner.plan(ignoring, chunk(link(ignoring), null, BASE_B));
        assertTrue(ignored.writesNothing());
        assertEquals(Links.GONE, ignored.links().get(0).aHash());
        // both gone: the link is dropped
        assertEquals(Set.of("1"), TwoWayPlanner.plan(rules, chunk(link(rules), null, null)).dropLinks());
    }

    @Test
    void recordsCreatedOnBothSidesWithTheSameNaturalKeyAreLinkedNotCopied() {
        TwoWayRules rules = rules("field-merge");
        Map<String, Row> rowsA = new HashMap<>(Map.of("1", a("ADA@example.com ", "Ada", "111", "Active", EARLY),
                "2", a("bob@example.com", "Bob", "555", "Active", EARLY)));
        Map<String, Row> rowsB = new HashMap<>(Map.of("10", b("ada@example.com", "Ada Lovelace", "111", 1, LATE)));
        Chunk chunk = new Chunk(Map.of(), Map.of(), rowsA, rowsB, Set.of("1", "2"), Set.of(), Set.of(), Set.of("10"),
                Set.of(), null, COMPANY_LINKED);
        Plan plan = TwoWayPlanner.plan(rules, chunk);
        assertEquals(List.of("2"), plan.creates(Role.B).stream().map(Plan.Create::sourceId).toList(), "only Bob is new to B");
        assertTrue(plan.creates(Role.A).isEmpty());
        Link matched = plan.links().get(0);
        assertEquals(List.of("1", "10"), List.of(matched.aId(), matched.bId()), "Ada is linked by her email");
        assertEquals("Ada Lovelace", after(rules, plan, Role.A, "1", rowsA.get("1")).get("name"), "then merged: B's later name");
        Plan.Create bob = plan.creates(Role.B).get(0);
        assertEquals(bob.sourceHash(), Mapping.hash(rules.read(Role.A, rowsA.get("2").values())));
        assertEquals(70, ((Number) bob.values()[4]).intValue(), "Bob's company written as its B id");
        assertEquals(bob.twinHash(), bob.sourceHash(), "the twin reads back as the record it copies");
    }

    @Test
    void aChildWhoseParentIsNotLinkedIsParkedNotWritten() {
        TwoWayRules rules = rules("field-merge");
        Map<String, Map<String, String>> noParent = Map.of("company", Map.of());
        Chunk chunk = new Chunk(Map.of(), Map.of(), rows("2", a("bob@example.com", "Bob", "555", "Active", EARLY)),
                Map.of(), Set.of("2"), Set.of(), Set.of(), Set.of(), Set.of(), null, noParent);
        Plan plan = TwoWayPlanner.plan(rules, chunk);
        assertTrue(plan.writesNothing());
        assertEquals(Map.of("a2", "companies"), plan.parked());
        assertTrue(plan.done().isEmpty());
    }

    @Test
    void aValueTheMappingRefusesIsADeadLetterOfItsSideAndTheRestIsPlanned() {
        TwoWayRules rules = rules("field-merge");
        Link link = link(rules);
        Link other = new Link("2", "20", link.base(), link.aHash(), link.bHash());
        Map<String, Row> rowsA = new HashMap<>(Map.of("1", BASE_A, "2", BASE_A));
        Map<String, Row> rowsB = new HashMap<>(Map.of("10", b(" ", "Ada", "111", 1, LATE), "20", b("Ada", "222", 1, LATE)));
        Plan plan = TwoWayPlanner.plan(rules, new Chunk(Map.of("1", link, "2", other), Map.of(), rowsA, rowsB, Set.of(), Set.of(),
                Set.of(), Set.of(), Set.of(), null, COMPANY_LINKED));
        assertEquals(1, plan.deadLetters().size());
        assertEquals(Role.B, plan.deadLetters().get(0).side(), "the empty required email is B's");
        assertEquals("10", plan.deadLetters().get(0).id());
        assertEquals(Set.of("2"), plan.updates(Role.A).keySet(), "the other record is applied");
    }

    @Test
    void anInterruptedWindowIsFinishedOnTheSideItDidNotReach() {
        TwoWayRules rules = rules("field-merge");
        Link link = link(rules);
        // the window wrote Ann to B (it committed) and was stopped before A committed
        String annHash = Mapping.hash(ANN);
        Link intent = new Link("1", "10", ANN, annHash, annHash);
        Row bHoldsAnn = b("Ann", "111", 1, LATE);
        Chunk chunk = new Chunk(Map.of("1", link), Map.of("1", intent), rows("1", BASE_A), rows("10", bHoldsAnn),
                Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), null, COMPANY_LINKED);
        Plan plan = TwoWayPlanner.plan(rules, chunk);
        assertEquals(ANN, after(rules, plan, Role.A, "1", BASE_A), "A is written what the window meant to write");
        assertTrue(plan.updates(Role.B).isEmpty());
        assertEquals(ANN, plan.links().get(0).base());
        // A held the result already (the window did not write it), B's write never committed, and B's phone was edited while
        // the server was down: A's hash proves nothing, so both edits are merged against the older base
        Link untouched = new Link("1", "10", ANN, Links.intended(annHash, false), annHash);
        Row aHoldsAnn = a("Ann", "111", "Active", EARLY);
        Row bEdited = b("Ada", "222", 1, LATE);
        Plan redone = TwoWayPlanner.plan(rules, new Chunk(Map.of("1", link), Map.of("1", untouched), rows("1", aHoldsAnn),
                rows("10", bEdited), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), null, COMPANY_LINKED));
        assertEquals(MERGED, after(rules, redone, Role.B, "10", bEdited), "A's name is not lost");
        assertEquals(MERGED, after(rules, redone, Role.A, "1", aHoldsAnn));
    }

    @Test
    void aWindowStoppedBetweenTheSidesCommitsIsFinishedWithoutLosingAnEditMadeSince() {
        TwoWayRules rules = rules("field-merge");
        Link link = link(rules);
        // A's user renamed Ada to Ann and B's user changed the phone; the window wrote Ann to B and 222 to A, B committed,
        // A did not; then A's user made the person inactive
        Map<String, Object> intended = canonical("Ann", "222", 1);
        Link intent = new Link("1", "10", intended, Mapping.hash(intended), Mapping.hash(intended));
        Row aEditedSince = a("Ann", "111", "Inactive", LATE);
        Row bCommitted = b("Ann", "222", 1, LATE);
        Plan plan = TwoWayPlanner.plan(rules, new Chunk(Map.of("1", link), Map.of("1", intent), rows("1", aEditedSince),
                rows("10", bCommitted), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), null, COMPANY_LINKED));
        Map<String, Object> expected = canonical("Ann", "222", 0);
        assertEquals(expected, after(rules, plan, Role.A, "1", aEditedSince), "A gets B's phone, which its write missed, and keeps its own edit");
        assertEquals(expected, after(rules, plan, Role.B, "10", bCommitted), "B gets A's later edit, and keeps its phone");
        assertEquals(expected, plan.links().get(0).base());
    }

    @Test
    void aCreateThatNeverCommittedIsCreatedAgain() {
        TwoWayRules rules = rules("field-merge");
        Link link = link(rules);
        Link creating = new Link("1", "10", link.base(), link.aHash(), Links.CREATING + link.bHash());
        Plan plan = TwoWayPlanner.plan(rules, chunk(creating, BASE_A, null));
        assertEquals(List.of("1"), plan.creates(Role.B).stream().map(Plan.Create::sourceId).toList());
        assertEquals(0, plan.deleted(), "a missing record being created is not a delete");
        Plan committed = TwoWayPlanner.plan(rules, chunk(creating, BASE_A, BASE_B));
        assertTrue(committed.writesNothing());
        assertEquals(link.bHash(), committed.links().get(0).bHash(), "the insert had committed: the link loses its mark");
    }

    /**
     * A record another pair wrote into side A (a shared table): its marker is the time of Syncline's write (LATE), its origin
     * the time of the user's edit it carries (EARLY). Side B's user edited later than that edit, earlier than the write:
     * last-writer-wins takes B, as the users' edits say, and the write to A carries B's time.
     */
    @Test
    void lastWriterWinsComparesTheOriginOfARelayedValueNotTheMarkerOfSynclinesWrite() {
        TwoWayRules rules = rules("last-writer-wins");
        Link link = link(rules);
        Row relayedOnA = a("Ada", "222 relayed", "Active", LATE);
        Row editedOnB = b("Ada", "333 user", 1, EARLY.plusSeconds(2));
        java.time.Instant origin = EARLY.toInstant(java.time.ZoneOffset.UTC);
        Plan plan = TwoWayPlanner.plan(rules, chunk(link, relayedOnA, editedOnB, origin));
        assertEquals("333 user", after(rules, plan, Role.A, "1", relayedOnA).get("phone"), "the later user's edit wins");
        assertEquals(EARLY.plusSeconds(2).toInstant(java.time.ZoneOffset.UTC), plan.origins().get(Role.A).get("1"),
                "the write carries the time of B's edit, for the next pair");
        assertEquals(1, plan.relayed().get(Role.A), "A's change came through another pair");
        assertEquals(1, plan.changes().get(Role.B));
        assertEquals(0, plan.relayed().get(Role.B));

        // without the origin, the marker of Syncline's write (LATE) would beat B's edit
        Plan byMarker = TwoWayPlanner.plan(rules, chunk(link, relayedOnA, editedOnB));
        assertEquals("222 relayed", after(rules, byMarker, Role.B, "10", editedOnB).get("phone"));
    }

    /** Both sides changed different fields: the merged values carry the later of the two edits. */
    @Test
    void mergedValuesCarryTheLaterEdit() {
        TwoWayRules rules = rules("field-merge");
        Link link = link(rules);
        Row phoneOnA = a("Ada", "444", "Active", LATE);
        Row nameOnB = b("Ada B.", "111", 1, EARLY.plusSeconds(1));
        Plan plan = TwoWayPlanner.plan(rules, chunk(link, phoneOnA, nameOnB));
        assertEquals(LATE.toInstant(java.time.ZoneOffset.UTC), plan.origins().get(Role.A).get("1"), "A holds its own later edit too");
        assertEquals(LATE.toInstant(java.time.ZoneOffset.UTC), plan.origins().get(Role.B).get("10"));
    }

    /**
     * The help desk's user sets a status the CRM cannot hold: the dead letter is the help desk's record (the one whose value
     * is refused), so that it is cleared when that record holds what the link holds again.
     */
    @Test
    void aValueTheOtherSideCannotHoldMakesADeadLetterOfTheRecordThatBroughtIt() {
        TwoWayRules rules = rules("last-writer-wins");
        Plan plan = TwoWayPlanner.plan(rules, chunk(link(rules), BASE_A, b("Ada", "111", 7, LATE)));
        assertEquals(1, plan.deadLetters().size());
        assertEquals(Role.B, plan.deadLetters().get(0).side());
        assertEquals("10", plan.deadLetters().get(0).id());
        assertTrue(plan.writesNothing());
        assertEquals(0, plan.changes().get(Role.B), "counted once it is applied");
    }

    /**
     * The CRM record is gone and its twin in the help desk cannot be read (its required email was emptied): the twin is a
     * dead letter, and not among the records the plan has done, whose dead letters the chunk's state commit clears.
     */
    @Test
    void aSurvivorTheMappingRefusesStaysADeadLetterWhenItsTwinIsDeleted() {
        TwoWayRules rules = rules("last-writer-wins");
        Plan plan = TwoWayPlanner.plan(rules, chunk(link(rules), null, b(null, "Ada", "111", 1, LATE)));
        assertEquals(1, plan.deadLetters().size());
        assertEquals("10", plan.deadLetters().get(0).id());
        assertTrue(!plan.done().contains(Role.B.key() + "10"), "not done: " + plan.done());
    }
}
