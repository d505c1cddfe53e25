package io.syncline.system;

import io.agroal.api.AgroalDataSource;
import io.syncline.value.Redaction;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** One named database: its connection pool and its dialect. */
public final class JdbcSystem implements ExternalSystem {

    private final String name;
    private final String url;
    private final Dialect dialect;
    private final AgroalDataSource dataSource;

    public JdbcSystem(String name, SynclineConfig.Connection config) {
        this.name = name;
        this.url = config.url();
        this.dialect = Dialect.forUrl(config.url());
        AgroalDataSourceConfigurationSupplier supplier = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool
                        .minSize(0)
                        .initialSize(0)
                        .maxSize(config.maxConnections())
                        .acquisitionTimeout(Duration.ofSeconds(15))
                        // a database that restarted leaves dead connections behind: a connection idle for a second is checked
                        // before use, one in steady use is not (a page at a time would pay a round trip each), and any is dropped
                        // on a fatal error
                        .connectionValidator(AgroalConnectionPoolConfiguration.ConnectionValidator.defaultValidatorWithTimeout(5))
                        .idleValidationTimeout(Duration.ofSeconds(1))
                        .exceptionSorter(AgroalConnectionPoolConfiguration.ExceptionSorter.fatalExceptionSorter())
                        .connectionFactoryConfiguration(factory -> {
                            factory.jdbcUrl(dialect.driverUrl(config.url()));
                            dialect.connectionProperties().forEach(factory::jdbcProperty);
                            config.username().ifPresent(u -> factory.principal(new NamePrincipal(u)));
                            config.password().ifPresent(p -> factory.credential(new SimplePassword(p)));
                            return factory;
                        }));
        try {
            this.dataSource = AgroalDataSource.from(supplier);
        } catch (SQLException e) {
            throw new IllegalStateException("system '" + name + "': cannot create a connection pool for " + Redaction.of(url) + ": "
                    + Redaction.of(e.getMessage()), e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public String entityKind() {
        return "table";
    }

    @Override
    public boolean transactional() {
        return true;
    }

    @Override
    public boolean stamps() {
        return true;
    }

    @Override
    public boolean stampsVersions() {
        return dialect.upsertIncrements();
    }

    @Override
    public Entity entity(String reference, Table table, Table.Column key, Table.Column marker, List<String> columns,
            List<Table.Column> written, Table.Column stamp, String upsertKey, boolean givesIds) {
        return new JdbcEntity(reference, this, table, key, marker, columns, written, stamp, upsertKey, givesIds);
    }

    public Dialect dialect() {
        return dialect;
    }

    public Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    /**
     * The table's real name and columns, looked up case-insensitively; empty if it does not exist. A name without a schema
     * is the table the database itself would read under that name (PostgreSQL: the first schema of the search path that
     * holds one; H2: the connection's schema; MariaDB: the URL's database), or else, on PostgreSQL and H2, the only one of
     * that name in another schema. {@code schema.table} names the schema (on MariaDB, another database of the server). The
     * columns and keys are those of that table alone, not of every table of that name in the database, and statements
     * name it with its schema, whatever the search path says later.
     *
     * @throws SystemException when the database cannot be reached or read
     * @throws IllegalArgumentException when no schema of the search path holds the table and several others do
     */
    @Override
    public Optional<Table> table(String reference) {
        int dot = reference.indexOf('.');
        String schema = dot < 0 ? null : reference.substring(0, dot);
        String tableName = reference.substring(dot + 1);
        try (Connection c = connect()) {
            DatabaseMetaData meta = c.getMetaData();
            // every table of that name, by schema (MariaDB's databases are its driver's catalogs); the exact spelling first
            Map<String, Located> found = new LinkedHashMap<>();
            try (ResultSet rs = meta.getTables(schema != null ? null : c.getCatalog(), null, null, null)) {
                while (rs.next()) {
                    String type = String.valueOf(rs.getString("TABLE_TYPE")).toUpperCase(Locale.ROOT);
                    String candidate = rs.getString("TABLE_NAME");
                    Located at = new Located(rs.getString("TABLE_CAT"), rs.getString("TABLE_SCHEM"), candidate, type.contains("VIEW"));
                    String in = at.namespace();
                    if (RELATIONS.contains(type) && candidate.equalsIgnoreCase(tableName) && isUserSchema(in)
                            && (schema == null || schema.equalsIgnoreCase(in)) && (candidate.equals(tableName) || !found.containsKey(in))) {
                        found.put(in, at);
                    }
                }
            }
            if (found.isEmpty()) {
                return Optional.empty();
            }
            String in = schema != null ? exactOrOnly(found.keySet(), schema) : dialect.searchPath(c).stream().filter(found::containsKey).findFirst().orElse(null);
            if (in == null) {
                if (found.size() > 1) {
                    List<String> schemas = found.keySet().stream().sorted().toList();
                    throw new IllegalArgumentException("table '" + tableName + "' is in " + schemas.size() + " schemas (" + String.join(", ", schemas)
                            + "), none of them on the connection's search path: name the schema, e.g. " + name + "." + schemas.get(0) + "." + tableName);
                }
                in = found.keySet().iterator().next();
            }
            Located at = found.get(in);
            String actual = at.name();
            Map<String, Table.Column> columns = new LinkedHashMap<>();
            try (ResultSet rs = meta.getColumns(at.catalog(), at.schema(), actual, null)) {
                while (rs.next()) {
                    // the names are patterns, whose '_' matches any character: bill_runs matches billxruns
                    if (!actual.equals(rs.getString("TABLE_NAME")) || !Objects.equals(at.schema(), rs.getString("TABLE_SCHEM"))
                            || !Objects.equals(at.catalog(), rs.getString("TABLE_CAT"))) {
                        continue;
                    }
                    String col = rs.getString("COLUMN_NAME");
                    columns.putIfAbsent(col.toLowerCase(Locale.ROOT),
                            new Table.Column(col, rs.getInt("DATA_TYPE"), rs.getString("TYPE_NAME"),
                                    rs.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls));
                }
            }
            List<List<String>> uniqueKeys = new ArrayList<>();
            List<String> primary = new ArrayList<>();
            try (ResultSet rs = meta.getPrimaryKeys(at.catalog(), at.schema(), actual)) {
                while (rs.next()) {
                    primary.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                }
            }
            if (!primary.isEmpty()) {
                uniqueKeys.add(primary);
            }
            Map<String, List<String>> indexes = new LinkedHashMap<>();
            try (ResultSet rs = meta.getIndexInfo(at.catalog(), at.schema(), actual, true, false)) {
                while (rs.next()) {
                    String index = rs.getString("INDEX_NAME");
                    String col = rs.getString("COLUMN_NAME");
                    if (index != null && col != null) {
                        indexes.computeIfAbsent(index, k -> new ArrayList<>()).add(col.toLowerCase(Locale.ROOT));
                    }
                }
            }
            uniqueKeys.addAll(indexes.values());
            return Optional.of(new Table(actual, columns, uniqueKeys, in, at.view()));
        } catch (SQLException e) {
            throw new SystemException(e.getMessage(), e);
        }
    }

    /** Where the metadata found a table: its catalog and schema as the driver names them, its real name, whether a view. */
    private record Located(String catalog, String schema, String name, boolean view) {
        /** The schema statements name: MariaDB's driver gives a database as the catalog (or as the schema, if told to). */
        String namespace() {
            return schema != null ? schema : catalog;
        }
    }

    /**
     * What a side may name, as drivers call them: a table (PostgreSQL's partitioned ones too) or a view, which is only read
     * (a one-way pair's source); not an index, a sequence or a system table.
     */
    private static final Set<String> RELATIONS = Set.of("TABLE", "BASE TABLE", "PARTITIONED TABLE", "VIEW", "MATERIALIZED VIEW");

    /** The schema as written, or the only one that differs from it in case. */
    private static String exactOrOnly(Set<String> schemas, String written) {
        return schemas.contains(written) ? written : schemas.iterator().next();
    }

    private static boolean isUserSchema(String schema) {
        return schema == null || !(schema.equalsIgnoreCase("INFORMATION_SCHEMA") || schema.equalsIgnoreCase("pg_catalog"));
    }

    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return name + " (" + dialect.name() + ")";
    }
}
