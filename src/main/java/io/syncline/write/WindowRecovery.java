package io.syncline.write;

import io.syncline.change.Window;
import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.state.PendingChanges;
import io.syncline.state.SyncState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.jboss.logging.Logger;

/**
 * Applies the windows of two-way pairs that were closed but never applied: the server stopped
 * (or was killed) while applying them, or their apply failed. Every few seconds, for every
 * two-way pair; applying a window twice is harmless.
 */
@ApplicationScoped
public class WindowRecovery {

    private static final Logger LOG = Logger.getLogger(WindowRecovery.class);
    /** How often stranded windows are looked for; also the first wait after a window failed to apply. */
    static final Duration EVERY = Duration.ofSeconds(5);

    @Inject
    Pairs pairs;

    @Inject
    PendingChanges pendingChanges;

    @Inject
    TwoWayWriter writer;

    @Inject
    SyncState state;

    @Inject
    CamelContext camel;

    @Inject
    io.syncline.system.SynclineConfig config;

    /** Camel stops it with the context. */
    private ScheduledExecutorService timer;

    void onPairsLoaded(@Observes Pairs.PairsLoaded ready) {
        if (config.validateOnly()) {
            return; // validation mode writes nothing: windows left by a stop wait for the next real start
        }
        for (Pair pair : ready.pairs()) {
            long windows = pair.isTwoWay() ? pendingChanges.pending(pair.name()) : 0;
            if (windows > 0) { // an open window goes on collecting, a closed one is applied below
                LOG.infof("pair '%s': %d windows left by the last stop are resumed", pair.name(), windows);
            }
        }
        if (ready.pairs().stream().anyMatch(Pair::isTwoWay)) {
            timer = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "syncline-window-recovery");
            timer.scheduleWithFixedDelay(this::recover, EVERY.toSeconds(), EVERY.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private void recover() {
        for (Pair pair : pairs.all()) {
            if (!pair.isTwoWay() || state.status(pair.name()).applyInBackoff()) {
                continue; // a pair whose windows keep failing is tried less and less often, up to its maxBackoff
            }
            try {
                pendingChanges.stranded(pair.name()).forEach((id, ids) -> {
                    Window window = new Window(pair.name());
                    ids.forEach(window::add);
                    LOG.infof("pair '%s': applying %s left by a stopped or failed apply", pair.name(), window);
                    writer.apply(window);
                    pendingChanges.forget(pair.name(), id);
                });
            } catch (RuntimeException e) {
                // the writer has logged why; the window stays and is tried again
                LOG.debugf("pair '%s': window recovery: %s", pair.name(), e.getMessage());
            }
        }
    }
}
