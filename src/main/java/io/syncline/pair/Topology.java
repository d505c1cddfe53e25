package io.syncline.pair;

import io.syncline.conflict.Policy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How the pairs join systems: the tables ({@code system.table}) that more than one pair syncs (the hub of a star,
 * the middle of a chain) and the cycles of pairs through them (a triangle). A change written into a shared table
 * by one pair is a change for the others; {@link io.syncline.state.Origins} keeps where it came from. Start-up tells
 * what it sees, and warns of a cycle whose policies could disagree: around a cycle, a rule that lets one system
 * win (a-wins, b-wins) or waits for an operator (manual) may decide differently on each pair, while last-writer-wins
 * compares the users' edits the same way everywhere.
 *
 * @param pairsByTable each table that more than one pair syncs -> those pairs
 * @param cycles       each cycle of pairs, as the pairs in order
 */
public record Topology(Map<String, List<String>> pairsByTable, List<List<String>> cycles) {

    /** A pair as the topology sees it: the tables ({@code system.table}) it joins. */
    public record Edge(String pair, String from, String to) {
    }

    public static Topology of(Collection<Pair> pairs) {
        return of(pairs.stream().map(p -> new Edge(p.name(), p.declaredSource(), p.declaredTarget())).toList());
    }

    public static Topology of(List<Edge> pairs) {
        Map<String, List<String>> byTable = new TreeMap<>();
        List<Edge> edges = new ArrayList<>();
        for (Edge pair : pairs) {
            String from = key(pair.from());
            String to = key(pair.to());
            if (from == null || to == null) {
                continue; // a side the pair file does not name; nothing to join
            }
            byTable.computeIfAbsent(from, t -> new ArrayList<>()).add(pair.pair());
            byTable.computeIfAbsent(to, t -> new ArrayList<>()).add(pair.pair());
            edges.add(new Edge(pair.pair(), from, to));
        }
        byTable.values().removeIf(names -> names.size() < 2);
        return new Topology(Map.copyOf(byTable), cycles(edges));
    }

    /** A table as the topology and the state store's origins know it: {@code system.table}, trimmed, lower case. */
    public static String key(String reference) {
        return reference == null || reference.isBlank() ? null : reference.trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** One cycle for each pair that joins two tables already joined by others (a cycle basis). */
    private static List<List<String>> cycles(List<Edge> edges) {
        Map<String, List<Edge>> tree = new HashMap<>();
        List<List<String>> cycles = new ArrayList<>();
        for (Edge edge : edges) {
            List<String> path = path(tree, edge.from(), edge.to());
            if (path != null) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(edge.pair());
                cycles.add(cycle);
            } else {
                tree.computeIfAbsent(edge.from(), t -> new ArrayList<>()).add(edge);
                tree.computeIfAbsent(edge.to(), t -> new ArrayList<>()).add(edge);
            }
        }
        return cycles;
    }

    /** The pairs on the way from one table to another through the pairs seen so far, or null when there is none. */
    private static List<String> path(Map<String, List<Edge>> tree, String from, String to) {
        if (from.equals(to)) {
            return List.of();
        }
        Map<String, Edge> cameBy = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(from));
        Set<String> seen = new TreeSet<>(List.of(from));
        while (!queue.isEmpty()) {
            String table = queue.poll();
            for (Edge edge : tree.getOrDefault(table, List.of())) {
                String next = edge.from().equals(table) ? edge.to() : edge.from();
                if (seen.add(next)) {
                    cameBy.put(next, edge);
                    if (next.equals(to)) {
                        List<String> pairs = new ArrayList<>();
                        for (String at = to; !at.equals(from); ) {
                            Edge by = cameBy.get(at);
                            pairs.add(0, by.pair());
                            at = by.from().equals(at) ? by.to() : by.from();
                        }
                        return pairs;
                    }
                    queue.add(next);
                }
            }
        }
        return null;
    }

    /** True when more than one pair syncs the table ({@code system.table}). */
    public boolean shared(String reference) {
        return reference != null && pairsByTable.containsKey(key(reference));
    }

    /** What start-up tells: the shared tables and the cycles. */
    public List<String> description() {
        List<String> lines = new ArrayList<>();
        pairsByTable.forEach((table, names) -> lines.add(table + " is synced by " + names.size() + " pairs " + names
                + ": a change one of them writes there is a change for the others (each system is written once per change)"));
        cycles.forEach(cycle -> lines.add("pairs " + cycle + " form a cycle: a change goes round it both ways and is written once"));
        return lines;
    }

    /** A warning for each cycle whose pairs' policies could decide the same conflict differently; {@code pairs}: those ready. */
    public List<String> warnings(Map<String, Pair> pairs) {
        Map<String, Policy> twoWay = new HashMap<>();
        Set<String> oneWay = new TreeSet<>();
        pairs.forEach((name, pair) -> {
            if (pair.isTwoWay()) {
                twoWay.put(name, pair.rules().policy());
            } else {
                oneWay.add(name);
            }
        });
        return warnings(twoWay, oneWay);
    }

    /**
     * @param twoWay the two-way pairs that are ready, with their policies
     * @param oneWay the one-way pairs that are ready; a pair in neither waits for its systems and is checked once it starts
     */
    public List<String> warnings(Map<String, Policy> twoWay, Set<String> oneWay) {
        List<String> warnings = new ArrayList<>();
        for (List<String> cycle : cycles) {
            List<String> policies = new ArrayList<>();
            boolean mayDisagree = false;
            for (String name : cycle) {
                Policy policy = twoWay.get(name);
                if (oneWay.contains(name)) {
                    mayDisagree = true; // a one-way pair overwrites whatever the cycle decided
                    policies.add(name + ": one way");
                } else if (policy == null) {
                    policies.add(name + ": waiting for its systems");
                } else {
                    policies.add(name + ": " + policy);
                    mayDisagree |= !onlyLastWriterWins(policy);
                }
            }
            if (mayDisagree) {
                warnings.add("pairs " + cycle + " form a cycle whose policies could disagree (" + String.join("; ", policies)
                        + "): a conflict met on two of them may be decided differently and go round the cycle; use last-writer-wins on"
                        + " every pair of a cycle, or break the cycle");
            }
        }
        return warnings;
    }

    private static boolean onlyLastWriterWins(Policy policy) {
        boolean record = policy.record() == Policy.Rule.LAST_WRITER_WINS
                || policy.record() == Policy.Rule.FIELD_MERGE && policy.fallback() == Policy.Rule.LAST_WRITER_WINS;
        return record && policy.fields().values().stream().allMatch(r -> r == Policy.Rule.LAST_WRITER_WINS);
    }
}
