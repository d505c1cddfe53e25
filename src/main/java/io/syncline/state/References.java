package io.syncline.state;

import io.syncline.value.Values;
import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Relationships between two-way pairs ({@code ref(parent)} in a mapping): a reference's canonical
 * value is the parent's id on side A, translated through the parent pair's links to and from
 * side B's id. A record whose parent has no link yet is parked until it has.
 */
@ApplicationScoped
public class References {

    @Inject
    SyncState state;

    @Inject
    Links links;

    /** A side-B reference whose parent has no link yet: it cannot be read as a side-A id. */
    public record Unlinked(String parent, String bId) {
        @Override
        public String toString() {
            return "(" + parent + " " + bId + " not linked yet)";
        }
    }

    /** In side-B rows, replaces each reference column's B id by the parent's A id, or by {@link Unlinked}. */
    public void readB(Pair pair, Collection<Map<String, Object>> rows) {
        for (Pair.Reference ref : pair.references()) {
            Set<String> ids = new HashSet<>();
            rows.forEach(row -> {
                Object v = row.get(ref.bColumn());
                if (v != null) {
                    ids.add(String.valueOf(Values.canonical(v)));
                }
            });
            Map<String, String> toA = new HashMap<>();
            links.find(ref.parent(), Role.B, ids).forEach((bId, link) -> toA.put(bId, link.aId()));
            translate(ref, rows, toA);
        }
    }

    /** As {@link #readB(Pair, Collection)}, with every link of each parent pair given ({@link #allBtoA}). */
    public static void readB(Pair pair, Collection<Map<String, Object>> rows, Map<String, Map<String, String>> bToAByParent) {
        for (Pair.Reference ref : pair.references()) {
            translate(ref, rows, bToAByParent.get(ref.parent()));
        }
    }

    private static void translate(Pair.Reference ref, Collection<Map<String, Object>> rows, Map<String, String> toA) {
        for (Map<String, Object> row : rows) {
            Object v = row.get(ref.bColumn());
            if (v != null) {
                String bId = String.valueOf(Values.canonical(v));
                String aId = toA.get(bId);
                row.put(ref.bColumn(), aId != null ? aId : new Unlinked(ref.parent(), bId));
            }
        }
    }

    /** Every B id -> A id of each parent pair this pair references: for reading a whole side. */
    public Map<String, Map<String, String>> allBtoA(Pair pair) {
        Map<String, Map<String, String>> all = new HashMap<>();
        for (Pair.Reference ref : pair.references()) {
            all.computeIfAbsent(ref.parent(), parent -> {
                Map<String, String> map = new HashMap<>();
                links.keys(parent).forEach(k -> map.put(k.bId(), k.aId()));
                return map;
            });
        }
        return all;
    }

    /** The parent pair's B ids of these A ids (those without a link are absent). */
    public Map<String, String> bIds(String parent, Collection<String> aIds) {
        Map<String, String> toB = new HashMap<>();
        links.find(parent, Role.A, aIds).forEach((aId, link) -> toB.put(aId, link.bId()));
        return toB;
    }

    // parking

    /** Records parked, inside the caller's state transaction; {@code done} are records applied without parking. */
    public void park(Connection c, String pair, Map<String, String> parkedBySideId, Collection<String> done) throws SQLException {
        if (!done.isEmpty() && anyParked(c, pair)) { // the usual case: nothing parked, no delete per record handled
            unpark(c, pair, done);
        }
        if (parkedBySideId.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(state.ownTables().upsert("parked",
                List.of("pair", "side", "record_id", "parent_pair", "parked_at"), List.of("pair", "side", "record_id"), 1))) {
            long now = System.currentTimeMillis();
            for (Map.Entry<String, String> p : parkedBySideId.entrySet()) {
                insert.setString(1, pair);
                insert.setString(2, p.getKey().substring(0, 1));
                insert.setString(3, p.getKey().substring(1));
                insert.setString(4, p.getValue());
                insert.setLong(5, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static boolean anyParked(Connection c, String pair) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM parked WHERE pair = ?")) {
            ps.setString(1, pair);
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void unpark(Connection c, String pair, Collection<String> sideIds) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM parked WHERE pair = ? AND side = ? AND record_id = ?")) {
            for (String sideId : sideIds) {
                delete.setString(1, pair);
                delete.setString(2, sideId.substring(0, 1));
                delete.setString(3, sideId.substring(1));
                delete.addBatch();
            }
            delete.executeBatch();
        }
    }

    /** A record no longer tried with every window (an operator discarded its dead letter). */
    public void unpark(String pair, String side, String recordId) {
        try (Connection c = state.connect()) {
            park(c, pair, Map.of(), List.of(side + recordId));
        } catch (SQLException e) {
            throw SyncState.failure("unpark a record of pair '" + pair + "'", e);
        }
    }

    /** The parked records of a pair, as side ("a"/"b") -> ids. */
    public Map<String, Set<String>> parked(String pair) {
        return query("SELECT side, record_id, pair FROM parked WHERE pair = ?", pair).getOrDefault(pair, Map.of());
    }

    /** The records parked for want of a record of {@code parent}: child pair -> side -> ids. */
    public Map<String, Map<String, Set<String>>> waitingFor(String parent) {
        return query("SELECT side, record_id, pair FROM parked WHERE parent_pair = ?", parent);
    }

    public long parkedCount(String pair) {
        return parked(pair).values().stream().mapToLong(Set::size).sum();
    }

    private Map<String, Map<String, Set<String>>> query(String sql, String parameter) {
        Map<String, Map<String, Set<String>>> found = new HashMap<>();
        try (Connection c = state.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.computeIfAbsent(rs.getString(3), p -> new HashMap<>()).computeIfAbsent(rs.getString(1), s -> new HashSet<>())
                            .add(rs.getString(2));
                }
            }
            return found;
        } catch (SQLException e) {
            throw SyncState.failure("read the parked records", e);
        }
    }
}
