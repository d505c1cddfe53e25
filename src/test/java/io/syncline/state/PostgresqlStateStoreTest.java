package io.syncline.state;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.syncline.testing.EmbeddedDatabases;
import io.syncline.testing.RealDatabases;
import io.syncline.pair.Role;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The state store's contract on PostgreSQL: an application of its own, with only the contacts pair, whose state store
 * is an empty PostgreSQL database that it migrates as it starts.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(PostgresqlStateStoreTest.OnPostgresql.class)
@Order(7) // after the restart test (it writes the help desk's customers again), before the start-up failures, whose settings may outlive them
class PostgresqlStateStoreTest extends StateStoreContract {

    public static class OnPostgresql implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return onlyContacts(RealDatabases.stateStore("postgresql"));
        }
    }

    /**
     * The rows each change passes through (its pending change, its window's intent) are inserted and deleted within
     * seconds; PostgreSQL reuses their space, and their index entries', only once a vacuum cleared them, and autovacuum
     * comes about once a minute. Cleared after each window of many changes, the tables stop growing after the second
     * window (an index page that one vacuum empties is reused after the next).
     */
    @Test
    void theSpaceOfRowsAWindowPassedThroughIsReused() throws SQLException {
        assertTablesStopGrowing("passed-rows-test", 0, 2, 4);
    }

    /** A vacuum skipped because another held the tables (autovacuum, another pair's) is done with the next window. */
    @Test
    void theRowsOfAWindowWhoseVacuumWasSkippedAreClearedWithTheNext() throws SQLException {
        assertTablesStopGrowing("passed-rows-skipped-test", 3, 5, 7);
    }

    /**
     * Passes {@code last} windows of the pair through the state store, window {@code held} (0: none) while another
     * transaction holds both tables as a vacuum does, and checks that neither table grows after window {@code settled}.
     */
    private void assertTablesStopGrowing(String pair, int held, int settled, int last) throws SQLException {
        Map<String, Long> settledSizes = null;
        for (int window = 1; window <= last; window++) {
            if (window == held) {
                try (Connection other = state.connect(); Statement s = other.createStatement()) {
                    other.setAutoCommit(false);
                    s.execute("LOCK TABLE window_intents, pending_changes IN SHARE UPDATE EXCLUSIVE MODE"); // as a vacuum holds them
                    passWindow(pair, window);
                    other.rollback();
                }
            } else {
                passWindow(pair, window);
            }
            Map<String, Long> sizes = tableSizes();
            if (window == settled) {
                settledSizes = sizes;
            }
            if (window > settled) {
                for (String table : sizes.keySet()) {
                    assertTrue(sizes.get(table) <= settledSizes.get(table), table + " after window " + window + ": " + sizes.get(table)
                            + " bytes, after window " + settled + " " + settledSizes.get(table));
                }
            }
        }
    }

    /** 2,000 changes through a window as a two-way pair passes them: pending, intents stored, links moved, forgotten. */
    private void passWindow(String pair, int window) {
        List<String> ids = IntStream.range(0, 2000).mapToObj(i -> "id-" + i).toList();
        pendingChanges.store(pair, List.of(new PendingChanges.StoredPage(Role.A, "crm",
                ids.stream().collect(Collectors.toMap(id -> id, id -> "hash")), null, 0)));
        pendingChanges.close(pair, "window-" + window);
        List<Links.Link> moved = ids.stream().map(id -> new Links.Link(id, "b-" + id, Map.of("f", "v" + id), "a", "b")).toList();
        links.saveIntents(pair, moved, List.of());
        windows.commit(pair, "crm", "helpdesk", new AppliedWindows.Applied(moved, List.of(), ids, Map.of(), List.of(), List.of(),
                List.of(), List.of(), DeadLetters.ANY));
        pendingChanges.forget(pair, "window-" + window); // as the aggregator's repository does once the window is applied
    }

    private Map<String, Long> tableSizes() throws SQLException {
        Map<String, Long> sizes = new TreeMap<>();
        try (Connection c = state.connect(); Statement s = c.createStatement()) {
            for (String table : List.of("window_intents", "pending_changes")) {
                try (ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('" + table + "')")) {
                    rs.next();
                    sizes.put(table, rs.getLong(1));
                }
            }
        }
        return sizes;
    }

    /**
     * The connection that holds the state store's lock breaks (here its backend is terminated, as a database restart or a
     * cut network would end it): the server takes the lock again within seconds, on a new connection.
     */
    @Test
    void aServerWhoseLockConnectionBreaksTakesTheLockAgain() throws SQLException {
        String me = "syncline % pid " + ProcessHandle.current().pid();
        Integer before = lockHolder(me);
        assertTrue(before != null, "this server holds the state store's lock");
        try (Connection c = state.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + before + ")");
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            Integer now = lockHolder(me);
            return now != null && !now.equals(before);
        });
    }

    /** The backend of the session named {@code application} (a LIKE pattern) that holds an advisory lock, if any. */
    private Integer lockHolder(String application) throws SQLException {
        try (Connection c = state.connect(); java.sql.PreparedStatement ps = c.prepareStatement("SELECT a.pid FROM pg_locks l"
                + " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE ?")) {
            ps.setString(1, application);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }

    @Override
    String database() {
        return "PostgreSQL";
    }

    @Override
    String[] emptyDatabase(String name) throws SQLException {
        return new String[] {EmbeddedDatabases.get().postgresDatabase(name, null), "postgres"};
    }
}
