package io.syncline.write;

import io.syncline.value.Values;
import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.pair.Side;
import io.syncline.state.Links;
import io.syncline.state.References;
import io.syncline.system.Row;
import io.syncline.system.Table;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the two-way writer reads and writes the sides: the current rows of a chunk's records, locked
 * until its transaction ends, with references translated; the unlinked twins of new records, by
 * natural key; and a plan's updates, inserts and deletes.
 */
@ApplicationScoped
class SideRows {

    /** Ids per IN (...) list. */
    private static final int CHUNK = 1000;

    @Inject
    Links links;

    @Inject
    References references;

    /** Reads and locks the rows of these ids, with the columns the mapping reads and the change marker; gone ids are missing. */
    Map<String, Row> lockRead(Pair pair, Connection c, Role role, Set<String> ids) throws SQLException {
        Side side = pair.side(role);
        return lockRead(pair, c, side, side.system().dialect().quote(side.key().name()), ids, true);
    }

    /**
     * Reads and locks the rows whose {@code where} expression is one of {@code values}: record ids
     * (bound as the key column's type) or text.
     */
    private Map<String, Row> lockRead(Pair pair, Connection c, Side side, String where, Set<String> values, boolean ids) throws SQLException {
        Map<String, Row> rows = new HashMap<>();
        if (values.isEmpty()) {
            return rows;
        }
        var dialect = side.system().dialect();
        List<String> columns = new ArrayList<>(side.columns());
        List<Table.Column> types = new ArrayList<>(columns.stream().map(side::column).toList());
        types.add(side.key());
        types.add(side.cursor());
        String select = "SELECT " + types.stream().map(t -> dialect.quote(t.name())).collect(Collectors.joining(", ")) + " FROM "
                + side.quotedTable() + " WHERE " + where + " IN (";
        List<String> all = new ArrayList<>(values);
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
            String sql = select + chunk.stream().map(x -> "?").collect(Collectors.joining(", ")) + ") FOR UPDATE";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                for (String value : chunk) {
                    if (ids) {
                        side.key().bindId(ps, i++, value);
                    } else {
                        ps.setString(i++, value);
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> row = new HashMap<>(columns.size() * 2);
                        for (int col = 0; col < columns.size(); col++) {
                            row.put(columns.get(col), types.get(col).read(rs, col + 1));
                        }
                        String id = String.valueOf(Values.canonical(rs.getObject(columns.size() + 1)));
                        rows.put(id, new Row(row, types.get(columns.size() + 1).read(rs, columns.size() + 2)));
                    }
                }
            }
        }
        if (side == pair.side("b") && !pair.references().isEmpty()) {
            references.readB(pair, rows.values().stream().map(Row::values).toList());
        }
        return rows;
    }

    /**
     * The records of {@code side} without a link whose natural key is one of {@code keys} (trimmed,
     * lower case), read and locked: the twins that new records of the other side may have.
     */
    Map<String, Row> unlinkedByKey(Pair pair, Connection c, Role side, Set<String> keys) throws SQLException {
        if (keys.isEmpty()) {
            return Map.of();
        }
        Side s = pair.side(side);
        String column = s.system().dialect().quote(s.column(pair.matchColumn(side.key())).name());
        Map<String, Row> candidates = lockRead(pair, c, s, "LOWER(TRIM(" + column + "))", keys, false);
        candidates.keySet().removeAll(links.find(pair.name(), side, candidates.keySet()).keySet());
        return candidates;
    }

    /**
     * Carries out a plan's updates, inserts and deletes on one side, inside the caller's
     * transaction; returns the ids the inserts generated, in the order of the plan's creates.
     */
    List<String> write(Connection c, Pair pair, Role role, Plan plan) throws SQLException {
        Side side = pair.side(role);
        List<Table.Column> columns = pair.rules().written(role);
        var dialect = side.system().dialect();
        String table = side.quotedTable();
        String key = dialect.quote(side.key().name());
        Table.Column stamp = side.stamp();
        Map<String, Object[]> updates = plan.updates(role);
        if (!updates.isEmpty()) {
            String set = columns.stream().map(col -> dialect.quote(col.name()) + " = ?").collect(Collectors.joining(", "))
                    + (stamp == null ? "" : ", " + dialect.quote(stamp.name()) + " = " + dialect.stamp(stamp, false));
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET " + set + " WHERE " + key + " = ?")) {
                for (Map.Entry<String, Object[]> update : updates.entrySet()) {
                    int i = bind(ps, update.getValue(), columns);
                    side.key().bindId(ps, i, update.getKey());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        List<String> created = new ArrayList<>();
        if (!plan.creates(role).isEmpty()) {
            String cols = columns.stream().map(col -> dialect.quote(col.name())).collect(Collectors.joining(", "))
                    + (stamp == null ? "" : ", " + dialect.quote(stamp.name()));
            String marks = columns.stream().map(col -> "?").collect(Collectors.joining(", ")) + (stamp == null ? "" : ", " + dialect.stamp(stamp, true));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ")",
                    new String[] {side.key().name()})) {
                for (Plan.Create create : plan.creates(role)) {
                    bind(ps, create.values(), columns);
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        if (!keys.next()) {
                            throw new SQLException(side.reference() + " returned no generated " + side.key().name()
                                    + "; a two-way pair creates records and needs a generated id column", "42000");
                        }
                        created.add(String.valueOf(Values.canonical(keys.getObject(1))));
                    }
                }
            }
        }
        if (!plan.deletes(role).isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE " + key + " = ?")) {
                for (String id : plan.deletes(role)) {
                    side.key().bindId(ps, 1, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        return created;
    }

    private static int bind(PreparedStatement ps, Object[] values, List<Table.Column> types) throws SQLException {
        int i = 1;
        for (int col = 0; col < values.length; col++) {
            if (values[col] == null) {
                ps.setNull(i++, types.get(col).jdbcType());
            } else {
                ps.setObject(i++, values[col]);
            }
        }
        return i;
    }
}
