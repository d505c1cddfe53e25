package io.syncline.write;

import io.syncline.mapping.RecordException;
import io.syncline.mapping.TwoWayMapping;
import io.syncline.mapping.Values;
import io.syncline.pair.Pair;
import io.syncline.pair.Side;
import io.syncline.state.Links;
import io.syncline.state.Links.Link;
import io.syncline.state.References;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the two-way writer reads the sides: the current rows of a chunk's records, locked until its
 * transaction ends, with references translated; and the unlinked twins of new records, by natural key.
 */
@ApplicationScoped
class SideRows {

    /** Ids per IN (...) list. */
    private static final int CHUNK = 1000;

    @Inject
    Links links;

    @Inject
    References references;

    /** The current rows of one side, by id, with the change marker; null values for ids that are gone. */
    record Row(Map<String, Object> values, Object cursor) {
    }

    /** Reads and locks the rows of these ids, with the columns the mapping reads and the change marker. */
    Map<String, Row> lockRead(Pair pair, Connection c, Side side, Set<String> ids) throws SQLException {
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
     * Links new records of {@code side} to records of the other side that have the same natural
     * key and no link yet, instead of creating twins: records created on both sides, or a replay
     * after a crash between a create and its link.
     */
    void matchNew(Pair pair, String side, Set<String> newIds, Map<String, Row> rows, Connection otherConnection,
            Map<String, Row> otherRows, Map<String, Link> involved) throws SQLException {
        String other = "a".equals(side) ? "b" : "a";
        Map<String, String> byKey = new HashMap<>();
        for (String id : newIds) {
            Row row = rows.get(id);
            String key = row == null ? null : naturalKey(pair, side, row);
            if (key != null) {
                byKey.putIfAbsent(key, id);
            }
        }
        if (byKey.isEmpty()) {
            return;
        }
        Side otherSide = pair.side(other);
        var dialect = otherSide.system().dialect();
        String column = dialect.quote(otherSide.column(pair.matchColumn(other)).name());
        Map<String, Row> candidates = lockRead(pair, otherConnection, otherSide, "LOWER(TRIM(" + column + "))", byKey.keySet(), false);
        Set<String> linked = links.find(pair.name(), other, candidates.keySet()).keySet();
        for (Map.Entry<String, Row> candidate : candidates.entrySet()) {
            if (linked.contains(candidate.getKey())) {
                continue;
            }
            String id = byKey.remove(naturalKey(pair, other, candidate.getValue()));
            if (id != null) {
                Link link = "a".equals(side) ? new Link(id, candidate.getKey(), null, "-", "-") : new Link(candidate.getKey(), id, null, "-", "-");
                involved.put(link.aId(), link);
                newIds.remove(id);
                otherRows.put(candidate.getKey(), candidate.getValue());
            }
        }
    }

    private static String naturalKey(Pair pair, String side, Row row) {
        try {
            TwoWayMapping mapping = pair.twoWayMapping();
            Object value = ("a".equals(side) ? mapping.readA(row.values()) : mapping.readB(row.values())).get(pair.match());
            String key = value == null ? null : value.toString().trim().toLowerCase(Locale.ROOT);
            return key == null || key.isEmpty() ? null : key;
        } catch (RecordException e) {
            return null;
        }
    }

}
