package io.syncline.system;

import io.syncline.value.Values;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A table of a database system as one side of a pair sees it: every statement Syncline runs
 * against a system is built here, with the system's {@link Dialect}.
 */
public final class JdbcEntity implements Entity {

    /** Ids per IN (...) list. */
    private static final int CHUNK = 1000;

    private final String reference;
    private final JdbcSystem system;
    private final Dialect dialect;
    private final Table table;
    private final Table.Column key;
    private final Table.Column marker;
    private final List<String> columns;
    private final List<Table.Column> written;
    private final Table.Column stamp;
    private final String upsertKey;
    private final boolean givesIds;
    private final Map<Integer, String> upserts = new ConcurrentHashMap<>();

    /**
     * @param key       the id column
     * @param marker    the change marker (a side that is read), else null
     * @param columns   the columns read, lower case
     * @param written   the columns written, in the order of {@link Write#values}
     * @param stamp     the change marker Syncline sets on every write (the application maintains it), else null
     * @param upsertKey the column a one-way target's records are upserted by, else null
     */
    public JdbcEntity(String reference, JdbcSystem system, Table table, Table.Column key, Table.Column marker, List<String> columns,
            List<Table.Column> written, Table.Column stamp, String upsertKey, boolean givesIds) {
        this.reference = reference;
        this.system = system;
        this.dialect = system.dialect();
        this.table = table;
        this.key = key;
        this.marker = marker;
        this.columns = List.copyOf(columns);
        this.written = List.copyOf(written);
        this.stamp = stamp;
        this.upsertKey = upsertKey;
        this.givesIds = givesIds;
    }

    @Override
    public String reference() {
        return reference;
    }

    @Override
    public Feed changedSince(Position from, Duration lookback, int pageSize) {
        SelectedColumns selected = new SelectedColumns(dialect, table, columns, key, marker);
        for (int attempt = 1;; attempt++) {
            try {
                return new JdbcFeed(system.connect(), dialect, table, key, marker, selected, from, lookback, pageSize, e -> failure("reading", e));
            } catch (SQLException e) {
                if (!staleStatement(e) || attempt > STALE_RETRIES) {
                    throw failure("reading", e);
                }
                // the table was altered: each pooled connection's prepared query fails once, then is prepared again
            }
        }
    }

    /** More than a pool holds connections: each may fail once after its table was altered. */
    private static final int STALE_RETRIES = 16;

    /** PostgreSQL's "cached plan must not change result type": a prepared statement older than an ALTER TABLE. */
    private static boolean staleStatement(SQLException e) {
        return "0A000".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("cached plan");
    }

    @Override
    public Session open() {
        try {
            return new JdbcSession(system.connect());
        } catch (SQLException e) {
            throw failure("connecting to", e);
        }
    }

    @Override
    public Map<String, String> deleteByKey(Collection<String> keys) {
        try (JdbcSession session = (JdbcSession) open()) {
            Map<String, String> refused = session.delete(keys);
            session.commit();
            return refused;
        }
    }

    @Override
    public Map<String, String> markByKey(Table.Column field, Object value, Collection<String> keys) {
        try (JdbcSession session = (JdbcSession) open()) {
            Map<String, String> refused = session.mark(field, value, keys);
            session.commit();
            return refused;
        }
    }

    @Override
    public void scan(Consumer<Record> each) {
        SelectedColumns selected = new SelectedColumns(dialect, table, columns, key, null);
        String sql = selected.select() + " ORDER BY " + dialect.quote(key.name());
        try (Connection c = system.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            dialect.stream(c, ps, CHUNK);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    each.accept(selected.record(rs));
                }
            } finally {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
            }
        } catch (SQLException e) {
            throw failure("reading", e);
        }
    }

    /**
     * Writes the records in multi-row upserts, in one transaction; when the table refuses the batch
     * for a record's fault (see {@link #isRecordError}), the records are written one by one and those
     * it refuses are returned with the reason. An error about the system fails the whole call.
     */
    @Override
    public Map<String, String> upsert(List<Write> records) {
        Map<String, String> refused = new LinkedHashMap<>();
        try (Connection c = system.connect()) {
            c.setAutoCommit(false);
            try {
                upsert(c, records);
                c.commit();
                return refused;
            } catch (SQLException e) {
                c.rollback();
                if (!isRecordError(e)) {
                    throw e;
                }
            }
            for (Write record : records) {
                try {
                    upsert(c, List.of(record));
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    if (!isRecordError(e)) {
                        throw e;
                    }
                    refused.put(record.id(), reference + " refused the record: " + e.getMessage());
                }
            }
            return refused;
        } catch (SQLException e) {
            throw failure("writing to", e);
        }
    }

    private void upsert(Connection c, List<Write> records) throws SQLException {
        int perStatement = Math.max(1, Math.min(records.size(), Dialect.MAX_PARAMETERS / written.size()));
        for (int from = 0; from < records.size(); from += perStatement) {
            List<Write> slice = records.subList(from, Math.min(records.size(), from + perStatement));
            String sql = upserts.computeIfAbsent(slice.size(), rows -> dialect.upsert(table.qualifiedName(),
                    written.stream().map(Table.Column::name).toList(), List.of(upsertKey), rows, stamp));
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                for (Write record : slice) {
                    i = bind(ps, i, record.values());
                }
                ps.executeUpdate();
            }
        }
    }

    /**
     * Whether an error is about one record rather than the system: a data or constraint error (SQL
     * state classes 21, 22, 23, 44), a value the column cannot hold that MariaDB files elsewhere (1265
     * "Data truncated", state 01000; 1366 "Incorrect string value" and 1292, 1264, 1406 when sent as
     * HY000), or PostgreSQL's "index row size exceeds maximum" (54000). Anything else (a lost
     * connection, a lock wait timeout, a read-only or missing table, a rolled-back transaction) is about
     * the system: the write fails as a whole and is tried again, nothing becomes a dead letter.
     */
    private static boolean isRecordError(SQLException e) {
        if (SystemException.unreachable(e)) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause() != t ? t.getCause() : null) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (RECORD_ERRORS.contains(state.substring(0, Math.min(2, state.length()))) || state.equals("54000")
                        || state.equals("HY000") && MARIADB_VALUE_ERRORS.contains(s.getErrorCode())) {
                    return true;
                }
            }
            if (t instanceof SQLException s && s.getNextException() != null && s.getNextException() != t && isRecordError(s.getNextException())) {
                return true; // a batch's own error, as PostgreSQL's driver reports it
            }
        }
        return false;
    }

    private static final Set<String> RECORD_ERRORS = Set.of("01", "21", "22", "23", "44");
    private static final Set<Integer> MARIADB_VALUE_ERRORS = Set.of(1264, 1265, 1292, 1366, 1406);

    /** Binds the parameters of the {@code i}th record of a batch. */
    private interface Binder {
        void bind(PreparedStatement ps, int i) throws SQLException;
    }

    private int bind(PreparedStatement ps, int first, Object[] values) throws SQLException {
        int i = first;
        for (int col = 0; col < values.length; col++) {
            // the common types by their own setters: a driver given an Object (MariaDB's) tries its codecs one by one
            Object value = values[col];
            if (value == null) {
                ps.setNull(i++, written.get(col).jdbcType());
            } else if (value instanceof String text) {
                ps.setString(i++, text);
            } else if (value instanceof Long number) {
                ps.setLong(i++, number);
            } else if (value instanceof Integer number) {
                ps.setInt(i++, number);
            } else if (value instanceof java.math.BigDecimal number) {
                ps.setBigDecimal(i++, number);
            } else if (value instanceof Boolean flag) {
                ps.setBoolean(i++, flag);
            } else {
                ps.setObject(i++, value);
            }
        }
        return i;
    }

    private SystemException failure(String doing, SQLException e) {
        return new SystemException(doing + " " + reference + " failed: " + e.getMessage() + (e.getSQLState() == null ? "" : " (SQL state "
                + e.getSQLState() + ")"), e);
    }

    static void closeQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException ignored) {
            // the connection is closed below; a broken one is dropped by the pool
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to release
        }
    }

    /** A transaction on the table: rows read with FOR UPDATE stay locked until it ends. */
    private final class JdbcSession implements Session {
        private final Connection c;

        JdbcSession(Connection c) throws SQLException {
            this.c = c;
            try {
                c.setAutoCommit(false);
            } catch (SQLException e) {
                closeQuietly(c);
                throw e;
            }
        }

        @Override
        public Map<String, Row> lock(Collection<String> ids) {
            return select(dialect.quote(key.name()), ids, true, " FOR UPDATE");
        }

        @Override
        public Map<String, Row> read(Collection<String> ids) {
            return select(dialect.quote(key.name()), ids, true, "");
        }

        @Override
        public Map<String, Row> lockIfFree(Collection<String> ids) {
            try {
                return select(dialect.quote(key.name()), ids, true, " FOR UPDATE NOWAIT");
            } catch (SystemException e) {
                if (e.lockHeld()) {
                    return null; // the session's transaction may be aborted (PostgreSQL): its caller ends it
                }
                throw e;
            }
        }

        @Override
        public Map<String, Row> lockByNaturalKey(String field, Collection<String> keys) {
            return select(dialect.naturalKey(dialect.quote(table.column(field).orElseThrow().name())),
                    keys.stream().map(k -> k.trim().toLowerCase(java.util.Locale.ROOT)).distinct().toList(), false, " FOR UPDATE");
        }

        /**
         * The rows whose {@code where} expression is one of {@code values}: ids (bound as the id column's type) or text;
         * {@code locking} is the clause that locks them, or empty.
         */
        private Map<String, Row> select(String where, Collection<String> values, boolean ids, String locking) {
            Map<String, Row> found = new HashMap<>();
            SelectedColumns selected = new SelectedColumns(dialect, table, columns, key, marker);
            List<String> all = new ArrayList<>(values);
            try {
                for (int from = 0; from < all.size(); from += CHUNK) {
                    List<String> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
                    String sql = selected.select() + " WHERE " + where + " IN (" + chunk.stream().map(x -> "?").collect(Collectors.joining(", "))
                            + ") ORDER BY " + dialect.quote(key.name()) + locking; // in key order: two pairs locking the same rows wait, never deadlock
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        int i = 1;
                        for (String value : chunk) {
                            if (ids) {
                                key.bindId(ps, i++, value);
                            } else {
                                ps.setString(i++, value);
                            }
                        }
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                Record record = selected.record(rs);
                                found.put(record.id(), record.row());
                            }
                        }
                    }
                }
                return found;
            } catch (SQLException e) {
                throw failure("reading", e);
            }
        }

        @Override
        public Map<String, String> update(List<Write> updates) {
            String set = written.stream().map(col -> dialect.quote(col.name()) + " = ?").collect(Collectors.joining(", "))
                    + (stamp == null ? "" : ", " + dialect.quote(stamp.name()) + " = " + dialect.stamp(stamp, false));
            String sql = "UPDATE " + dialect.quoteTable(table.qualifiedName()) + " SET " + set + " WHERE " + dialect.quote(key.name()) + " = ?";
            return each(sql, updates.stream().map(Write::id).toList(),
                    (ps, i) -> key.bindId(ps, bind(ps, 1, updates.get(i).values()), updates.get(i).id()));
        }

        /** Sets one field of the records of these ids, and the stamp as any write does; returns those refused, with the reason. */
        Map<String, String> mark(Table.Column field, Object value, Collection<String> ids) {
            List<String> all = List.copyOf(ids);
            String sql = "UPDATE " + dialect.quoteTable(table.qualifiedName()) + " SET " + dialect.quote(field.name()) + " = ?"
                    + (stamp == null ? "" : ", " + dialect.quote(stamp.name()) + " = " + dialect.stamp(stamp, false))
                    + " WHERE " + dialect.quote(key.name()) + " = ?";
            return each(sql, all, (ps, i) -> {
                if (value == null) {
                    ps.setNull(1, field.jdbcType());
                } else {
                    ps.setObject(1, value);
                }
                key.bindId(ps, 2, all.get(i));
            });
        }

        @Override
        public Map<String, String> delete(Collection<String> ids) {
            List<String> all = List.copyOf(ids);
            String sql = "DELETE FROM " + dialect.quoteTable(table.qualifiedName()) + " WHERE " + dialect.quote(key.name()) + " = ?";
            return each(sql, all, (ps, i) -> key.bindId(ps, 1, all.get(i)));
        }

        /**
         * Runs {@code sql} for every record in one batch. When the table refuses a record (a data or
         * constraint error), the batch is undone and the records are written one by one, each under a
         * savepoint, so that only the refused ones are left out; they are returned with the reason.
         */
        private Map<String, String> each(String sql, List<String> ids, Binder binder) {
            Map<String, String> refused = new LinkedHashMap<>();
            if (ids.isEmpty()) {
                return refused;
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Savepoint before = c.setSavepoint();
                try {
                    for (int i = 0; i < ids.size(); i++) {
                        binder.bind(ps, i);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    c.releaseSavepoint(before);
                    return refused;
                } catch (SQLException e) {
                    if (!isRecordError(e)) {
                        throw e;
                    }
                    ps.clearBatch();
                    c.rollback(before);
                    c.releaseSavepoint(before);
                }
                for (int i = 0; i < ids.size(); i++) {
                    Savepoint one = c.setSavepoint();
                    try {
                        binder.bind(ps, i);
                        ps.executeUpdate();
                    } catch (SQLException e) {
                        if (!isRecordError(e)) {
                            throw e;
                        }
                        c.rollback(one);
                        refused.put(ids.get(i), reference + " refused the record: " + e.getMessage());
                    }
                    c.releaseSavepoint(one); // one level of savepoints at a time, never a thousand nested
                }
                return refused;
            } catch (SQLException e) {
                throw failure("writing to", e);
            }
        }

        @Override
        public List<Created> create(List<Write> creates) {
            if (creates.isEmpty()) {
                return List.of();
            }
            List<String> cols = new ArrayList<>();
            List<String> marks = new ArrayList<>();
            if (givesIds) {
                cols.add(dialect.quote(key.name()));
                marks.add("?");
            }
            written.forEach(col -> {
                cols.add(dialect.quote(col.name()));
                marks.add("?");
            });
            if (stamp != null) {
                cols.add(dialect.quote(stamp.name()));
                marks.add(dialect.stamp(stamp, true));
            }
            String sql = "INSERT INTO " + dialect.quoteTable(table.qualifiedName()) + " (" + String.join(", ", cols) + ") VALUES ("
                    + String.join(", ", marks) + ")";
            try (PreparedStatement ps = givesIds ? c.prepareStatement(sql) : c.prepareStatement(sql, new String[] {key.name()})) {
                Savepoint before = c.setSavepoint();
                try {
                    List<Created> created = inserts(ps, creates, false);
                    c.releaseSavepoint(before);
                    return created;
                } catch (SQLException e) {
                    if (!isRecordError(e)) {
                        throw e;
                    }
                    c.rollback(before); // the records inserted before the refused one get new ids below
                    c.releaseSavepoint(before);
                }
                return inserts(ps, creates, true);
            } catch (SQLException e) {
                throw failure("writing to", e);
            }
        }

        /** Inserts the records one statement each; with {@code oneByOne}, each under a savepoint, refusals kept as outcomes. */
        private List<Created> inserts(PreparedStatement ps, List<Write> creates, boolean oneByOne) throws SQLException {
            List<Created> created = new ArrayList<>(creates.size());
            for (Write create : creates) {
                Savepoint one = oneByOne ? c.setSavepoint() : null;
                String given = givesIds ? UUID.randomUUID().toString() : null;
                try {
                    if (given != null) {
                        ps.setString(1, given);
                    }
                    bind(ps, given == null ? 1 : 2, create.values());
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if (!oneByOne || !isRecordError(e)) {
                        throw e;
                    }
                    c.rollback(one);
                    c.releaseSavepoint(one);
                    created.add(new Created(null, reference + " refused the record: " + e.getMessage()));
                    continue;
                }
                if (one != null) {
                    c.releaseSavepoint(one);
                }
                if (given != null) {
                    created.add(new Created(given, null));
                    continue;
                }
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new SQLException(reference + " returned no generated " + key.name()
                                + "; a two-way pair creates records and needs a generated id column, or aNewIds/bNewIds: uuid", "42000");
                    }
                    created.add(new Created(String.valueOf(Values.canonical(keys.getObject(1))), null));
                }
            }
            return created;
        }

        @Override
        public Long transaction() {
            try {
                String sql = dialect.currentTransaction(c.getMetaData().getDatabaseMajorVersion());
                if (sql == null) {
                    return null;
                }
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                    return Long.parseLong(rs.getString(1));
                }
            } catch (SQLException e) {
                throw failure("reading the transaction of", e);
            }
        }

        @Override
        public Boolean committed(long transaction) {
            String sql = dialect.transactionStatus();
            if (sql == null) {
                return null;
            }
            try {
                // under a savepoint: an id the database never gave (restored from an older backup, or another server since) is an
                // error, which would end the session's transaction; it cannot tell then
                Savepoint before = c.setSavepoint();
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, Long.toString(transaction));
                    try (ResultSet rs = ps.executeQuery()) {
                        String status = rs.next() ? rs.getString(1) : null;
                        c.releaseSavepoint(before);
                        return "committed".equals(status) ? Boolean.TRUE : "aborted".equals(status) ? Boolean.FALSE : null;
                    }
                } catch (SQLException e) {
                    c.rollback(before);
                    return null;
                }
            } catch (SQLException e) {
                throw failure("asking about a transaction of", e);
            }
        }

        @Override
        public void commit() {
            try {
                c.commit();
            } catch (SQLException e) {
                throw failure("committing to", e);
            }
        }

        @Override
        public void close() {
            closeQuietly(c);
        }
    }
}
