package io.syncline.system;

import io.syncline.value.Values;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The columns a read of a table selects: those the pair reads, then the id and (when there is one) the change marker. */
final class SelectedColumns {
    private final Dialect dialect;
    private final Table table;
    private final List<String> columns;
    private final List<Table.Column> types = new ArrayList<>();
    private final int keyIndex;
    private final int markerIndex;

    SelectedColumns(Dialect dialect, Table table, List<String> columns, Table.Column key, Table.Column marker) {
        this.dialect = dialect;
        this.table = table;
        this.columns = columns;
        columns.forEach(c -> types.add(table.column(c).orElseThrow()));
        types.add(key);
        keyIndex = types.size();
        if (marker != null) {
            types.add(marker);
        }
        markerIndex = marker != null ? types.size() : -1;
    }

    String select() {
        return "SELECT " + types.stream().map(t -> dialect.quote(t.name())).collect(Collectors.joining(", ")) + " FROM "
                + dialect.quoteTable(table.qualifiedName());
    }

    Entity.Record record(ResultSet rs) throws SQLException {
        Map<String, Object> row = new HashMap<>(columns.size() * 2);
        for (int col = 0; col < columns.size(); col++) {
            row.put(columns.get(col), types.get(col).read(rs, col + 1));
        }
        String id = String.valueOf(Values.canonical(rs.getObject(keyIndex)));
        return new Entity.Record(id, row, markerIndex < 0 ? null : types.get(markerIndex - 1).read(rs, markerIndex));
    }
}
