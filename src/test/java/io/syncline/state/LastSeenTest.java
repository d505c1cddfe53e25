package io.syncline.state;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.syncline.testing.RealDatabases;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a poll's re-read may skip without looking its link up: only a record read again with the very hash its side's
 * last committed page read, since the pair's last resync, among the records read recently.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
class LastSeenTest {

    @Inject
    LastSeen lastSeen;

    @Inject
    SyncState state;

    @Test
    void aRecordIsSkippedOnlyWithTheHashItsSideLastRead() {
        String pair = "last-seen-hash";
        long resyncs = state.resyncs(pair);
        lastSeen.saw(pair, "crm", resyncs, Map.of("1", "h1", "2", "h2"));
        assertTrue(lastSeen.same(pair, "crm", "1", "h1"));
        assertFalse(lastSeen.same(pair, "crm", "1", "h1-changed"), "a record read with another hash has changed: it is looked up");
        assertFalse(lastSeen.same(pair, "helpdesk", "1", "h1"), "the other side's record of the same id is another record");
        assertFalse(lastSeen.same(pair, "crm", "3", "h3"), "a record never read is looked up");
        lastSeen.saw(pair, "crm", resyncs, Map.of("1", "h1-changed"));
        assertTrue(lastSeen.same(pair, "crm", "1", "h1-changed"));
        assertFalse(lastSeen.same(pair, "crm", "1", "h1"), "changed back to what an earlier poll read: a change again");
    }

    @Test
    void aResyncForgetsWhatWasReadBeforeIt() {
        String pair = "last-seen-resync";
        long before = state.resyncs(pair);
        lastSeen.saw(pair, "crm", before, Map.of("1", "h1"));
        state.resetForResync(pair, false);
        assertFalse(lastSeen.same(pair, "crm", "1", "h1"), "a resync reads everything again to compare it with the links");
        lastSeen.saw(pair, "crm", before, Map.of("2", "h2"));
        assertFalse(lastSeen.same(pair, "crm", "2", "h2"), "a page of a poll the resync overtook is not kept");
        lastSeen.saw(pair, "crm", state.resyncs(pair), Map.of("3", "h3"));
        assertTrue(lastSeen.same(pair, "crm", "3", "h3"));
    }

    @Test
    void theNewestHashIsKeptAcrossGenerationsAndTheOldestRecordsAreForgotten() {
        String pair = "last-seen-generations";
        long resyncs = state.resyncs(pair);
        lastSeen.saw(pair, "crm", resyncs, Map.of("first", "old"));
        lastSeen.saw(pair, "crm", resyncs, Map.of("first", "new"));
        Map<String, String> filler = new LinkedHashMap<>();
        for (int i = 0; i < LastSeen.GENERATION; i++) {
            filler.put("filler-" + i, "h");
        }
        lastSeen.saw(pair, "crm", resyncs, filler); // "first" is now in the older generation
        assertTrue(lastSeen.same(pair, "crm", "first", "new"));
        assertFalse(lastSeen.same(pair, "crm", "first", "old"));
        lastSeen.saw(pair, "crm", resyncs, filler); // read again, and as many other records after them
        Map<String, String> more = new LinkedHashMap<>();
        for (int i = 0; i < LastSeen.GENERATION; i++) {
            more.put("more-" + i, "h");
        }
        lastSeen.saw(pair, "crm", resyncs, more);
        assertFalse(lastSeen.same(pair, "crm", "first", "new"), "two generations on, the oldest record read is forgotten: looked up");
        assertTrue(lastSeen.same(pair, "crm", "more-0", "h"));
    }
}
