package io.syncline.sync;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static io.syncline.testing.Polls.awaitPolls;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.syncline.flow.SyncStateRepository;
import io.syncline.testing.Deadlocks;
import io.syncline.testing.EmbeddedDatabases;
import io.syncline.testing.RealDatabases;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The pairs of {@code routes/} against real databases: contacts from PostgreSQL to MariaDB,
 * tickets from MariaDB to PostgreSQL.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(1)
class OneWaySyncTest {

    private static final Duration SYNC = Duration.ofSeconds(30);

    @BeforeEach
    void initialLoadIsDone() {
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM customers WHERE crm_id <= 100") == 100
                && count(crm(), "SELECT COUNT(*) FROM tickets") >= 20);
    }

    @Test
    void initialLoadMapsValuesAndConvertsTimeZones() {
        Map<String, Object> ada3 = row(helpdesk(), "SELECT * FROM customers WHERE crm_id = 3");
        assertEquals("Ada3 Lovelace", ada3.get("full_name"));
        assertEquals("ada3@example.com", ada3.get("email"), "trimmed and lower-cased");
        assertEquals(0, ((Number) ada3.get("active")).intValue(), "Inactive -> 0");
        assertEquals(java.sql.Date.valueOf(LocalDate.of(1985, 12, 10)), ada3.get("birthday"), "dd/MM/yyyy text -> DATE");
        assertEquals("standard", ada3.get("tier"), "default for an empty tier");
        // 2024-04-03 01:30 in Paris is summer time (UTC+2): 23:30 UTC the day before
        assertEquals(Timestamp.valueOf(LocalDateTime.of(2024, 4, 2, 23, 30)), ada3.get("created_utc"));
        assertEquals(1, ((Number) row(helpdesk(), "SELECT active FROM customers WHERE crm_id = 1").get("active")).intValue(), "Active -> 1");

        Map<String, Object> ticket3 = row(crm(), "SELECT * FROM tickets WHERE helpdesk_id = 3");
        assertEquals("Printer on fire #3", ticket3.get("title"));
        assertEquals("low", ticket3.get("priority"), "1 -> low");
        assertEquals(true, ticket3.get("is_open"), "open -> true");
        OffsetDateTime opened = ((Timestamp) ticket3.get("opened_at")).toInstant().atOffset(ZoneOffset.UTC);
        assertEquals(OffsetDateTime.of(2024, 6, 1, 11, 0, 0, 0, ZoneOffset.UTC), opened, "DATETIME read as UTC -> TIMESTAMPTZ");
    }

    @Test
    void insertsAndUpdatesThatArriveLaterAreSynced() {
        update(crm(), "INSERT INTO contacts VALUES (1001, 'Grace', 'Hopper', 'grace@example.com', 'Active', '09/12/1906', 'gold', "
                + "TIMESTAMP '2024-01-15 12:00:00', LOCALTIMESTAMP)");
        update(crm(), "UPDATE contacts SET last_name = 'Byron', updated_at = LOCALTIMESTAMP WHERE id = 5");
        update(helpdesk(), "UPDATE tickets SET status = 'closed', updated_at = NOW(6) WHERE id = 7");
        await().atMost(SYNC).untilAsserted(() -> {
            assertEquals("Grace Hopper", row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 1001").get("full_name"));
            assertEquals("gold", row(helpdesk(), "SELECT tier FROM customers WHERE crm_id = 1001").get("tier"));
            // winter time in Paris (UTC+1)
            assertEquals(Timestamp.valueOf(LocalDateTime.of(2024, 1, 15, 11, 0)),
                    row(helpdesk(), "SELECT created_utc FROM customers WHERE crm_id = 1001").get("created_utc"));
            assertEquals("Ada5 Byron", row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 5").get("full_name"));
            assertEquals(false, row(crm(), "SELECT is_open FROM tickets WHERE helpdesk_id = 7").get("is_open"));
        });
    }

    /**
     * Pair "tickets": a page that PostgreSQL aborts to break a deadlock with an application's transaction on the same rows is
     * written again at once; the poll does not fail (it would wait out a backoff, and health would say DOWN meanwhile).
     */
    @Test
    void aPageAbortedToBreakADeadlockIsWrittenAgainAtOnce() throws Exception {
        long deadlocksBefore = Deadlocks.brokenInCrm();
        List<String> failures = new CopyOnWriteArrayList<>();
        String subject = null;
        boolean syncline = false; // PostgreSQL aborted Syncline's transaction, not the application's
        for (int attempt = 1; subject == null; attempt++) {
            String edit = "Deadlocked " + attempt;
            syncline = Deadlocks.inCrm("tickets", "helpdesk_id", 15, 16,
                    () -> update(helpdesk(), "UPDATE tickets SET subject = ?, updated_at = NOW(6) WHERE id IN (15, 16)", edit));
            if (syncline || attempt == 3) {
                subject = edit;
            }
        }
        String expected = subject;
        await().atMost(SYNC).pollInterval(Duration.ofMillis(100)).until(() -> {
            String error = operator().get("/api/pairs/tickets").then().statusCode(200).extract().jsonPath().getString("lastError");
            if (error != null) {
                failures.add(error);
            }
            return count(crm(), "SELECT COUNT(*) FROM tickets WHERE helpdesk_id IN (15, 16) AND title = ?", expected) == 2;
        });
        assertEquals(List.of(), failures.stream().distinct().toList(), "the poll failed");
        assertTrue(syncline, "PostgreSQL aborted Syncline's page, in one of three deadlocks");
        await().atMost(SYNC).until(() -> Deadlocks.brokenInCrm() > deadlocksBefore); // PostgreSQL did break a deadlock
    }

    /** Camel's {@code IdempotentRepository} may be asked without an exchange: the pair's links answer alone. */
    @Test
    @io.quarkus.test.junit.DisabledOnIntegrationTest("it asks the server's bean, which only a server in this JVM has")
    void theIdempotentRepositoryAnswersWithoutAnExchange() {
        SyncStateRepository repository = io.quarkus.arc.Arc.container().instance(SyncStateRepository.class).get();
        assertTrue(repository.add("tickets/helpdesk/3#not-its-hash"), "a hash its link does not hold: a change");
        assertTrue(!repository.contains("tickets/helpdesk/3#not-its-hash"));
    }

    @Test
    void lateCommitInsideLookbackIsPickedUp() {
        update(crm(), "UPDATE contacts SET first_name = 'Late', updated_at = LOCALTIMESTAMP WHERE id = 6");
        await().atMost(SYNC).until(() -> "Late Lovelace".equals(row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 6").get("full_name")));
        // committed now, but stamped two seconds ago: behind the cursor, inside the 5s lookback
        update(crm(), "INSERT INTO contacts VALUES (1002, 'Late', 'Commit', 'late@example.com', 'Active', NULL, NULL, "
                + "TIMESTAMP '2024-01-15 12:00:00', LOCALTIMESTAMP - INTERVAL '2 seconds')");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM customers WHERE crm_id = 1002") == 1);
    }

    @Test
    void unchangedRowsAreNotRewrittenByLaterPolls() {
        update(crm(), "UPDATE contacts SET tier = 'silver', updated_at = LOCALTIMESTAMP WHERE id = 8");
        await().atMost(SYNC).until(() -> "silver".equals(row(helpdesk(), "SELECT tier FROM customers WHERE crm_id = 8").get("tier")));
        awaitPolls("contacts", 1); // the poll that wrote the row has ended: its count of records written is stored
        long writes = count(helpdesk(), "SELECT n FROM customer_writes");
        long synced = operator().get("/api/pairs/contacts").then().extract().jsonPath().getLong("rowsSynced");
        awaitPolls("contacts", 2); // two more polls, each re-reading the edited row inside its lookback window (5 s)
        assertEquals(writes, count(helpdesk(), "SELECT n FROM customer_writes"));
        // the target's trigger does not see an upsert of equal values: the pair's own count of records written does
        assertEquals(synced, operator().get("/api/pairs/contacts").then().extract().jsonPath().getLong("rowsSynced"),
                "re-read rows written again");
    }

    /**
     * A poll that re-reads a record unchanged remembers the hash its link holds (`LinkHashes`); the page that writes the
     * record's next change moves the link, so the record set back to what it held is a change again, not a re-read.
     */
    @Test
    void aRecordSetBackToWhatItHeldBeforeItsLastChangeIsSyncedAgain() {
        String synced = (String) row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 21").get("full_name");
        String first = (String) row(crm(), "SELECT first_name FROM contacts WHERE id = 21").get("first_name");
        update(crm(), "UPDATE contacts SET updated_at = LOCALTIMESTAMP WHERE id = 21");
        awaitPolls("contacts", 2); // read again unchanged: its link's hash is looked up, and remembered
        update(crm(), "UPDATE contacts SET first_name = 'Moved', updated_at = LOCALTIMESTAMP WHERE id = 21");
        await().atMost(SYNC).until(() -> row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 21").get("full_name")
                .toString().startsWith("Moved "));
        update(crm(), "UPDATE contacts SET first_name = ?, updated_at = LOCALTIMESTAMP WHERE id = 21", first);
        await().atMost(SYNC).until(() -> synced.equals(row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 21").get("full_name")));
    }

    @Test
    void recordsTheTargetRefusesAreDeadLettersWhateverTheirSqlStateAndTheRestSyncs() {
        // the help desk's full_name is utf8mb3: no room for an emoji (MariaDB error 1366, SQL state 22007);
        // its tier is an ENUM without 'platinum' (error 1265, SQL state 01000: neither a data nor a constraint error)
        update(crm(), "INSERT INTO contacts VALUES (2101, 'Smiley \uD83D\uDE00', 'Face', 'smiley@example.com', 'Active', NULL, NULL,"
                + " LOCALTIMESTAMP, LOCALTIMESTAMP)");
        update(crm(), "INSERT INTO contacts VALUES (2103, 'Rich', 'Customer', 'rich@example.com', 'Active', NULL, 'platinum',"
                + " LOCALTIMESTAMP, LOCALTIMESTAMP)");
        update(crm(), "INSERT INTO contacts VALUES (2102, 'Plain', 'Text', 'plain@example.com', 'Active', NULL, NULL, LOCALTIMESTAMP, LOCALTIMESTAMP)");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM customers WHERE crm_id = 2102") == 1);
        assertEquals(0, count(helpdesk(), "SELECT COUNT(*) FROM customers WHERE crm_id IN (2101, 2103)"));
        await().atMost(SYNC).untilAsserted(() -> operator().get("/api/pairs/contacts/dead-letters").then().statusCode(200)
                .body("find { it.recordId == '2101' }.reason", containsString("Incorrect string value"))
                .body("find { it.recordId == '2103' }.reason", containsString("Data truncated for column 'tier'")));
        operator().get("/api/pairs/contacts").then().body("state", equalTo("RUNNING"));
    }

    @Test
    void recordsOfOnePageWithOneTargetKeyOrNoKeyAreDeadLettersNotAGuess() {
        // members are keyed by an email that the CRM does not keep unique
        update(crm(), "INSERT INTO members (email, name, updated_at) VALUES ('twin@example.com', 'First Twin', LOCALTIMESTAMP),"
                + " ('twin@example.com', 'Second Twin', LOCALTIMESTAMP), (NULL, 'No Key', LOCALTIMESTAMP),"
                + " ('single@example.com', 'Single', LOCALTIMESTAMP)");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM members WHERE email = 'single@example.com'") == 1);
        assertEquals(0, count(helpdesk(), "SELECT COUNT(*) FROM members WHERE email = 'twin@example.com'"), "one twin was written over the other");
        // the page's dead letters are stored just after its target committed
        await().atMost(SYNC).untilAsserted(() -> operator().get("/api/pairs/members/dead-letters").then().statusCode(200)
                .body("find { it.recordId == 'twin@example.com' }.reason", containsString("2 records of crm.members"))
                .body("find { it.recordId == 'twin@example.com' }.reason", containsString("have one value of the key field 'email' of helpdesk.members, 'twin@example.com'"))
                .body("find { it.record.contains('No Key') }.reason", containsString("key field 'email' is empty")));

        // fixed at the source: one twin gets its own address, and the other is written once it is read again
        update(crm(), "UPDATE members SET email = 'twin.two@example.com', updated_at = LOCALTIMESTAMP WHERE name = 'Second Twin'");
        update(crm(), "UPDATE members SET updated_at = LOCALTIMESTAMP WHERE name = 'First Twin'");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM members WHERE email LIKE 'twin%'") == 2);
        assertEquals("First Twin", row(helpdesk(), "SELECT name FROM members WHERE email = 'twin@example.com'").get("name"));
        await().atMost(SYNC).untilAsserted(() -> operator().get("/api/pairs/members/dead-letters").then().statusCode(200)
                .body("recordId", not(hasItem("twin@example.com"))));
    }

    @Test
    void badRowBecomesDeadLetterWhileLaterRowsSync() {
        update(crm(), "INSERT INTO contacts VALUES (2001, 'No', 'Mail', '   ', 'Active', NULL, NULL, LOCALTIMESTAMP, LOCALTIMESTAMP)");
        update(crm(), "INSERT INTO contacts VALUES (2002, 'Odd', 'Status', 'odd@example.com', 'Pending', NULL, NULL, LOCALTIMESTAMP, LOCALTIMESTAMP)");
        update(crm(), "INSERT INTO contacts VALUES (2003, 'Bad', 'Date', 'date@example.com', 'Active', '31-12-1999', NULL, LOCALTIMESTAMP, LOCALTIMESTAMP)");
        update(crm(), "INSERT INTO contacts VALUES (2004, 'Good', 'Row', 'good@example.com', 'Active', NULL, NULL, LOCALTIMESTAMP, LOCALTIMESTAMP)");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM customers WHERE crm_id = 2004") == 1);
        assertEquals(0, count(helpdesk(), "SELECT COUNT(*) FROM customers WHERE crm_id IN (2001, 2002, 2003)"));

        operator().get("/api/pairs/contacts/dead-letters").then().statusCode(200)
                .body("find { it.recordId == '2001' }.reason", containsString("required field 'email' is empty"))
                .body("find { it.recordId == '2002' }.reason", containsString("value 'Pending' is not in the value map"))
                .body("find { it.recordId == '2003' }.reason", containsString("does not match the pattern dd/MM/yyyy"))
                .body("find { it.recordId == '2002' }.side", equalTo("crm"));
        operator().get("/api/pairs/contacts").then().statusCode(200).body("deadLetters", equalTo(3));

        // once fixed at the source, the record syncs and its dead letter is gone
        update(crm(), "UPDATE contacts SET email = 'fixed@example.com', updated_at = LOCALTIMESTAMP WHERE id = 2001");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM customers WHERE crm_id = 2001") == 1);
        // the state commit that clears it follows the target's commit
        await().atMost(SYNC).untilAsserted(() -> operator().get("/api/pairs/contacts/dead-letters").then().body("recordId", not(hasItem("2001"))));
    }

    @Test
    void targetDownForAWhileLosesNothingAndHealthGoesDownAndUp() throws Exception {
        long writesBefore = count(helpdesk(), "SELECT n FROM customer_writes");
        EmbeddedDatabases.get().stopMariaDb();
        try {
            for (int id = 3001; id <= 3050; id++) {
                update(crm(), "INSERT INTO contacts VALUES (?, 'Down', 'Time', ?, 'Active', NULL, NULL, LOCALTIMESTAMP, LOCALTIMESTAMP)",
                        id, "down" + id + "@example.com");
            }
            await().atMost(SYNC).untilAsserted(() -> operator().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'syncline-pair-contacts' }.status", equalTo("DOWN")));
            operator().get("/api/pairs/contacts").then().body("state", equalTo("FAILING")).body("lastError", not(equalTo(null)));
            // backoff: polled every second, but after four failures in a row the next attempt waits 8 s; also for the
            // help-desk side of the two-way pair "people", whose CRM side polls well meanwhile and must not hide it
            // (each pair on its own: each holds its fourth failure for 8 s, but they need not fail at the same moment)
            await().atMost(SYNC).untilAsserted(() -> operator().get("/q/health/ready").then()
                    .body("checks.find { it.name == 'syncline-pair-people' }.data.reason", containsString("(4 in a row)")));
            await().atMost(SYNC).untilAsserted(() -> operator().get("/q/health/ready").then()
                    .body("checks.find { it.name == 'syncline-pair-contacts' }.data.reason", containsString("(4 in a row)")));
            JsonPath status = operator().get("/api/pairs/contacts").then().extract().jsonPath();
            Duration wait = Duration.between(Instant.parse(status.getString("lastPollStarted")), Instant.parse(status.getString("nextAttempt")));
            assertTrue(wait.toMillis() >= 7_000, "the fourth failure waits 8 s for the next attempt, not one poll interval: " + wait);
        } finally {
            EmbeddedDatabases.get().startMariaDb();
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM customers WHERE crm_id BETWEEN 3001 AND 3050") == 50);
        await().atMost(SYNC).untilAsserted(() -> operator().get("/q/health/ready").then().statusCode(200));
        operator().get("/api/pairs/contacts").then().body("state", equalTo("RUNNING"));
        awaitPolls("contacts", 2);
        assertEquals(50, count(helpdesk(), "SELECT n FROM customer_writes") - writesBefore, "each row written once, nothing twice");
    }

    @Test
    void resyncRewritesRecordsChangedBehindSynclinesBack() {
        update(helpdesk(), "UPDATE customers SET full_name = 'tampered' WHERE crm_id IN (10, 11)");
        awaitPolls("contacts", 2); // the source did not change: polling leaves the target as it is
        assertEquals("tampered", row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 10").get("full_name"));
        operator().post("/api/pairs/contacts/resync").then().statusCode(202);
        await().atMost(SYNC).untilAsserted(() -> {
            assertEquals("Ada10 Lovelace", row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 10").get("full_name"));
            assertEquals("Ada11 Lovelace", row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 11").get("full_name"));
        });
    }

    /**
     * Tampers with the target's copy of a record that no poll re-reads any more: the cursor moves far past it with another
     * record's change, so only a full load writes it again.
     */
    private static void tamperOutsideTheLookback(int record, int other) {
        update(helpdesk(), "UPDATE customers SET full_name = 'tampered' WHERE crm_id = ?", record);
        update(crm(), "UPDATE contacts SET updated_at = LOCALTIMESTAMP WHERE id = ?", other);
        awaitPolls("contacts", 2);
        assertEquals(1, count(crm(), "SELECT COUNT(*) FROM contacts WHERE id = ? AND updated_at < LOCALTIMESTAMP - INTERVAL '1 minute'", record),
                "record " + record + " is outside the polls' lookback");
    }

    /**
     * A resync asked for while a poll is under way must not be undone by that poll. Here the poll has read its cursor and
     * waits for the source table, which the test holds locked: when it goes on, it re-reads the rows inside its lookback
     * behind the old cursor, and would move the cursor back there, so the full load the resync promised never comes.
     */
    @Test
    void aResyncAskedForDuringAPollIsNotUndoneByIt() throws Exception {
        tamperOutsideTheLookback(13, 14);
        try (java.sql.Connection lock = java.sql.DriverManager.getConnection(crm(), "postgres", null);
                java.sql.Statement s = lock.createStatement()) {
            lock.setAutoCommit(false);
            s.execute("LOCK TABLE contacts IN ACCESS EXCLUSIVE MODE");
            await().atMost(SYNC).until(() -> count(crm(),
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()") > 0);
            operator().post("/api/pairs/contacts/resync").then().statusCode(202); // while the poll waits, its cursor read
            lock.commit();
        }
        await().atMost(SYNC).untilAsserted(() ->
                assertEquals("Ada13 Lovelace", row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 13").get("full_name")));
    }

    /**
     * A poll that begins while a resync is being stored (here held up by a link row this test locks in the state store)
     * reads the cursor the resync is about to reset. It must not move it back once the resync is stored.
     */
    @Test
    @io.quarkus.test.junit.DisabledOnIntegrationTest("it locks a row of the server's H2 state store, which only a server in this JVM shares")
    void aPollThatBeginsWhileAResyncIsStoredDoesNotUndoIt() throws Exception {
        tamperOutsideTheLookback(15, 16);
        try (java.sql.Connection state = java.sql.DriverManager.getConnection(RealDatabases.configuration().get("syncline.state.url"));
                java.sql.Statement s = state.createStatement()) {
            state.setAutoCommit(false);
            // on H2 a link's hashes and time are in link_states (V11)
            assertEquals(1, s.executeUpdate("UPDATE link_states SET synced_at = synced_at"
                    + " WHERE id = (SELECT id FROM links WHERE pair = 'contacts' AND a_id = '15')"));
            java.util.concurrent.CompletableFuture<Integer> resync = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> operator().post("/api/pairs/contacts/resync").then().extract().statusCode());
            await().atMost(SYNC).pollInterval(Duration.ofMillis(20)).until(() -> { // the resync waits for the link row
                try (java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL")) {
                    return rs.next() && rs.getLong(1) > 0;
                }
            });
            Thread.sleep(1_200); // a poll begins meanwhile (every second); H2 gives up a lock wait after 2 s
            state.rollback();
            assertEquals(202, resync.get(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        await().atMost(SYNC).untilAsserted(() ->
                assertEquals("Ada15 Lovelace", row(helpdesk(), "SELECT full_name FROM customers WHERE crm_id = 15").get("full_name")));
    }
}
