package io.syncline.ops;

import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.state.SyncState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

/** Once the pairs are valid: restores their pause flags and gives each its health check. */
@ApplicationScoped
public class PairOperations {

    @Inject
    CamelContext context;

    @Inject
    SyncState state;

    void onPairsReady(@Observes Pairs.PairsReady ready) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        for (Pair pair : ready.pairs()) {
            if (state.isPaused(pair.name())) {
                state.status(pair.name()).paused(true);
            }
            PairHealthCheck check = new PairHealthCheck(pair, state);
            check.setCamelContext(context);
            registry.register(check);
        }
    }
}
