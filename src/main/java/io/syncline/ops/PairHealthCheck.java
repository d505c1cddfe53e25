package io.syncline.ops;

import io.syncline.pair.Pair;
import io.syncline.state.PairStatus;
import io.syncline.state.SyncState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of one pair, shown in {@code /q/health} beside Camel's own checks: DOWN when its last
 * poll failed or when it has made no progress for longer than its {@code overdue} setting.
 */
public class PairHealthCheck extends AbstractHealthCheck {

    private final Pair pair;
    private final SyncState state;

    public PairHealthCheck(Pair pair, SyncState state) {
        super("syncline", "syncline-pair-" + pair.name());
        this.pair = pair;
        this.state = state;
    }

    @Override
    public boolean isLiveness() {
        return false; // a database that is down makes a pair unready; restarting Syncline would not help
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        PairStatus status = state.status(pair.name());
        builder.detail("pair", pair.name());
        builder.detail("state", status.state().name());
        if (status.lastSuccess() != null) {
            builder.detail("lastSuccessfulPoll", status.lastSuccess().toString());
        }
        if (status.deleteGuard() != null) {
            builder.message("pair '" + pair.name() + "': " + status.deleteGuard()).down();
            return;
        }
        if (status.state() == PairStatus.State.PAUSED) {
            builder.message("pair '" + pair.name() + "' is paused by an operator").up();
            return;
        }
        if (status.lastError() != null) {
            builder.detail("failures", status.consecutiveFailures());
            builder.message("pair '" + pair.name() + "': last poll failed: " + status.lastError()).down();
            return;
        }
        Duration quiet = Duration.between(status.lastProgress(), Instant.now());
        if (quiet.compareTo(pair.overdue()) > 0) {
            builder.message("pair '" + pair.name() + "': overdue: no poll completed for " + quiet.toSeconds()
                    + "s (overdue after " + pair.overdue().toSeconds() + "s); is its trigger route running?").down();
            return;
        }
        builder.up();
    }
}
