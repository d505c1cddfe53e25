package io.syncline.ops;

import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.state.PairStatus;
import io.syncline.state.SyncState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of one pair, shown in {@code /q/health} beside Camel's own checks: DOWN when its last
 * poll failed, when its changes may be older than its {@code freshness} objective, or when it has made no
 * progress for longer than its {@code overdue} setting.
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
        if (pair.isTwoWay()) { // what came in from users, and through other pairs that sync the same tables
            for (Role side : Role.values()) {
                builder.detail("changesFromUsers" + side.key().toUpperCase(java.util.Locale.ROOT), status.changesFromUsers(side));
                builder.detail("changesRelayed" + side.key().toUpperCase(java.util.Locale.ROOT), status.changesRelayed(side));
            }
        }
        String down = reasonDown(status);
        if (down != null) {
            // the message is not shown by every health endpoint; the detail is
            builder.detail("reason", down).message(down).down();
            return;
        }
        if (status.state() == PairStatus.State.PAUSED) {
            builder.message("pair '" + pair.name() + "' is paused by an operator");
        }
        builder.up();
    }

    /** Why the pair is not ready, or null when it is. */
    private String reasonDown(PairStatus status) {
        if (status.deleteGuard() != null) {
            return "pair '" + pair.name() + "': " + status.deleteGuard();
        }
        if (status.state() == PairStatus.State.PAUSED) {
            return null;
        }
        if (status.applyError() != null) {
            return "pair '" + pair.name() + "': applying changes failed: " + status.applyError();
        }
        if (status.lastError() != null) {
            return "pair '" + pair.name() + "': last poll failed (" + status.consecutiveFailures() + " in a row): " + status.lastError();
        }
        Duration stale = status.staleness(pair.polledSides());
        if (pair.freshness() != null && stale.compareTo(pair.freshness()) > 0) {
            return "pair '" + pair.name() + "': freshness objective " + pair.freshness().toSeconds() + "s breached: changes made up to "
                    + stale.toSeconds() + "s ago may not be synced yet (no poll of every side has completed since)";
        }
        Duration quiet = Duration.between(status.lastProgress(), Instant.now());
        if (quiet.compareTo(pair.overdue()) > 0) {
            return "pair '" + pair.name() + "': overdue: no poll completed for " + quiet.toSeconds() + "s (overdue after "
                    + pair.overdue().toSeconds() + "s); is its trigger route running?";
        }
        return null;
    }
}
