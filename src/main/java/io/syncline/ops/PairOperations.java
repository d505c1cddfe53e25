package io.syncline.ops;

import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.flow.WindowRepository;
import io.syncline.state.SyncState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

/**
 * Once the pairs are loaded, before any route starts: restores their pause flags, gives each its
 * health check (DOWN from the start for a pair that waits for its systems), and each two-way pair
 * the aggregation repository its window names ({@code pendingChanges-<pair>}).
 */
@ApplicationScoped
public class PairOperations {

    @Inject
    CamelContext context;

    @Inject
    SyncState state;

    @Inject
    WindowRepository windows;

    @Inject
    Pairs pairs;

    void onPairsLoaded(@Observes Pairs.PairsLoaded ready) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        for (Pair pair : ready.pairs()) {
            if (state.isPaused(pair.name())) {
                state.status(pair.name()).paused(true);
            }
            String waitingFor = pairs.waitingFor(pair.name());
            if (waitingFor != null) { // DOWN with the reason from the start, not only after its first poll
                state.status(pair.name()).pollFailed("a", waitingFor, pair.maxBackoff());
            }
            PairHealthCheck check = new PairHealthCheck(pair, state);
            check.setCamelContext(context);
            registry.register(check);
            if (pair.isTwoWay()) {
                context.getRegistry().bind(WindowRepository.beanName(pair.name()), windows.repository(pair.name()));
            }
        }
    }
}
