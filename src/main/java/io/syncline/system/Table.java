package io.syncline.system;

import java.sql.Blob;
import java.sql.Clob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.temporal.Temporal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A table as the database describes it: real name, columns by lower-case name, unique keys, the schema its statements name
 * it with (null: the name alone), and whether it is a view, which is only read.
 */
public record Table(String name, Map<String, Column> columns, List<List<String>> uniqueKeys, String schema, boolean view) {

    public Table(String name, Map<String, Column> columns, List<List<String>> uniqueKeys) {
        this(name, columns, uniqueKeys, null, false);
    }

    /** The name statements use: {@code schema.table} when the schema is known, quoted by {@link Dialect#quoteTable}. */
    public String qualifiedName() {
        return schema == null ? name : schema + "." + name;
    }

    /** @param nullable the column may hold NULL (a change marker that may is reported at start-up) */
    public record Column(String name, int jdbcType, String typeName, boolean nullable) {

        public Column(String name, int jdbcType, String typeName) {
            this(name, jdbcType, typeName, false);
        }

        public Column {
            // PostgreSQL's driver reports timestamptz as TIMESTAMP; only its type name tells that it holds instants
            if (jdbcType == Types.TIMESTAMP && typeName != null && typeName.equalsIgnoreCase("timestamptz")) {
                jdbcType = Types.TIMESTAMP_WITH_TIMEZONE;
            }
            // MariaDB's driver reports a YEAR as a DATE (and reads 2020 as 2020-01-01): it holds a whole number
            if (typeName != null && typeName.equalsIgnoreCase("year")) {
                jdbcType = Types.SMALLINT;
            }
        }

        /** What kind of value the column holds, whatever the database calls its type. */
        public enum Kind {
            INTEGER, DECIMAL, BOOLEAN, DATE, LOCAL_DATE_TIME, INSTANT, TEXT, OTHER
        }

        public Kind kind() {
            return switch (jdbcType) {
                case Types.INTEGER, Types.BIGINT, Types.SMALLINT, Types.TINYINT -> Kind.INTEGER;
                case Types.NUMERIC, Types.DECIMAL, Types.REAL, Types.FLOAT, Types.DOUBLE -> Kind.DECIMAL;
                case Types.BOOLEAN, Types.BIT -> Kind.BOOLEAN;
                case Types.DATE -> Kind.DATE;
                case Types.TIMESTAMP -> Kind.LOCAL_DATE_TIME;
                case Types.TIMESTAMP_WITH_TIMEZONE -> Kind.INSTANT;
                case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR, Types.CLOB -> Kind.TEXT;
                default -> Kind.OTHER;
            };
        }

        public boolean isTimestamp() {
            return jdbcType == Types.TIMESTAMP || jdbcType == Types.TIMESTAMP_WITH_TIMEZONE
                    || typeName.toLowerCase(Locale.ROOT).startsWith("timestamp")
                    || typeName.equalsIgnoreCase("datetime");
        }

        public boolean isInteger() {
            return jdbcType == Types.INTEGER || jdbcType == Types.BIGINT || jdbcType == Types.SMALLINT
                    || jdbcType == Types.TINYINT;
        }

        /** Reads this column's value from a result set in a driver-independent Java type. */
        public Object read(ResultSet rows, int index) throws SQLException {
            switch (jdbcType) {
                case Types.TIMESTAMP:
                    return rows.getObject(index, LocalDateTime.class);
                case Types.TIMESTAMP_WITH_TIMEZONE:
                    OffsetDateTime odt = rows.getObject(index, OffsetDateTime.class);
                    return odt == null ? null : odt.toInstant();
                case Types.DATE:
                    return rows.getObject(index, LocalDate.class);
                case Types.TIME: // java.sql.Time would drop the fraction of a second, and a PostgreSQL timetz's offset
                    return typeName != null && typeName.equalsIgnoreCase("timetz") ? rows.getObject(index, OffsetTime.class)
                            : rows.getObject(index, LocalTime.class);
                case Types.SMALLINT:
                    long number = rows.getLong(index); // a YEAR too, which MariaDB's driver gives as a date
                    return rows.wasNull() ? null : number;
                default:
                    Object value = rows.getObject(index);
                    if (value instanceof java.sql.Timestamp ts) {
                        return ts.toLocalDateTime();
                    }
                    return value instanceof java.sql.Date d ? d.toLocalDate() : plain(value);
            }
        }

        /**
         * A value the driver gives as an object of its own, as text (PostgreSQL's {@code uuid}, {@code jsonb}, {@code inet},
         * arrays: in the form the database reads back) or bytes: a record's values outlive the connection, and the record
         * history and the state store keep them as JSON.
         */
        private static Object plain(Object value) throws SQLException {
            if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean || value instanceof byte[]
                    || value instanceof Temporal) {
                return value;
            }
            if (value instanceof Clob clob) {
                return clob.getSubString(1, (int) clob.length());
            }
            if (value instanceof Blob blob) {
                return blob.getBytes(1, (int) blob.length());
            }
            if (value instanceof SQLXML xml) {
                return xml.getString();
            }
            return value.toString();
        }

        /** Binds a record id, kept as text by Syncline, as this column's type. */
        public void bindId(PreparedStatement statement, int index, String id) throws SQLException {
            if (isInteger()) {
                statement.setLong(index, Long.parseLong(id));
            } else {
                statement.setString(index, id);
            }
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
