package io.syncline.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.pair.Role;
import io.syncline.state.Conflicts;
import io.syncline.state.PairStatus;
import io.syncline.state.PendingChanges;
import io.syncline.state.DeadLetters;
import io.syncline.state.SyncState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import io.syncline.system.Position;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerRouteEventNotifier;
import org.apache.camel.quarkus.main.events.AfterConfigure;
import org.apache.camel.spi.EventNotifier;

/**
 * Each pair's figures at {@code /q/metrics} (Prometheus), beside Camel's route metrics: whether it
 * syncs, how long since its last successful poll, records synced, dead letters, full-load progress;
 * for two-way pairs rows written per side, echoes suppressed, conflicts resolved and open, deletes
 * and windows waiting. Read when scraped, from the pair's status and the state store.
 */
@ApplicationScoped
public class PairMetrics {

    @Inject
    MeterRegistry registry;

    @Inject
    SyncState state;

    @Inject
    DeadLetters deadLetters;

    @Inject
    Conflicts conflicts;

    @Inject
    PendingChanges pendingChanges;

    /**
     * Camel's route metrics count route events only, but their notifier does not say so, and then Camel
     * creates and notifies events for every exchange: one per record in the apply routes' split. Told
     * before the context starts that it ignores exchange events, it lets Camel skip that work.
     */
    void onRoutesLoaded(@Observes AfterConfigure event) {
        for (EventNotifier notifier : event.getMain().getCamelContext().getManagementStrategy().getEventNotifiers()) {
            if (notifier instanceof MicrometerRouteEventNotifier) {
                notifier.setIgnoreExchangeEvents(true);
            }
        }
    }

    void onPairsLoaded(@Observes Pairs.PairsLoaded loaded) {
        for (Pair pair : loaded.pairs()) {
            String name = pair.name();
            Tags tags = Tags.of("pair", name);
            gauge("syncline.pair.up", "1 while the pair syncs (running or paused), 0 while it fails or waits for a system", tags, name,
                    s -> s.state() == PairStatus.State.RUNNING || s.state() == PairStatus.State.PAUSED ? 1 : 0);
            gauge("syncline.pair.paused", "1 while an operator has paused the pair", tags, name, s -> s.state() == PairStatus.State.PAUSED ? 1 : 0);
            gauge("syncline.pair.seconds.since.last.successful.poll", "seconds since the pair's last poll that completed", tags, name,
                    s -> s.lastSuccess() == null ? Double.NaN : Duration.between(s.lastSuccess(), Instant.now()).toMillis() / 1000.0);
            gauge("syncline.pair.staleness.seconds", "how old the changes may be that are not synced yet: since the start of the oldest"
                    + " of the sides' last successful polls", tags, name, s -> s.staleness(pair.polledSides()).toMillis() / 1000.0);
            if (pair.freshness() != null) {
                double objective = pair.freshness().toMillis() / 1000.0;
                gauge("syncline.pair.freshness.objective.seconds", "the pair's freshness objective", tags, name, s -> objective);
                gauge("syncline.pair.freshness.breached", "1 while the staleness exceeds the freshness objective", tags, name,
                        s -> s.staleness(pair.polledSides()).compareTo(pair.freshness()) > 0 ? 1 : 0);
            }
            // the sides as the pair file names them: a pair waiting for its systems has no resolved sides yet
            for (String reference : pair.isTwoWay() ? List.of(pair.declaredSource(), pair.declaredTarget()) : List.of(pair.declaredSource())) {
                String side = reference == null || reference.indexOf('.') < 0 ? String.valueOf(reference) : reference.substring(0, reference.indexOf('.'));
                Gauge.builder("syncline.pair.lag.seconds", state, st -> lag(st.cursor(name, side))).tags(tags.and("side", side))
                        .description("now minus the time of the last change read from the side (its cursor); grows while the side is idle")
                        .register(registry);
                FunctionCounter.builder("syncline.pair.read", state, st -> st.status(name).read(side)).tags(tags.and("side", side))
                        .description("records the pair's polls read from the side since start-up").register(registry);
                FunctionCounter.builder("syncline.pair.skipped", state, st -> st.status(name).unchanged(side)).tags(tags.and("side", side))
                        .description("records read from the side and skipped since start-up: unchanged since last synced, or echoes of"
                                + " Syncline's own writes").register(registry);
            }
            gauge("syncline.pair.full.load.done", "rows done of the full load under way (0 when none is)", tags, name, PairStatus::loadDone);
            gauge("syncline.pair.full.load.total", "rows expected by the full load under way (0 when none is)", tags, name, PairStatus::loadTotal);
            Gauge.builder("syncline.pair.dead.letters", deadLetters, d -> d.count(name)).tags(tags)
                    .description("records that could not be synced, waiting for their data to be fixed").register(registry);
            Gauge.builder("syncline.pair.records.synced", state, st -> st.rowsSynced(name)).tags(tags)
                    .description("records written by the pair's one-way polls since its state store began").register(registry);
            if (pair.isTwoWay()) {
                for (Role side : Role.values()) {
                    FunctionCounter.builder("syncline.pair.written", state, st -> st.status(name).written(side)).tags(tags.and("side", side.key()))
                            .description("rows written to the side since start-up").register(registry);
                    FunctionCounter.builder("syncline.pair.changes", state, st -> st.status(name).changesFromUsers(side))
                            .tags(tags.and("side", side.key(), "origin", "user"))
                            .description("changes read on the side since start-up: users' edits (origin=user), or writes of another pair"
                                    + " that syncs the same table (origin=pair)").register(registry);
                    FunctionCounter.builder("syncline.pair.changes", state, st -> st.status(name).changesRelayed(side))
                            .tags(tags.and("side", side.key(), "origin", "pair"))
                            .description("changes read on the side since start-up: users' edits (origin=user), or writes of another pair"
                                    + " that syncs the same table (origin=pair)").register(registry);
                }
                counter("syncline.pair.echoes.suppressed", "Syncline's own writes read back and not synced again", tags, name, PairStatus::echoes);
                counter("syncline.pair.conflicts.resolved", "records changed on both sides and resolved by the policy", tags, name,
                        PairStatus::resolved);
                counter("syncline.pair.deletes", "deletes applied", tags, name, PairStatus::deleted);
                counter("syncline.pair.records.applied.again", "records applied again at once: they changed while their window applied them",
                        tags, name, PairStatus::recordsAppliedAgain);
                counter("syncline.pair.chunks.locked.again", "chunks read again with both sides locked: rows read without locks changed or"
                        + " were held", tags, name, PairStatus::chunksLockedAgain);
                Gauge.builder("syncline.pair.conflicts.open", conflicts, c -> c.count(name)).tags(tags)
                        .description("conflicts waiting for an operator's decision").register(registry);
                Gauge.builder("syncline.pair.windows.pending", pendingChanges, p -> p.pending(name)).tags(tags)
                        .description("windows of changes collected or waiting to be applied").register(registry);
            }
        }
    }

    /** Seconds from a timestamp cursor to now (a version cursor has no time: NaN). */
    private static double lag(Position cursor) {
        if (cursor.isStart() || cursor.value().matches("-?\\d+")) {
            return Double.NaN;
        }
        try {
            Instant at = cursor.value().endsWith("Z") ? Instant.parse(cursor.value()) : LocalDateTime.parse(cursor.value()).toInstant(ZoneOffset.UTC);
            return Duration.between(at, Instant.now()).toMillis() / 1000.0;
        } catch (DateTimeParseException e) {
            return Double.NaN;
        }
    }

    private void gauge(String metric, String description, Tags tags, String pair, ToDoubleFunction<PairStatus> value) {
        Gauge.builder(metric, state, st -> value.applyAsDouble(st.status(pair))).tags(tags).description(description).register(registry);
    }

    private void counter(String metric, String description, Tags tags, String pair, ToDoubleFunction<PairStatus> value) {
        FunctionCounter.builder(metric, state, st -> value.applyAsDouble(st.status(pair))).tags(tags).description(description).register(registry);
    }
}
