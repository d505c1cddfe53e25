package io.syncline.system;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncline.testing.EmbeddedDatabases;
import io.syncline.testing.SystemConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which table a pair's side names, on real servers: the name alone is the table the database itself reads under it, or the
 * only one of that name in another schema; {@code schema.table} names the schema (on MariaDB, the database). The table's
 * columns are its own, and statements read the table named.
 */
class TableLookupTest {

    @Test
    void postgresql() throws SQLException {
        String url = EmbeddedDatabases.get().postgresDatabase("table_lookup", null);
        try (JdbcSystem system = new JdbcSystem("shop", SystemConnection.database(url, "postgres"))) {
            run(system, "CREATE SCHEMA sales", "CREATE SCHEMA archive",
                    "CREATE TABLE public.items (id INT PRIMARY KEY, in_public TEXT UNIQUE)", "INSERT INTO public.items VALUES (1, 'public')",
                    "CREATE TABLE sales.items (id INT PRIMARY KEY, in_sales TEXT UNIQUE)", "INSERT INTO sales.items VALUES (1, 'sales')",
                    "CREATE TABLE sales.orders (id INT PRIMARY KEY, total INT)",
                    "CREATE TABLE sales.ledger (id INT PRIMARY KEY)", "CREATE TABLE archive.ledger (id INT PRIMARY KEY)",
                    "CREATE TABLE public.notes (id INT PRIMARY KEY, in_public TEXT)", "CREATE TABLE archive.notes (id INT PRIMARY KEY, in_archive TEXT)",
                    "CREATE TABLE sales.events (id INT, at DATE NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
                    "CREATE TABLE sales.events_2026 PARTITION OF sales.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
                    "INSERT INTO sales.events VALUES (1, '2026-05-01')",
                    "CREATE VIEW public.open_items AS SELECT id, in_public FROM public.items", "CREATE SEQUENCE public.counter");

            Table items = system.table("items").orElseThrow();
            assertEquals(List.of("id", "in_public"), List.copyOf(items.columns().keySet()), "the search path's table, its columns alone");
            assertEquals("public.items", items.qualifiedName(), "the schema named, whatever the search path says later");
            assertEquals("public", read(system, items, "in_public"));
            assertTrue(items.isUniqueKey("in_public") && !items.isUniqueKey("in_sales"), "its keys alone: " + items.uniqueKeys());

            Table sales = system.table("sales.items").orElseThrow();
            assertEquals(List.of("id", "in_sales"), List.copyOf(sales.columns().keySet()));
            assertEquals("sales.items", sales.qualifiedName());
            assertEquals("sales", read(system, sales, "in_sales"));
            assertTrue(sales.isUniqueKey("in_sales") && !sales.isUniqueKey("in_public"), "its keys alone: " + sales.uniqueKeys());
            assertEquals("sales.items", system.table("SALES.Items").orElseThrow().qualifiedName(), "names in any case");

            assertEquals("sales.orders", system.table("orders").orElseThrow().qualifiedName(), "the only table of that name, off the path");
            Table events = system.table("sales.events").orElseThrow(); // a partitioned table, not its partition
            assertEquals(List.of("id", "at"), List.copyOf(events.columns().keySet()));
            assertEquals("2026-05-01", read(system, events, "at"));
            Table view = system.table("open_items").orElseThrow();
            assertTrue(view.view());
            assertEquals("public", read(system, view, "in_public"), "a view, read as a source");
            assertTrue(system.table("counter").isEmpty(), "a sequence is no table");
            assertTrue(system.table("archive.items").isEmpty());
            IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> system.table("ledger"));
            assertThat(twice.getMessage(), containsString("table 'ledger' is in 2 schemas (archive, sales), none of them on the connection's"
                    + " search path: name the schema, e.g. shop.archive.ledger"));
        }
        // a search path that puts sales first: the name alone is sales' table, and public's where sales has none
        run(url, "ALTER DATABASE table_lookup SET search_path = sales, public");
        try (JdbcSystem system = new JdbcSystem("shop", SystemConnection.database(url, "postgres"))) {
            Table items = system.table("items").orElseThrow();
            assertEquals(List.of("id", "in_sales"), List.copyOf(items.columns().keySet()));
            assertEquals("sales.items", items.qualifiedName());
            assertEquals("sales", read(system, items, "in_sales"));
            Table notes = system.table("notes").orElseThrow();
            assertEquals(List.of("id", "in_public"), List.copyOf(notes.columns().keySet()), "the path's second schema, not archive's");
            assertEquals("public.notes", notes.qualifiedName());
        }
    }

    @Test
    void mariaDb() throws SQLException {
        EmbeddedDatabases dbs = EmbeddedDatabases.get();
        String other = dbs.mariaDbDatabase("table_lookup_other", null);
        String url = dbs.mariaDbDatabase("table_lookup", null);
        run(other, "CREATE TABLE items (id INT PRIMARY KEY, in_other VARCHAR(10))", "INSERT INTO items VALUES (1, 'other')");
        try (JdbcSystem system = new JdbcSystem("desk", SystemConnection.database(url, "root"))) {
            run(system, "CREATE TABLE items (id INT PRIMARY KEY, in_own VARCHAR(10))", "INSERT INTO items VALUES (1, 'own')");

            Table own = system.table("items").orElseThrow();
            assertEquals(List.of("id", "in_own"), List.copyOf(own.columns().keySet()), "the URL's database");
            assertEquals("table_lookup.items", own.qualifiedName());
            assertEquals("own", read(system, own, "in_own"));

            Table another = system.table("table_lookup_other.items").orElseThrow();
            assertEquals(List.of("id", "in_other"), List.copyOf(another.columns().keySet()), "another database of the server");
            assertEquals("table_lookup_other.items", another.qualifiedName());
            assertEquals("other", read(system, another, "in_other"));
            assertEquals("table_lookup_other.items", system.table("TABLE_LOOKUP_OTHER.items").orElseThrow().qualifiedName(), "names in any case");
        }
        // the driver told to call databases schemas
        try (JdbcSystem system = new JdbcSystem("desk", SystemConnection.database(url + "?useCatalogTerm=Schema", "root"))) {
            Table own = system.table("items").orElseThrow();
            assertEquals(List.of("id", "in_own"), List.copyOf(own.columns().keySet()));
            assertEquals("own", read(system, own, "in_own"));
            assertEquals("other", read(system, system.table("table_lookup_other.items").orElseThrow(), "in_other"));
        }
    }

    @Test
    void h2() throws SQLException {
        try (JdbcSystem system = new JdbcSystem("local", SystemConnection.database("jdbc:h2:mem:table_lookup;DB_CLOSE_DELAY=-1", null))) {
            run(system, "CREATE SCHEMA sales", "CREATE TABLE items (id INT PRIMARY KEY, in_public VARCHAR(10))", "INSERT INTO items VALUES (1, 'public')",
                    "CREATE TABLE sales.items (id INT PRIMARY KEY, in_sales VARCHAR(10))", "INSERT INTO sales.items VALUES (1, 'sales')");
            Table items = system.table("items").orElseThrow();
            assertEquals(List.of("id", "in_public"), List.copyOf(items.columns().keySet()));
            assertEquals("PUBLIC.ITEMS", items.qualifiedName());
            Table sales = system.table("sales.items").orElseThrow();
            assertEquals(List.of("id", "in_sales"), List.copyOf(sales.columns().keySet()));
            assertEquals("sales", read(system, sales, "in_sales"));
        }
    }

    /** The column's value in the row of id 1, read as a pair's statements name the table. */
    private static String read(JdbcSystem system, Table table, String column) throws SQLException {
        Dialect dialect = system.dialect();
        try (Connection c = system.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + dialect.quote(table.column(column).orElseThrow().name()) + " FROM "
                        + dialect.quoteTable(table.qualifiedName()) + " WHERE " + dialect.quote(table.column("id").orElseThrow().name()) + " = 1")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    private static void run(JdbcSystem system, String... statements) throws SQLException {
        try (Connection c = system.connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static void run(String url, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, url.startsWith("jdbc:postgresql:") ? "postgres" : "root", null);
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }
}
