package io.syncline.system;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One poll of a table: an open query over the records changed since a position, streamed a page at a time; of a table
 * without change marker, over all its records.
 */
final class JdbcFeed implements Entity.Feed {
    private final SelectedColumns selected;
    private final Table.Column marker;
    private final int pageSize;
    private final Function<SQLException, SystemException> failure;
    private final Connection connection;
    private final PreparedStatement statement;
    private final ResultSet rows;
    private long size = -1;

    JdbcFeed(Connection connection, Dialect dialect, Table table, Table.Column key, Table.Column marker, SelectedColumns selected,
            Position from, Duration lookback, int pageSize, Function<SQLException, SystemException> failure) throws SQLException {
        this.connection = connection;
        this.selected = selected;
        this.marker = marker;
        this.pageSize = pageSize;
        this.failure = failure;
        try {
            if (marker == null && !from.isStart()) {
                throw new IllegalArgumentException(table.name() + " has no change marker: it is read whole, from the start");
            }
            String order = " ORDER BY " + (marker == null ? "" : dialect.quote(marker.name()) + ", ") + dialect.quote(key.name());
            String column = marker == null ? null : dialect.quote(marker.name());
            if (from.isStart()) {
                try (PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM " + dialect.quoteTable(table.qualifiedName()));
                        ResultSet rs = count.executeQuery()) {
                    rs.next();
                    size = rs.getLong(1);
                }
                statement = connection.prepareStatement(selected.select() + order);
            } else if (marker.isTimestamp() && !lookback.isZero()) {
                // re-read the lookback window: late commits land there; the engine skips unchanged records
                statement = connection.prepareStatement(selected.select() + " WHERE " + column + " >= ?" + order);
                bindMarker(1, minus(from.value(), lookback));
            } else {
                statement = connection.prepareStatement(selected.select() + " WHERE " + column + " > ? OR (" + column + " = ? AND "
                        + dialect.quote(key.name()) + " > ?)" + order);
                bindMarker(1, from.value());
                bindMarker(2, from.value());
                key.bindId(statement, 3, from.id());
            }
            dialect.stream(connection, statement, pageSize);
            rows = statement.executeQuery();
        } catch (SQLException | RuntimeException e) {
            JdbcEntity.closeQuietly(connection);
            throw e;
        }
    }

    private void bindMarker(int index, String value) throws SQLException {
        if (marker.isInteger()) {
            statement.setLong(index, Long.parseLong(value));
        } else if (marker.jdbcType() == Types.TIMESTAMP_WITH_TIMEZONE) {
            statement.setObject(index, Instant.parse(value).atOffset(ZoneOffset.UTC));
        } else {
            statement.setObject(index, LocalDateTime.parse(value));
        }
    }

    private String minus(String value, Duration lookback) {
        if (marker.jdbcType() == Types.TIMESTAMP_WITH_TIMEZONE) {
            return Instant.parse(value).minus(lookback).toString();
        }
        return LocalDateTime.parse(value).minus(lookback).toString();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public List<Entity.Record> next() {
        try {
            List<Entity.Record> page = new ArrayList<>(pageSize);
            while (page.size() < pageSize && rows.next()) {
                page.add(selected.record(rows));
            }
            return page;
        } catch (SQLException e) {
            throw failure.apply(e);
        }
    }

    @Override
    public void close() {
        JdbcEntity.closeQuietly(connection);
    }
}
