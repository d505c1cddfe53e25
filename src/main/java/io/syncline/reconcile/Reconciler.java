package io.syncline.reconcile;

import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.pair.Pairs;
import io.syncline.state.Links;
import io.syncline.state.Inbox;
import io.syncline.state.PairStatus;
import io.syncline.state.References;
import io.syncline.state.DeadLetters;
import io.syncline.state.SyncState;
import io.syncline.write.Faults;
import io.syncline.write.JdbcWriter;
import io.syncline.write.TwoWayWriter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Reconciliation of a two-way pair: reads both sides' key sets and hashes and compares them with
 * the links, a bucket at a time through temporary files ({@link Buckets}), so that its memory does
 * not grow with the records. It finds what polling cannot see (hard deletes) and repairs drift (a change missed or
 * written behind Syncline's back). On a pair's first run it also matches records that exist on
 * both sides by the pair's natural key, so they are linked instead of copied. A dry run reports
 * the same findings without writing anything. Of a one-way pair, it compares the source's ids with the links: the hard
 * deletes, applied to the target by the pair's {@code deletes} rule ({@link OneWayReconcilePass}).
 */
@ApplicationScoped
@Named("reconciler")
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    @Inject
    Pairs pairs;

    @Inject
    SyncState state;

    @Inject
    DeadLetters deadLetters;

    @Inject
    Links links;

    @Inject
    TwoWayWriter writer;

    @Inject
    JdbcWriter pageWriter;

    @Inject
    Faults faults;

    @Inject
    Inbox inbox;

    @Inject
    References references;

    private final Set<String> firstRunDone = ConcurrentHashMap.newKeySet();
    /** Deletes an operator confirmed after the guard held the pair: the next pass may apply up to this many. */
    final Map<String, Long> confirmedDeletes = new ConcurrentHashMap<>();

    /** What a pass found and, unless a dry run, did. */
    public record Report(String pair, boolean dryRun, long aRecords, long bRecords, long links, long createInA, long createInB, long matched,
            long matchedDiffering, long ambiguous, long drift, long bothChanged, long deletedInA, long deletedInB, long deletesToApply, String guard,
            Map<String, List<String>> samples, TwoWayWriter.Outcome applied, double seconds) {
    }


    /** Runs before a two-way pair's first poll: links what already exists on both sides, so the full loads do not copy it. */
    public void firstRun(Pair pair) {
        if (firstRunDone.contains(pair.name())) {
            return;
        }
        synchronized (this) {
            if (firstRunDone.contains(pair.name())) {
                return;
            }
            for (Pair.Reference ref : pair.references()) {
                firstRun(pairs.get(ref.parent())); // parents are matched and linked before their children
            }
            boolean fresh = !state.hasLinks(pair.name()) && state.cursor(pair.name(), pair.side(Role.A).name()).isStart()
                    && state.cursor(pair.name(), pair.side(Role.B).name()).isStart();
            if (fresh) {
                LOG.infof("pair '%s': first run: comparing both sides%s before the first poll", pair.name(),
                        pair.match() == null ? "" : " and matching records by '" + pair.match() + "'");
                reconcile(pair, true);
            }
            firstRunDone.add(pair.name());
        }
    }

    /** A scheduled or on-demand pass: finds deletes and drift and applies them, unless the mass-delete guard holds the pair. */
    public synchronized Report reconcile(String pairName) {
        return reconcile(pairs.get(pairName), false);
    }

    private Report reconcile(Pair pair, boolean firstRun) {
        if (state.status(pair.name()).state() == PairStatus.State.PAUSED) {
            return pass(pair, true, false); // a paused pair writes nothing; the report still says what a pass would do
        }
        return pass(pair, false, firstRun);
    }

    /** What a pass would do now, without writing anything. */
    public synchronized Report dryRun(String pairName) {
        return pass(pairs.get(pairName), true, false);
    }

    /** An operator confirms the deletes the guard held back: the pair resumes and a pass applies them. */
    public synchronized Report confirmDeletes(String pairName) {
        Pair pair = pairs.get(pairName);
        Report found = pass(pair, true, false);
        confirmedDeletes.put(pair.name(), found.deletesToApply());
        state.status(pair.name()).deleteGuard(null);
        state.setPaused(pair.name(), pair.side(Role.A).name(), false);
        return pass(pair, false, false);
    }

    private Report pass(Pair pair, boolean dryRun, boolean firstRun) {
        if (!pair.isTwoWay()) {
            try (Buckets buckets = new Buckets(pair.name(), OneWayReconcilePass.KINDS)) {
                return new OneWayReconcilePass(this, pair, dryRun, buckets).run();
            }
        }
        // a second thread reads side b while side a is read, and stores equal twins' links while the next are matched
        ExecutorService helper = Executors.newSingleThreadExecutor(r -> new Thread(r, "syncline-reconcile-" + pair.name()));
        try (Buckets buckets = new Buckets(pair.name(), ReconcilePass.KINDS)) {
            try {
                return new ReconcilePass(this, pair, dryRun, firstRun, buckets, helper).run();
            } finally {
                stop(helper); // before the buckets close: a pass that failed leaves no read or commit running behind it
            }
        }
    }

    /** Lets the helper finish what it began (a side's read, a state commit), then ends it. */
    private static void stop(ExecutorService helper) {
        helper.shutdown();
        try {
            if (!helper.awaitTermination(1, TimeUnit.HOURS)) {
                helper.shutdownNow();
            }
        } catch (InterruptedException e) {
            helper.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
