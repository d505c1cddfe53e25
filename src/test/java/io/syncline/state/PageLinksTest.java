package io.syncline.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.syncline.pair.Role;
import io.syncline.testing.RealDatabases;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A full load that began with no links inserts each page's links rather than upserting them (cheaper for the state
 * store). A link that exists after all, stored meanwhile by another writer of the pair, must not fail the page: its
 * links are upserted then, and the page's hashes are what the store holds.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(3) // on the application the sync tests share, before the tests of start-up failures
class PageLinksTest {

    private static final String PAIR = "page-links-test";

    @Inject
    SyncState state;

    @Inject
    Links links;

    @Test
    void aPageOfAFullLoadWhoseLinkExistsAlreadyIsStoredAllTheSame() {
        try (SyncState.PageCommit commit = state.preparePage(PAIR, "crm", List.of(new SyncState.Written("1", "b1", "old")), null, 0, false)) {
            commit.commit(); // e.g. a webhook's write, during the full load
        }
        List<SyncState.Written> page = List.of(new SyncState.Written("1", "b1", "new"), new SyncState.Written("2", "b2", "two"));
        try (SyncState.PageCommit commit = state.preparePage(PAIR, "crm", page, null, 0, true)) {
            commit.commit();
        }
        assertEquals(Map.of("1", "new", "2", "two"), links.hashes(PAIR, Role.A, List.of("1", "2")));

        List<SyncState.Written> fresh = List.of(new SyncState.Written("3", "b3", "three"), new SyncState.Written("4", "b4", "four"));
        try (SyncState.PageCommit commit = state.preparePage(PAIR, "crm", fresh, null, 0, true)) {
            commit.commit();
        }
        assertEquals(Map.of("3", "three", "4", "four"), links.hashes(PAIR, Role.A, List.of("3", "4")));
    }
}
