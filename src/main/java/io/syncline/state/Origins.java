package io.syncline.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.value.Values;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a record's values came from, for the tables that more than one pair syncs (a star, a chain, a triangle of
 * pairs). When a pair writes such a record, it stores the time of the edit its values carry (the <em>origin</em>:
 * the user's edit on the other side, or that edit's own origin when it was relayed there) with a fingerprint of the
 * columns as written. Another pair that reads the record still holding those columns takes the origin, not the
 * change marker Syncline's write stamped, as the record's time: last-writer-wins then compares the users' edits
 * wherever they were made, and the change counts as relayed rather than as a user's. A record edited since has
 * other columns and is its marker's again.
 */
@ApplicationScoped
public class Origins {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The longest fingerprint stored; a record with more columns keeps no origin (its marker decides). */
    private static final int LONGEST = 4000;
    private static final int BATCH = 500;
    private static final List<String> COLUMNS = List.of("entity", "record_id", "origin_at", "columns_written");

    @Inject
    SyncState state;

    /**
     * The origin of a record's values as a pair wrote them.
     *
     * @param columns each column written or held after the write, by lower-case name -> a fingerprint of its value
     */
    public record Origin(Instant at, Map<String, String> columns) {

        /**
         * True when the record as read now still holds what was written: every column compared (those of {@code row} not in
         * {@code ignored}, such as the key and the change marker) either was written with the value it holds, or was not
         * written and still holds what the reading pair last synced ({@code before}, the values its base gives those columns).
         * A column neither written nor known from before may hold a user's edit: the record is then its marker's.
         */
        public boolean holds(Map<String, Object> row, Set<String> ignored, Map<String, Object> before) {
            for (Map.Entry<String, Object> column : row.entrySet()) {
                if (ignored.contains(column.getKey())) {
                    continue;
                }
                String now = fingerprint(column.getValue());
                String written = columns.get(column.getKey());
                boolean same = written != null ? written.equals(now)
                        : before.containsKey(column.getKey()) && fingerprint(before.get(column.getKey())).equals(now);
                if (!same) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The columns of a record as written: lower-case name -> fingerprint. */
    public static Map<String, String> fingerprints(Map<String, Object> row, Set<String> ignored) {
        Map<String, String> columns = new TreeMap<>();
        row.forEach((name, value) -> {
            if (!ignored.contains(name)) {
                columns.put(name, fingerprint(value));
            }
        });
        return columns;
    }

    /** A value as any pair reads it, whatever Java type its driver or mapping gave it: 12 chars of the SHA-256 of its text. */
    static String fingerprint(Object value) {
        String text;
        if (value == null) {
            return "-";
        } else if (value instanceof Boolean b) {
            text = b ? "1" : "0";
        } else if (value instanceof Number n) {
            try {
                text = new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
            } catch (NumberFormatException e) {
                text = n.toString();
            }
        } else if (value instanceof java.sql.Timestamp t) {
            text = t.toInstant().toString();
        } else if (value instanceof OffsetDateTime t) {
            text = t.toInstant().toString();
        } else if (value instanceof ZonedDateTime t) {
            text = t.toInstant().toString();
        } else if (value instanceof byte[] bytes) {
            text = HexFormat.of().formatHex(bytes);
        } else {
            text = value.toString();
        }
        return HexFormat.of().formatHex(Values.sha256(text), 0, 6);
    }

    /** The origins stored for records of a table ({@code system.table}), by id. */
    public Map<String, Origin> find(String entity, Collection<String> ids) {
        Map<String, Origin> found = new HashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        try (Connection c = state.connect()) {
            for (List<String> slice : InLists.chunks(ids, state.ownTables().idsPerQuery())) {
                // H2 takes only "entity = ?" of "entity = ? AND record_id IN (...)" to its primary key, and tests the list
                // against every record of the table: it is given the whole key of each record, as row values
                boolean h2 = state.ownTables().name().equals("H2");
                try (PreparedStatement ps = c.prepareStatement("SELECT record_id, origin_at, columns_written FROM record_origins WHERE "
                        + (h2 ? "(entity, record_id) IN (" + String.join(", ", Collections.nCopies(slice.size(), "(?, ?)")) + ")"
                                : "entity = ? AND record_id IN (" + InLists.marks(slice.size()) + ")"))) {
                    int i = 1;
                    for (String id : slice) {
                        if (h2 || i == 1) {
                            ps.setString(i++, entity);
                        }
                        ps.setString(i++, id);
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            found.put(rs.getString(1), new Origin(Instant.ofEpochMilli(rs.getLong(2)),
                                    JSON.readValue(rs.getString(3), new TypeReference<Map<String, String>>() {
                                    })));
                        }
                    }
                }
            }
            return found;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("the origins of records of " + entity + " could not be read: " + e.getMessage(), e);
        }
    }

    /** Stores the origins of records a pair wrote, per table ({@code system.table}), in a transaction of their own. */
    public void save(Map<String, Map<String, Origin>> byTable) {
        if (byTable.isEmpty()) {
            return;
        }
        try (Connection c = state.connect()) {
            c.setAutoCommit(false);
            try {
                for (Map.Entry<String, Map<String, Origin>> table : byTable.entrySet()) {
                    save(c, table.getKey(), table.getValue());
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the origins of records written to " + byTable.keySet() + " could not be stored: " + e.getMessage(), e);
        }
    }

    /** Removes the origins of records of a table ({@code system.table}): a write that stored them did not commit. */
    public void delete(String entity, Collection<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        try (Connection c = state.connect(); PreparedStatement ps = c.prepareStatement("DELETE FROM record_origins WHERE entity = ? AND record_id = ?")) {
            for (String id : ids) {
                ps.setString(1, entity);
                ps.setString(2, id);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("the origins of records of " + entity + " could not be removed: " + e.getMessage(), e);
        }
    }

    private void save(Connection c, String entity, Map<String, Origin> byId) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (Map.Entry<String, Origin> e : byId.entrySet()) {
            String columns;
            try {
                columns = JSON.writeValueAsString(e.getValue().columns());
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
            // a record with more columns than a fingerprint holds keeps no origin: its marker decides (an older origin goes)
            rows.add(new Object[] {entity, e.getKey(), columns.length() > LONGEST ? 0L : e.getValue().at().toEpochMilli(),
                    columns.length() > LONGEST ? "{}" : columns});
        }
        for (int from = 0; from < rows.size(); from += BATCH) {
            List<Object[]> slice = rows.subList(from, Math.min(rows.size(), from + BATCH));
            try (PreparedStatement ps = c.prepareStatement(state.ownTables().upsert("record_origins", COLUMNS, List.of("entity", "record_id"),
                    slice.size()))) {
                int i = 1;
                for (Object[] row : slice) {
                    for (Object value : row) {
                        ps.setObject(i++, value);
                    }
                }
                ps.executeUpdate();
            }
        }
    }
}
