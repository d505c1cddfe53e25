package io.syncline.state;

import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syncline.pair.Role;
import io.syncline.system.Position;
import io.syncline.system.SynclineConfig;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What the state store must do on each database it may be (H2, the default; PostgreSQL and MariaDB, which operators
 * choose for large pairs): the application migrates it as it starts, a pair syncs through it, and the writes whose
 * SQL differs per database behave alike. Each subclass runs these on one database.
 */
abstract class StateStoreContract {

    @Inject
    SyncState state;

    @Inject
    DeadLetters deadLetters;

    @Inject
    Links links;

    @Inject
    AppliedWindows windows;

    @Inject
    PendingChanges pendingChanges;

    @Inject
    SynclineConfig config;

    /** An application's settings for a state store of its own, with the contacts pair alone. */
    static Map<String, String> onlyContacts(Map<String, String> stateStore) {
        Map<String, String> config = new HashMap<>(stateStore);
        config.put("camel.main.routes-include-pattern", "file:routes/contacts.yaml");
        return config;
    }

    /** The database the subclass's application keeps its state in, as the state store names it. */
    abstract String database();

    /** A new, empty database on the same server (H2: in memory): its URL, and the user to connect as. */
    abstract String[] emptyDatabase(String name) throws SQLException;

    @Test
    void theApplicationKeepsItsStateInThatDatabase() {
        assertEquals(database(), state.ownTables().name());
    }

    /**
     * One server per state store. A second server that starts on this application's store waits for it, then stops with
     * an error that names it; on a store of its own (an empty database), a second server that waits takes the lock as soon
     * as the first stops. (An H2 file is locked by the process that opens it, and by no other: {@code DemoIT} starts a
     * second server on the demo's.)
     */
    @Test
    void aSecondServerWaitsForTheOneThatHoldsTheStoreAndThenStopsNamingIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(database().equals("H2"), "H2: DemoIT");
        SynclineConfig.State store = config.state();
        long started = System.nanoTime();
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> StateStoreLock.take(store.url(),
                store.username().orElse(null), store.password().orElse(null), Duration.ofSeconds(2)).close());
        assertTrue(System.nanoTime() - started >= Duration.ofSeconds(2).toNanos(), "it waited");
        assertTrue(refused.getMessage().contains("used by another Syncline server ("), refused.getMessage());
        if (database().equals("PostgreSQL")) { // which names the holder's application; MariaDB its connection
            assertTrue(refused.getMessage().contains("('syncline ") && refused.getMessage().contains(" pid " + ProcessHandle.current().pid() + "'"),
                    refused.getMessage());
        }

        String[] other = emptyDatabase("state_lock_" + System.nanoTime());
        CompletableFuture<StateStoreLock> second;
        try (StateStoreLock first = StateStoreLock.take(other[0], other[1], null, Duration.ZERO)) {
            second = CompletableFuture.supplyAsync(() -> StateStoreLock.take(other[0], other[1], null, Duration.ofSeconds(60)));
            Thread.sleep(2_000);
            assertFalse(second.isDone(), "the second server waits while the first holds the store");
        }
        second.get(20, TimeUnit.SECONDS).close(); // the first stopped: the second has it
    }

    /**
     * A window that stopped between its sides' commits and its links' move left its intent in columns of its links until
     * V10, which moves intents to {@code window_intents}: the upgrade keeps it, so the window is replayed after the upgrade
     * as it would have been before; links without an intent leave none. On H2, V11 then moves the links' hashes and bases
     * to {@code link_states}: they are kept too.
     */
    @Test
    void aWindowsIntentStoredBeforeTheUpgradeIsKept() throws SQLException {
        String[] database = emptyDatabase("state_upgrade_" + System.nanoTime());
        // the last script before V10: MariaDB's V9 (V8 and V9 are its own), V7 on the others
        SyncState.migrations(database[0], database[1], null).target(database().equals("MariaDB") ? "9" : "7").load().migrate();
        try (Connection c = DriverManager.getConnection(database[0], database[1], null); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO links (pair, a_id, b_id, a_hash, b_hash, base, synced_at, next_base, next_a_hash, next_b_hash)"
                    + " VALUES ('people', 'a1', 'b1', 'ha', 'hb', '{\"phone\":\"1\"}', 0, '{\"phone\":\"2\"}', 'na', '=nb')");
            s.executeUpdate("INSERT INTO links (pair, a_id, b_id, a_hash, b_hash, base, synced_at)"
                    + " VALUES ('people', 'a2', 'b2', 'ha2', 'hb2', '{\"phone\":\"3\"}', 0)");
        }
        SyncState.migrations(database[0], database[1], null).load().migrate();
        try (Connection c = DriverManager.getConnection(database[0], database[1], null); Statement s = c.createStatement()) {
            assertEquals(List.of("people a1 b1 {\"phone\":\"2\"} na =nb"), rows(s,
                    "SELECT pair, a_id, b_id, next_base, next_a_hash, next_b_hash FROM window_intents"));
            assertEquals(List.of("people a1 b1 {\"phone\":\"1\"} ha hb", "people a2 b2 {\"phone\":\"3\"} ha2 hb2"), rows(s,
                    "SELECT pair, a_id, b_id, base, a_hash, b_hash FROM " + (state.ownTables().updateRewritesIndexes()
                            ? "links JOIN link_states ON link_states.id = links.id" : "links") + " ORDER BY a_id"));
        }
    }

    private static List<String> rows(Statement s, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    values.add(rs.getString(i));
                }
                rows.add(String.join(" ", values));
            }
        }
        return rows;
    }

    @Test
    void aOneWayPairSyncsThroughIt() {
        String first = "On" + database();
        update(crm(), "UPDATE contacts SET first_name = ?, updated_at = LOCALTIMESTAMP WHERE id = 9", first);
        String name = first + " " + row(crm(), "SELECT last_name FROM contacts WHERE id = 9").get("last_name");
        await().atMost(Duration.ofSeconds(60)).until(() -> name.equals(row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 9").get("full_name")));
        // the links commit just after the target's rows (a page's state commit follows its write)
        await("the contacts pair's links in this state store").atMost(Duration.ofSeconds(30)).until(() -> state.linkCount("contacts") >= 100);
    }

    /**
     * A full load that began with no links inserts each page's links rather than upserting them (cheaper for the state
     * store). A link that exists after all, stored meanwhile by another writer of the pair, must not fail the page: its
     * links are upserted then, and the page's hashes are what the store holds.
     */
    @Test
    void aPageOfAFullLoadWhoseLinkExistsAlreadyIsStoredAllTheSame() {
        String pair = "page-links-test";
        try (SyncState.PageCommit commit = state.preparePage(pair, "crm", List.of(new SyncState.Written("1", "b1", "old")), null, 0, false, DeadLetters.ANY)) {
            commit.commit(); // e.g. a webhook's write, during the full load
        }
        List<SyncState.Written> page = List.of(new SyncState.Written("1", "b1", "new"), new SyncState.Written("2", "b2", "two"));
        try (SyncState.PageCommit commit = state.preparePage(pair, "crm", page, null, 0, true, DeadLetters.ANY)) {
            commit.commit();
        }
        assertEquals(Map.of("1", "new", "2", "two"), links.hashes(pair, Role.A, List.of("1", "2")));

        List<SyncState.Written> fresh = List.of(new SyncState.Written("3", "b3", "three"), new SyncState.Written("4", "b4", "four"));
        try (SyncState.PageCommit commit = state.preparePage(pair, "crm", fresh, null, 0, true, DeadLetters.ANY)) {
            commit.commit();
        }
        assertEquals(Map.of("3", "three", "4", "four"), links.hashes(pair, Role.A, List.of("3", "4")));
    }

    /**
     * Looked-up hashes are remembered for the re-reads of polls ({@link LinkHashes}); a commit that moves or ends a link,
     * whichever writes it, must make the next look-up answer what the store holds.
     */
    @Test
    void aLinkMovedByAnyCommitIsLookedUpAgain() {
        String pair = "moved-links-test";
        links.save(pair, List.of(new Links.Link("1", "b1", Map.of("f", "v"), "a-one", "b-one"))); // reconciliation's match
        assertHashes(pair, "a-one", "b1", "b-one");
        windows.commit(pair, "crm", "helpdesk", applied(List.of(new Links.Link("1", "b1", Map.of("f", "w"), "a-two", "b-two")), List.of()));
        assertHashes(pair, "a-two", "b1", "b-two");
        try (SyncState.PageCommit commit = state.preparePage(pair, "crm", List.of(new SyncState.Written("1", "b1", "a-three")), null, 0, false, DeadLetters.ANY)) {
            commit.commit(); // a one-way page stores side A's hash
        }
        assertEquals(Map.of("1", "a-three"), links.hashes(pair, Role.A, List.of("1")));
        links.save(pair, List.of(new Links.Link("1", "b2", null, "a-four", "b-four"))); // linked to another record of side B
        assertHashes(pair, "a-four", "b2", "b-four");
        assertEquals(Map.of(), links.hashes(pair, Role.B, List.of("b1")), "no longer linked");
        links.saveIntents(pair, List.of(), List.of(new Links.Link("1", "b2", null, "a-five", Links.CREATING + "b-five"))); // a window creates it
        assertHashes(pair, "a-five", "b2", Links.CREATING + "b-five");
        windows.commit(pair, "crm", "helpdesk", applied(List.of(), List.of("1"))); // a window ends it
        assertEquals(Map.of(), links.hashes(pair, Role.A, List.of("1")));
        assertEquals(Map.of(), links.hashes(pair, Role.B, List.of("b2")));

        links.save(pair, List.of(new Links.Link("1", "b1", null, "a-one", "b-one")));
        assertHashes(pair, "a-one", "b1", "b-one");
        state.resetForResync(pair, SyncState.Forget.LINKS);
        assertEquals(Map.of(), links.hashes(pair, Role.A, List.of("1")), "a resync forgot them");
    }

    /**
     * A window this process is closing is its own to apply: window recovery, which looks for stranded windows every few
     * seconds, must never take it, also not in the moment its close has committed. Windows closed one after the other while
     * recovery's look-up runs without pause; a window it took would be applied twice.
     */
    @Test
    void aWindowBeingClosedIsNeverTakenAsStranded() throws Exception {
        String pair = "closing-test";
        AtomicBoolean closing = new AtomicBoolean(true);
        CompletableFuture<Set<String>> taken = CompletableFuture.supplyAsync(() -> {
            Set<String> ids = new TreeSet<>();
            while (closing.get()) {
                ids.addAll(pendingChanges.stranded(pair).keySet());
            }
            return ids;
        });
        try {
            for (int window = 1; window <= 200; window++) {
                pendingChanges.store(pair, List.of(new PendingChanges.StoredPage(Role.A, "crm", Map.of("id-" + window, "hash"), null, 0)));
                pendingChanges.close(pair, "window-" + window);
                pendingChanges.forget(pair, "window-" + window);
            }
        } finally {
            closing.set(false);
        }
        assertEquals(Set.of(), taken.get(60, TimeUnit.SECONDS), "windows that recovery would have applied a second time");
    }

    /**
     * A window whose apply failed is window recovery's to apply again (once the pair's backoff has passed); the pair's other
     * windows, closed and waiting for the aggregator's thread, stay the aggregator's: taken by recovery too, each would be
     * applied twice.
     */
    @Test
    void onlyTheWindowWhoseApplyFailedIsLeftToRecovery() {
        String pair = "failing-test";
        List<String> closed = List.of("failing-window-1", "failing-window-2", "failing-window-3");
        for (String window : closed) {
            pendingChanges.store(pair, List.of(new PendingChanges.StoredPage(Role.A, "crm", Map.of("id-" + window, "hash"), null, 0)));
            pendingChanges.close(pair, window);
        }
        pendingChanges.failed("failing-window-2");
        assertEquals(Set.of("failing-window-2"), pendingChanges.stranded(pair).keySet());
        closed.forEach(window -> pendingChanges.forget(pair, window));
    }

    /**
     * A one-way reconciliation ends the links of records gone from the source: a tombstone keeps the link with the hash
     * {@link Links#GONE}, a delete removes it, and either leaves a link whose hash changed since the pass read it (a page
     * wrote the record again). A resync of a pair with deletes forgets the hashes and keeps the tombstones.
     */
    @Test
    void linksEndOnlyWhereTheyHoldTheHashReadAndAResyncForgetsTheirHashes() {
        String pair = "ended-links-test";
        try (SyncState.PageCommit commit = state.preparePage(pair, "crm", List.of(new SyncState.Written("1", "b1", "one"),
                new SyncState.Written("2", "b2", "two"), new SyncState.Written("3", "b3", "three"), new SyncState.Written("4", "b4", "four")),
                null, 0, true, DeadLetters.ANY)) {
            commit.commit();
        }
        links.gone(pair, "crm", Map.of("1", "one", "2", "stale"), true, DeadLetters.ANY);
        links.gone(pair, "crm", Map.of("3", "three", "4", "stale"), false, DeadLetters.ANY);
        assertEquals(Map.of("1", Links.GONE, "2", "two", "4", "four"), links.hashes(pair, Role.A, List.of("1", "2", "3", "4")));
        assertEquals(List.of("1 b1 ~", "2 b2 two", "4 b4 four"), links.keys(pair).stream()
                .map(k -> k.aId() + " " + k.bId() + " " + k.aHash()).sorted().toList());
        assertEquals(3, state.linkCount(pair));

        state.resetForResync(pair, SyncState.Forget.HASHES);
        assertEquals(Map.of("1", Links.GONE, "2", Links.UNKNOWN, "4", Links.UNKNOWN), links.hashes(pair, Role.A, List.of("1", "2", "4")));
        try (SyncState.PageCommit commit = state.preparePage(pair, "crm", List.of(new SyncState.Written("2", "b2", "two again")), null, 0, false, DeadLetters.ANY)) {
            commit.commit();
        }
        assertEquals(Map.of("2", "two again"), links.hashes(pair, Role.A, List.of("2")));
    }

    private void assertHashes(String pair, String aHash, String bId, String bHash) {
        assertEquals(Map.of("1", aHash), links.hashes(pair, Role.A, List.of("1")));
        assertEquals(Map.of(bId, bHash), links.hashes(pair, Role.B, List.of(bId)));
    }

    private static AppliedWindows.Applied applied(List<Links.Link> moved, List<String> ended) {
        return applied(moved, ended, List.of());
    }

    private static AppliedWindows.Applied applied(List<Links.Link> moved, List<String> ended, List<String> intentsDone) {
        return new AppliedWindows.Applied(moved, ended, intentsDone, Map.of(), List.of(), List.of(), List.of(), List.of(), DeadLetters.ANY);
    }

    /**
     * A window's intent is stored before its sides commit, replaces an intent left by a window that stopped, and is gone
     * with the commit that moves its link; a commit that moves other links leaves it.
     */
    @Test
    void aWindowsIntentLastsUntilItsLinkMoves() {
        String pair = "intents-test";
        Links.Link link = new Links.Link("1", "b1", Map.of("f", "v"), "a-one", "b-one");
        links.save(pair, List.of(link, new Links.Link("2", "b2", Map.of("f", "v"), "a-one", "b-one")));
        links.saveIntents(pair, List.of(new Links.Link("1", "b1", Map.of("f", "w"), "a-two", Links.intended("b-two", false))), List.of());
        links.saveIntents(pair, List.of(new Links.Link("1", "b1", Map.of("f", "x"), "a-three", "b-three")), List.of()); // replayed
        assertEquals(Map.of("1", new Links.Link("1", "b1", Map.of("f", "x"), "a-three", "b-three")), links.intents(pair, List.of("1", "2")));
        windows.commit(pair, "crm", "helpdesk", applied(List.of(new Links.Link("2", "b2", Map.of("f", "y"), "a-y", "b-y")), List.of(), List.of("2")));
        assertEquals(List.of("1"), List.copyOf(links.intents(pair, List.of("1", "2")).keySet()), "another link's commit leaves it");
        windows.commit(pair, "crm", "helpdesk", applied(List.of(new Links.Link("1", "b1", Map.of("f", "x"), "a-three", "b-three")), List.of(),
                List.of("1")));
        assertEquals(Map.of(), links.intents(pair, List.of("1", "2")));
        assertHashes(pair, "a-three", "b1", "b-three");
    }

    /**
     * Text is kept as written, whatever its characters (an emoji in a dead letter's record), and ids differing in case or
     * in trailing spaces are two records.
     */
    @Test
    void textIsKeptAsWrittenAndIdsDifferingInCaseOrTrailingSpacesAreTwoRecords() {
        String pair = "text-test";
        deadLetters.store(pair, "crm", "smiley", "the target refused '\uD83D\uDE00'", "{first_name=Smiley \uD83D\uDE00}");
        assertEquals("{first_name=Smiley \uD83D\uDE00}", deadLetters.list(pair, 10).get(0).record());
        try (SyncState.PageCommit commit = state.preparePage(pair, "crm", List.of(new SyncState.Written("Key", "b1", "upper"),
                new SyncState.Written("key", "b2", "lower"), new SyncState.Written("key ", "b3", "spaced")), null, 0, false, DeadLetters.ANY)) {
            commit.commit();
        }
        assertEquals(Map.of("Key", "upper", "key", "lower", "key ", "spaced"), links.hashes(pair, Role.A, List.of("Key", "key", "key ")));
    }

    /**
     * A resync asked for while a page is being committed waits for it, longer than a lock timeout (H2's is two seconds),
     * rather than fail (an operator's request answered with an error), and then forgets what the page stored.
     */
    @Test
    void aResyncWaitsForAPageBeingCommitted() throws Exception {
        String pair = "resync-waits-test";
        try (SyncState.PageCommit first = state.preparePage(pair, "crm", List.of(new SyncState.Written("1", "b1", "one")),
                Position.of("2026-01-01 00:00:00", "1"), state.resyncs(pair), false, DeadLetters.ANY)) {
            first.commit();
        }
        java.util.concurrent.ExecutorService operator = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<?> resync;
            // the second page holds the pair's cursor and link until it commits
            try (SyncState.PageCommit second = state.preparePage(pair, "crm", List.of(new SyncState.Written("1", "b1", "two")),
                    Position.of("2026-01-02 00:00:00", "1"), state.resyncs(pair), false, DeadLetters.ANY)) {
                resync = operator.submit(() -> state.resetForResync(pair, SyncState.Forget.LINKS));
                Thread.sleep(3_000);
                assertFalse(resync.isDone(), "the resync waits for the page");
                second.commit();
            }
            resync.get(60, TimeUnit.SECONDS); // fails here if the resync failed
        } finally {
            operator.shutdownNow();
        }
        assertTrue(state.cursor(pair, "crm").isStart(), "the resync reset the cursor");
        assertEquals(Map.of(), links.hashes(pair, Role.A, List.of("1")), "and forgot the links");
    }

    /** A page of a poll that a resync overtook moves neither the cursor nor the links: the resync's full load starts from nothing. */
    @Test
    void aPageOfAPollThatAResyncOvertookMovesNothing() {
        String pair = "resync-overtakes-test";
        try (SyncState.PageCommit commit = state.preparePage(pair, "crm", List.of(new SyncState.Written("1", "b1", "one")),
                Position.of("2026-01-01 00:00:00", "1"), state.resyncs(pair), false, DeadLetters.ANY)) {
            commit.commit();
        }
        long before = state.resyncs(pair);
        state.resetForResync(pair, SyncState.Forget.LINKS);
        assertTrue(state.cursor(pair, "crm").isStart(), "the resync reset the cursor");
        assertThrows(SyncState.ResyncBegan.class, () -> state.preparePage(pair, "crm", List.of(new SyncState.Written("2", "b2", "two")),
                Position.of("2026-01-02 00:00:00", "2"), before, false, DeadLetters.ANY));
        assertTrue(state.cursor(pair, "crm").isStart(), "the overtaken page did not move the cursor");
        assertEquals(Map.of(), links.hashes(pair, Role.A, List.of("1", "2")), "the resync forgot the links; the page stored none");
    }
}
