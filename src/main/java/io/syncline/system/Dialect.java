package io.syncline.system;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What differs between the databases Syncline reads and writes: identifier quoting, the upsert
 * statement and how a large result is streamed. Chosen once per JDBC URL; no other class asks
 * which database it talks to.
 */
public abstract class Dialect {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    /** Most bind parameters one statement may carry (the smallest limit is PostgreSQL's 65535). */
    public static final int MAX_PARAMETERS = 60_000;

    private final boolean quoting;

    protected Dialect(boolean quoting) {
        this.quoting = quoting;
    }

    /** The dialect for a system's tables: names are quoted exactly as the database reports them. */
    public static Dialect forUrl(String url) {
        return forUrl(url, true);
    }

    /**
     * The dialect for Syncline's own tables, created by plain DDL: names are left unquoted so
     * that each database folds them as it folded the DDL.
     */
    public static Dialect forOwnTables(String url) {
        return forUrl(url, false);
    }

    private static Dialect forUrl(String url, boolean quoting) {
        String u = url == null ? "" : url.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:postgresql:")) {
            return new Postgres(quoting);
        }
        if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
            return new MariaDb(quoting);
        }
        if (u.startsWith("jdbc:h2:")) {
            return new H2(quoting);
        }
        throw new IllegalArgumentException("unsupported JDBC URL '" + url
                + "': Syncline speaks PostgreSQL (jdbc:postgresql:), MariaDB (jdbc:mariadb:; MySQL, jdbc:mysql:, through MariaDB's driver) and H2 (jdbc:h2:)");
    }

    public abstract String name();

    /** Quotes a table or column name; names come from configuration, so they are checked first. */
    public String quote(String identifier) {
        if (identifier == null || !IDENTIFIER.matcher(identifier).matches()) {
            throw new IllegalArgumentException("'" + identifier + "' is not a valid table or column name");
        }
        return quoting ? quoteChar() + identifier + quoteChar() : identifier;
    }

    /** Quotes a table's name, {@code schema.table} as two names ({@link Table#qualifiedName}). */
    public String quoteTable(String table) {
        int dot = table == null ? -1 : table.indexOf('.');
        return dot < 0 ? quote(table) : quote(table.substring(0, dot)) + "." + quote(table.substring(dot + 1));
    }

    /** The schemas a table's name alone is looked up in, in order. */
    public List<String> searchPath(Connection c) throws SQLException {
        String current = c.getSchema() != null ? c.getSchema() : c.getCatalog(); // MariaDB's driver: the database is the catalog
        return current == null ? List.of() : List.of(current);
    }

    protected String quoteChar() {
        return "\"";
    }

    /** A multi-row upsert of {@code rows} rows into {@code table}, keyed by {@code keys}; every value is a bind parameter. */
    public String upsert(String table, List<String> columns, List<String> keys, int rows) {
        return upsert(table, columns, keys, rows, null);
    }

    /**
     * A multi-row upsert of {@code rows} rows into {@code table}, keyed by {@code keys}; every
     * value is a bind parameter, but the {@code stamp} column's (if any), which is {@link #stamp stamped}.
     */
    public String upsert(String table, List<String> columns, List<String> keys, int rows, Table.Column stamp) {
        String cols = columns.stream().map(this::quote).collect(Collectors.joining(", "))
                + (stamp == null ? "" : ", " + quote(stamp.name()));
        StringBuilder sql = new StringBuilder(upsertHead(table, cols, keys));
        values(sql, columns.size(), stamp == null ? null : stamp(stamp, true), rows);
        List<String> updated = columns.stream().filter(c -> !keys.contains(c)).collect(Collectors.toList());
        sql.append(upsertTail(keys, updated, stamp == null ? null : quote(stamp.name()) + " = " + stamp(stamp, false)));
        return sql.toString();
    }

    /**
     * A multi-row insert of {@code rows} rows into {@code table}, every value a bind parameter: for rows known to be new,
     * since an upsert costs a database more (PostgreSQL checks each key before it inserts).
     */
    public String insert(String table, List<String> columns, int rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO " + quoteTable(table) + " ("
                + columns.stream().map(this::quote).collect(Collectors.joining(", ")) + ")");
        return values(sql, columns.size(), null, rows).toString();
    }

    /** Appends {@code VALUES} and {@code rows} rows of {@code columns} parameters, each followed by the stamp if any. */
    private static StringBuilder values(StringBuilder sql, int columns, String stamp, int rows) {
        String one = "(" + String.join(", ", Collections.nCopies(columns, "?")) + (stamp == null ? "" : ", " + stamp) + ")";
        sql.ensureCapacity(sql.length() + 8 + rows * (one.length() + 2) + 64);
        sql.append(" VALUES ");
        for (int i = 0; i < rows; i++) {
            if (i > 0) {
                sql.append(", ");
            }
            sql.append(one);
        }
        return sql;
    }

    /**
     * The value that stamps a change marker on a write: the database's current time, or the next
     * version (1 for a new record). Statement time, not transaction start, so that it is not behind
     * what other writers commit meanwhile.
     */
    public String stamp(Table.Column column, boolean insert) {
        if (column.isInteger()) {
            return insert ? "1" : "COALESCE(" + quote(column.name()) + ", 0) + 1";
        }
        return now(column.jdbcType() == Types.TIMESTAMP_WITH_TIMEZONE);
    }

    /** The current time as a timestamp with or without time zone. */
    protected abstract String now(boolean withZone);

    /** True when an upsert can stamp an integer version on update (then it differs from the insert's value). */
    public boolean upsertIncrements() {
        return true;
    }

    protected String upsertHead(String table, String quotedColumns, List<String> keys) {
        return "INSERT INTO " + quoteTable(table) + " (" + quotedColumns + ")";
    }

    /** The upsert's end: what is updated when the key exists; {@code stampSet} is "column = value" or null. */
    protected abstract String upsertTail(List<String> keys, List<String> updated, String stampSet);

    /** How many ids one {@code key IN (...)} query of the state store asks for. */
    public int idsPerQuery() {
        return 1000;
    }

    /**
     * Whether an update writes every index of the row again, its indexed columns changed or not (H2 removes the row and
     * adds it back): the state store then keeps what moves with every sync apart from what is indexed.
     */
    public boolean updateRewritesIndexes() {
        return false;
    }

    /**
     * The statement that clears the dead rows of a table that rows pass through (inserted, then deleted within seconds), or
     * null where the database clears them itself as it goes.
     */
    public String clearDeadRows(String table) {
        return null;
    }

    /** A column's values as records are matched by them: trimmed, in lower case. */
    public String naturalKey(String quotedColumn) {
        return "LOWER(TRIM(" + quotedColumn + "))";
    }

    /** The URL the driver is given for {@code url}, a URL this dialect was chosen for. */
    public String driverUrl(String url) {
        return url;
    }

    /**
     * Properties of the driver every connection to this database is opened with; a setting of the same name in the URL
     * takes precedence.
     */
    public Map<String, String> connectionProperties() {
        return Map.of();
    }

    /** Makes {@code statement} stream its result in slices of {@code fetchSize} rows. */
    public void stream(Connection connection, Statement statement, int fetchSize) throws SQLException {
        statement.setFetchSize(fetchSize);
    }

    /**
     * The query that gives the current transaction an id (a number) and returns it, so that whether the transaction
     * committed can be asked after a crash ({@link #transactionStatus()}); null where the database cannot tell, or not in
     * this version ({@code majorVersion}).
     */
    public String currentTransaction(int majorVersion) {
        return null;
    }

    /**
     * The query that answers, for an id of {@link #currentTransaction}, {@code committed}, {@code aborted}, {@code in
     * progress}, or nothing when the transaction is too old to tell.
     */
    public String transactionStatus() {
        return null;
    }

    static final class Postgres extends Dialect {
        Postgres(boolean quoting) {
            super(quoting);
        }

        @Override
        public String name() {
            return "PostgreSQL";
        }

        @Override
        protected String upsertTail(List<String> keys, List<String> updated, String stampSet) {
            String conflict = " ON CONFLICT (" + keys.stream().map(this::quote).collect(Collectors.joining(", ")) + ")";
            if (updated.isEmpty() && stampSet == null) {
                return conflict + " DO NOTHING";
            }
            return conflict + " DO UPDATE SET " + Stream.concat(updated.stream().map(c -> quote(c) + " = EXCLUDED." + quote(c)),
                    Stream.ofNullable(stampSet)).collect(Collectors.joining(", "));
        }

        @Override
        protected String now(boolean withZone) {
            return withZone ? "clock_timestamp()" : "CAST(clock_timestamp() AS TIMESTAMP)";
        }

        /** {@code pg_current_xact_id}, PostgreSQL 13 and later: the 64-bit id, which does not wrap around. */
        @Override
        public String currentTransaction(int majorVersion) {
            return majorVersion >= 13 ? "SELECT CAST(pg_current_xact_id() AS TEXT)" : null;
        }

        @Override
        public String transactionStatus() {
            return "SELECT pg_xact_status(CAST(? AS xid8))";
        }

        /** As text first: PostgreSQL trims no {@code uuid} (nor any type but text), and casts none to text unasked. */
        @Override
        public String naturalKey(String quotedColumn) {
            return "LOWER(TRIM(CAST(" + quotedColumn + " AS TEXT)))";
        }

        /** Every schema of the search path that exists (a missing one, such as "$user" often is, is left out). */
        @Override
        public List<String> searchPath(Connection c) throws SQLException {
            List<String> path = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT unnest(current_schemas(false))")) {
                while (rs.next()) {
                    path.add(rs.getString(1));
                }
            }
            return path;
        }

        /**
         * Text is sent untyped, for the server to read as its column's type: an id or value of a {@code uuid}, {@code jsonb},
         * enum or {@code inet} column, sent as {@code varchar}, is refused ("operator does not exist: uuid = character
         * varying"). Syncline keeps ids and such values as text.
         */
        @Override
        public Map<String, String> connectionProperties() {
            return Map.of("stringtype", "unspecified");
        }

        /**
         * PostgreSQL leaves a deleted row, and its index entries, until a vacuum: autovacuum comes about once a minute, while a
         * window of a thousand changes inserts and deletes a thousand rows in seconds. SKIP_LOCKED: a vacuum of the same
         * table under way (another pair's) is enough. TRUNCATE false: the emptied pages stay for the next window's rows, and
         * the vacuum never asks for the lock that would make other pairs' inserts wait (PostgreSQL 12 or later).
         */
        @Override
        public String clearDeadRows(String table) {
            return "VACUUM (SKIP_LOCKED, TRUNCATE false) " + quote(table);
        }

        @Override
        public void stream(Connection connection, Statement statement, int fetchSize) throws SQLException {
            // the driver only uses a server-side cursor inside a transaction
            connection.setAutoCommit(false);
            statement.setFetchSize(fetchSize);
        }
    }

    static final class MariaDb extends Dialect {
        MariaDb(boolean quoting) {
            super(quoting);
        }

        @Override
        public String name() {
            return "MariaDB";
        }

        /**
         * A MySQL URL ({@code jdbc:mysql:}) is read by MariaDB's driver, the one Syncline carries, which takes such a URL only
         * when it says so.
         */
        @Override
        public String driverUrl(String url) {
            if (!url.regionMatches(true, 0, "jdbc:mysql:", 0, 11) || url.contains("permitMysqlScheme")) {
                return url;
            }
            return url + (url.contains("?") ? "&" : "?") + "permitMysqlScheme=true";
        }

        @Override
        protected String quoteChar() {
            return "`";
        }

        @Override
        protected String upsertTail(List<String> keys, List<String> updated, String stampSet) {
            List<String> set = updated.isEmpty() ? keys : updated;
            return " ON DUPLICATE KEY UPDATE " + Stream.concat(set.stream().map(c -> quote(c) + " = VALUES(" + quote(c) + ")"),
                    Stream.ofNullable(stampSet)).collect(Collectors.joining(", "));
        }

        @Override
        protected String now(boolean withZone) {
            return "NOW(6)"; // MariaDB has no timestamp with time zone; NOW(6) is the statement's time in the session's zone
        }
    }

    static final class H2 extends Dialect {
        H2(boolean quoting) {
            super(quoting);
        }

        @Override
        public String name() {
            return "H2";
        }

        /**
         * Without H2's own closing at the JVM's shutdown: it raced Syncline's orderly stop, and a window being applied then
         * found its state store closed (an ERROR on every stop). Syncline stops its routes, then closes its pools.
         */
        @Override
        public String driverUrl(String url) {
            return url.toUpperCase(Locale.ROOT).contains("DB_CLOSE_ON_EXIT") ? url : url + ";DB_CLOSE_ON_EXIT=FALSE";
        }

        @Override
        protected String upsertHead(String table, String quotedColumns, List<String> keys) {
            return "MERGE INTO " + quoteTable(table) + " (" + quotedColumns + ") KEY ("
                    + keys.stream().map(this::quote).collect(Collectors.joining(", ")) + ")";
        }

        @Override
        protected String upsertTail(List<String> keys, List<String> updated, String stampSet) {
            return ""; // MERGE writes the inserted values, the stamp included, whether the key exists or not
        }

        @Override
        protected String now(boolean withZone) {
            return withZone ? "CURRENT_TIMESTAMP" : "LOCALTIMESTAMP";
        }

        @Override
        public boolean upsertIncrements() {
            return false;
        }

        @Override
        public boolean updateRewritesIndexes() {
            return true;
        }

        /**
         * H2 finds each id of an IN list of parameters through the index, then tests every row found against the whole list
         * again, one by one: a query costs the square of its ids (a thousand took 23 ms, ten queries of a hundred 8 ms).
         */
        @Override
        public int idsPerQuery() {
            return 100;
        }
    }
}
