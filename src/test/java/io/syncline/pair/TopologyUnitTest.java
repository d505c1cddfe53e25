package io.syncline.pair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncline.conflict.Policy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What start-up tells of the pairs: the tables several pairs sync, the cycles, and cycles whose policies could disagree. */
class TopologyUnitTest {

    private static final Set<String> FIELDS = Set.of("phone", "status");
    private static final Policy LWW = Policy.parse("last-writer-wins", "last-writer-wins", null, FIELDS);
    private static final Policy MERGE_LWW = Policy.parse("field-merge", "last-writer-wins", null, FIELDS);

    private static final List<Topology.Edge> TRIANGLE = List.of(new Topology.Edge("ab", "crm.people", "helpdesk.users"),
            new Topology.Edge("bc", "helpdesk.users", "billing.payers"), new Topology.Edge("ca", "Billing.Payers", "crm.people"));

    @Test
    void aStarSharesItsHubAndHasNoCycle() {
        Topology star = Topology.of(List.of(new Topology.Edge("h", "crm.people", "helpdesk.users"),
                new Topology.Edge("b", "crm.people", "billing.payers"), new Topology.Edge("m", "crm.people", "marketing.subscribers")));
        assertEquals(Map.of("crm.people", List.of("h", "b", "m")), star.pairsByTable());
        assertEquals(List.of(), star.cycles());
        assertTrue(star.shared("CRM.people"), "a table however the pair file spells it");
        assertTrue(!star.shared("helpdesk.users"));
    }

    @Test
    void aTriangleIsOneCycleOfItsThreePairs() {
        Topology triangle = Topology.of(TRIANGLE);
        assertEquals(1, triangle.cycles().size());
        assertEquals(Set.of("ab", "bc", "ca"), Set.copyOf(triangle.cycles().get(0)));
        assertEquals(3, triangle.pairsByTable().size(), "each corner is shared by two pairs");
    }

    @Test
    void aCycleWhosePoliciesCouldDisagreeIsWarnedOf() {
        Topology triangle = Topology.of(TRIANGLE);
        assertEquals(List.of(), triangle.warnings(Map.of("ab", LWW, "bc", MERGE_LWW, "ca", LWW), Set.of()),
                "last-writer-wins on every pair compares the same edits the same way");
        Policy aWins = Policy.parse("a-wins", "last-writer-wins", null, FIELDS);
        List<String> warnings = triangle.warnings(Map.of("ab", aWins, "bc", LWW, "ca", LWW), Set.of());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("ab: a-wins"), warnings.get(0));
        Policy phoneWins = Policy.parse("field-merge", "last-writer-wins", "phone: b-wins", FIELDS);
        assertEquals(1, triangle.warnings(Map.of("ab", LWW, "bc", phoneWins, "ca", LWW), Set.of()).size(), "a field rule too");
        assertEquals(1, triangle.warnings(Map.of("ab", LWW, "bc", LWW), Set.of("ca")).size(), "a one-way pair in the cycle");
        assertEquals(List.of(), triangle.warnings(Map.of("ab", LWW, "bc", LWW), Set.of()), "a pair that waits is checked once it starts");
    }
}
