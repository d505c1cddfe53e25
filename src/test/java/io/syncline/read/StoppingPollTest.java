package io.syncline.read;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.state.PairStatus;
import io.syncline.state.SyncState;
import io.syncline.testing.LogRecords;
import io.syncline.testing.RealDatabases;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A poll that fails because the server is stopping (its pools shut down under it) ends without alarm: an operator who
 * stops the server as documented finds no ERROR in its log, and the pair is not counted as failing.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(1) // with the sync tests, in their application (see junit-platform.properties)
class StoppingPollTest {

    @Test
    void aPollRefusedByAPoolShutDownAsTheServerStopsIsNoFailure() throws Exception {
        Pair pair = Arc.container().instance(Pairs.class).get().declared("orders").orElseThrow();
        JdbcReader reader = new JdbcReader(); // the server's own reader keeps its running context: this one is told it stops
        reader.state = Arc.container().instance(SyncState.class).get();
        PairStatus status = reader.state.status(pair.name());
        int failuresBefore = status.consecutiveFailures();
        try (CamelContext stopped = new DefaultCamelContext(); LogRecords log = LogRecords.of(JdbcReader.class)) {
            stopped.start();
            stopped.stop();
            reader.camel = stopped;
            reader.failed(pair, "a", new RejectedExecutionException("the reader's pool is shut down"));
            assertEquals(1, log.containing("pair 'orders', side 'a': poll ended as the server stops (the reader's pool is shut down)").size(),
                    "the poll's end is told");
            assertEquals(List.of(), log.containing("poll failed"), "no poll failure logged");
        }
        assertEquals(failuresBefore, status.consecutiveFailures(), "the pair is not counted as failing");
    }
}
