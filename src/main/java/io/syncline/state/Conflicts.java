package io.syncline.state;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Conflicts left to an operator (policy or field rule {@code manual}): the link's base and both
 * sides' values. While a link has a conflict, nothing is written to either side for it; other
 * records keep syncing.
 */
@ApplicationScoped
public class Conflicts {

    private static final List<String> COLUMNS = List.of("pair", "a_id", "b_id", "fields", "base", "a_values", "b_values", "detected_at",
            "updated_at");

    @Inject
    SyncState state;

    public record Conflict(String pair, String aId, String bId, List<String> fields, Map<String, Object> base, Map<String, Object> a,
            Map<String, Object> b, Instant detectedAt, Instant updatedAt) {
    }

    /** Stores a new conflict or refreshes one with the sides' latest values, inside the caller's transaction. */
    public void save(Connection c, Conflict conflict) throws SQLException {
        Optional<Conflict> known = find(c, conflict.pair(), conflict.aId());
        long now = System.currentTimeMillis();
        long detected = known.map(k -> k.detectedAt().toEpochMilli()).orElse(now);
        try (PreparedStatement ps = c.prepareStatement(state.ownTables().upsert("conflicts", COLUMNS, List.of("pair", "a_id"), 1))) {
            ps.setString(1, conflict.pair());
            ps.setString(2, conflict.aId());
            ps.setString(3, conflict.bId());
            List<String> fields = conflict.fields().isEmpty() && known.isPresent() ? known.get().fields() : conflict.fields();
            ps.setString(4, String.join(",", fields));
            ps.setString(5, CanonicalJson.write(conflict.base()));
            ps.setString(6, CanonicalJson.write(conflict.a()));
            ps.setString(7, CanonicalJson.write(conflict.b()));
            ps.setLong(8, detected);
            ps.setLong(9, now);
            ps.executeUpdate();
        }
    }

    public void delete(Connection c, String pair, String aId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM conflicts WHERE pair = ? AND a_id = ?")) {
            ps.setString(1, pair);
            ps.setString(2, aId);
            ps.executeUpdate();
        }
    }

    /** Which of these A ids have an open conflict. */
    public Set<String> open(String pair, Collection<String> aIds) {
        Set<String> open = new HashSet<>();
        if (count(pair) == 0) {
            return open; // the usual case: no per-batch query
        }
        for (List<String> chunk : InLists.chunks(aIds, state.ownTables().idsPerQuery())) {
            try (Connection c = state.connect();
                    PreparedStatement ps = c.prepareStatement("SELECT a_id FROM conflicts WHERE pair = ? AND a_id IN (" + InLists.marks(chunk.size()) + ")")) {
                ps.setString(1, pair);
                int i = 2;
                for (String id : chunk) {
                    ps.setString(i++, id);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        open.add(rs.getString(1));
                    }
                }
            } catch (SQLException e) {
                throw SyncState.failure("read the conflicts of pair '" + pair + "'", e);
            }
        }
        return open;
    }

    public List<Conflict> list(String pair, int limit) {
        List<Conflict> conflicts = new ArrayList<>();
        try (Connection c = state.connect();
                PreparedStatement ps = c.prepareStatement("SELECT " + String.join(", ", COLUMNS) + " FROM conflicts WHERE pair = ? ORDER BY detected_at, a_id")) {
            ps.setString(1, pair);
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    conflicts.add(read(rs));
                }
            }
            return conflicts;
        } catch (SQLException e) {
            throw SyncState.failure("read the conflicts of pair '" + pair + "'", e);
        }
    }

    public Optional<Conflict> find(String pair, String aId) {
        try (Connection c = state.connect()) {
            return find(c, pair, aId);
        } catch (SQLException e) {
            throw SyncState.failure("read a conflict of pair '" + pair + "'", e);
        }
    }

    private Optional<Conflict> find(Connection c, String pair, String aId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + String.join(", ", COLUMNS) + " FROM conflicts WHERE pair = ? AND a_id = ?")) {
            ps.setString(1, pair);
            ps.setString(2, aId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public long count(String pair) {
        try (Connection c = state.connect(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM conflicts WHERE pair = ?")) {
            ps.setString(1, pair);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw SyncState.failure("count the conflicts of pair '" + pair + "'", e);
        }
    }

    private static Conflict read(ResultSet rs) throws SQLException {
        return new Conflict(rs.getString(1), rs.getString(2), rs.getString(3), Arrays.asList(rs.getString(4).split(",")),
                CanonicalJson.read(rs.getString(5)), CanonicalJson.read(rs.getString(6)), CanonicalJson.read(rs.getString(7)),
                Instant.ofEpochMilli(rs.getLong(8)), Instant.ofEpochMilli(rs.getLong(9)));
    }
}
