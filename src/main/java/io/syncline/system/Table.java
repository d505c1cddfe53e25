package io.syncline.system;

import java.sql.Types;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A table as the database describes it: real name, columns by lower-case name, unique keys. */
public record Table(String name, Map<String, Column> columns, List<List<String>> uniqueKeys) {

    public record Column(String name, int jdbcType, String typeName) {

        public boolean isTimestamp() {
            return jdbcType == Types.TIMESTAMP || jdbcType == Types.TIMESTAMP_WITH_TIMEZONE
                    || typeName.toLowerCase(Locale.ROOT).startsWith("timestamp")
                    || typeName.equalsIgnoreCase("datetime");
        }

        public boolean isInteger() {
            return jdbcType == Types.INTEGER || jdbcType == Types.BIGINT || jdbcType == Types.SMALLINT
                    || jdbcType == Types.TINYINT;
        }
    }

    public Optional<Column> column(String name) {
        return Optional.ofNullable(columns.get(name.toLowerCase(Locale.ROOT)));
    }

    /** True when {@code column} alone is the primary key or a unique index, as an upsert needs. */
    public boolean isUniqueKey(String column) {
        String c = column.toLowerCase(Locale.ROOT);
        return uniqueKeys.stream().anyMatch(k -> k.size() == 1 && k.get(0).equals(c));
    }

    public String columnNames() {
        return String.join(", ", columns.values().stream().map(Column::name).toList());
    }
}
