package io.syncline.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.syncline.testing.RealDatabases;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The dead letters a poll consults are kept in memory as well as in the state store; both must say the same. A record
 * with a dead letter is looked at again when it is read back as its link holds it (what the other side changed meanwhile
 * waited for it), so memory that forgot a dead letter the store still holds would skip that record.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(3) // on the application the sync tests share, before the tests of start-up failures
class DeadLettersTest {

    private static final String PAIR = "dead-letters-test";
    private static final String AGAIN = "dead-letters-test-again";
    private static final String LATER = "dead-letters-test-later";

    @Inject
    DeadLetters deadLetters;

    @Inject
    Links links;

    @Test
    void aDeadLetterClearedByATransactionThatRollsBackIsStillADeadLetter() throws Exception {
        deadLetters.store(PAIR, "crm", "r1", "a value the mapping refuses", "(record)");
        try {
            try (Connection c = links.begin()) {
                Map<String, Long> cleared = deadLetters.clear(c, PAIR, "crm", List.of("r1"), DeadLetters.ANY);
                assertFalse(cleared.isEmpty(), "the store had it");
                c.rollback(); // the window's state commit failed: the window is applied again later
            }
            assertTrue(deadLetters.has(PAIR, "crm", "r1"), "still a dead letter in memory, as in the store");
            assertEquals(1, deadLetters.count(PAIR), "and in the store");

            try (Connection c = links.begin()) {
                Map<String, Long> cleared = deadLetters.clear(c, PAIR, "crm", List.of("r1"), DeadLetters.ANY);
                assertTrue(deadLetters.has(PAIR, "crm", "r1"), "until its transaction commits");
                c.commit();
                deadLetters.cleared(cleared);
            }
            assertFalse(deadLetters.has(PAIR, "crm", "r1"));
            assertEquals(0, deadLetters.count(PAIR));
        } finally {
            deadLetters.discard(PAIR, "crm", "r1");
        }
    }

    @Test
    void aRecordRefusedAgainWhileItsDeadLetterIsBeingClearedStaysADeadLetter() throws Exception {
        deadLetters.store(AGAIN, "crm", "r2", "a value the mapping refuses", "(record)");
        try {
            CompletableFuture<Boolean> again;
            try (Connection c = links.begin()) {
                Map<String, Long> cleared = deadLetters.clear(c, AGAIN, "crm", List.of("r2"), DeadLetters.ANY);
                // a poll finds the record refused again; the store makes it wait for the row until the window's commit
                again = CompletableFuture.supplyAsync(() -> deadLetters.store(AGAIN, "crm", "r2", "refused again", "(record)"));
                Thread.sleep(300);
                c.commit();
                deadLetters.cleared(cleared);
            }
            again.get(30, TimeUnit.SECONDS);
            assertEquals(1, deadLetters.count(AGAIN), "the store holds the new dead letter");
            assertTrue(deadLetters.has(AGAIN, "crm", "r2"), "and memory too: the window's clearing came before it");
        } finally {
            deadLetters.discard(AGAIN, "crm", "r2");
        }
    }

    /**
     * A window read a record that then changed to a value the mapping refuses; a poll recorded that as a dead letter before
     * the window's state commit. The window clears the dead letters recorded before it read its records, not that one: the
     * record's later edit is still refused, and the poll's cursor has moved past it.
     */
    @Test
    void aDeadLetterRecordedAfterTheRecordsWereReadStays() throws Exception {
        deadLetters.store(LATER, "crm", "before", "a value the mapping refuses", "(record)");
        try {
            long readAt = deadLetters.stamp(); // the window reads its records
            deadLetters.store(LATER, "crm", "after", "a later edit the mapping refuses", "(record)");
            try (Connection c = links.begin()) {
                Map<String, Long> cleared = deadLetters.clear(c, LATER, "crm", List.of("before", "after"), readAt);
                c.commit();
                deadLetters.cleared(cleared);
            }
            assertFalse(deadLetters.has(LATER, "crm", "before"), "the record read as it syncs now");
            assertTrue(deadLetters.has(LATER, "crm", "after"), "the record refused after it was read");
            assertEquals(1, deadLetters.count(LATER), "in the store as in memory");
        } finally {
            deadLetters.discard(LATER, "crm", "after");
        }
    }
}
