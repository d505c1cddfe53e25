package io.syncline.mapping;

import io.syncline.value.RecordException;
import io.syncline.value.Values;
import io.syncline.system.Table;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.temporal.Temporal;

/** Converts a mapped value to the Java type a column's JDBC type takes; a misfit is a record error. */
public final class ColumnValues {

    private ColumnValues() {
    }

    public static Object forColumn(Object value, Table.Column column, String field) {
        if (value == null) {
            return null;
        }
        switch (column.kind()) {
            case INTEGER:
                return Values.toLong(value, field);
            case DECIMAL:
                return Values.toDecimal(value, field);
            case BOOLEAN:
                return Values.toBoolean(value, field);
            case DATE:
                if (value instanceof LocalDate) {
                    return value;
                }
                if (value instanceof Temporal) {
                    return Values.toLocalDateTime(value).toLocalDate();
                }
                throw misfit(value, column, field);
            case INSTANT:
                if (value instanceof Instant || value instanceof LocalDateTime || value instanceof OffsetDateTime) {
                    return Values.toOffsetDateTime(value);
                }
                throw misfit(value, column, field);
            case LOCAL_DATE_TIME:
                if (value instanceof Instant || value instanceof LocalDateTime || value instanceof LocalDate) {
                    return Values.toLocalDateTime(value);
                }
                if (value instanceof OffsetDateTime odt) {
                    return Values.toLocalDateTime(odt.toInstant());
                }
                throw misfit(value, column, field);
            case TEXT:
                return value instanceof Boolean || value instanceof Number || value instanceof Temporal
                        ? Values.hashForm(value).substring(1) : value.toString();
            default:
                return value;
        }
    }

    private static RecordException misfit(Object value, Table.Column column, String field) {
        return new RecordException("field '" + field + "': " + value.getClass().getSimpleName() + " '" + value
                + "' does not fit column '" + column.name() + "' (" + column.typeName() + "); add a transform such as date(...) or zone(...)");
    }
}
