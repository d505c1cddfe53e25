package io.syncline.state;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.syncline.testing.EmbeddedDatabases;
import io.syncline.testing.RealDatabases;
import io.syncline.pair.Role;
import jakarta.inject.Inject;
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

    @Inject
    PendingChanges pendingChanges;

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
        String pair = "passed-rows-test";
        Map<String, Long> afterSecond = null;
        for (int window = 1; window <= 4; window++) {
            passWindow(pair, window);
            Map<String, Long> sizes = tableSizes();
            if (window == 2) {
                afterSecond = sizes;
            } else if (window > 2) {
                assertNoLarger(sizes, afterSecond, "after window " + window + ", against the second");
            }
        }
    }

    /** A vacuum skipped because another held the tables (autovacuum, another pair's) is done with the next window. */
    @Test
    void theRowsOfAWindowWhoseVacuumWasSkippedAreClearedWithTheNext() throws SQLException {
        String pair = "passed-rows-skipped-test";
        Map<String, Long> afterFifth = null;
        for (int window = 1; window <= 7; window++) {
            if (window == 3) {
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
            if (window == 5) {
                afterFifth = sizes;
            } else if (window > 5) {
                assertNoLarger(sizes, afterFifth, "after window " + window + ", against the fifth");
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
                List.of(), List.of()));
        pendingChanges.forget(pair, "window-" + window); // as the aggregator's repository does once the window is applied
    }

    private static void assertNoLarger(Map<String, Long> sizes, Map<String, Long> earlier, String when) {
        for (String table : sizes.keySet()) {
            assertTrue(sizes.get(table) <= earlier.get(table), table + " " + when + ": " + sizes.get(table) + " bytes, " + earlier.get(table));
        }
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

    @Override
    String database() {
        return "PostgreSQL";
    }

    @Override
    String[] emptyDatabase(String name) throws SQLException {
        return new String[] {EmbeddedDatabases.get().postgresDatabase(name, null), "postgres"};
    }
}
