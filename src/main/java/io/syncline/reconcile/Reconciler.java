package io.syncline.reconcile;

import io.syncline.mapping.Mapping;
import io.syncline.value.RecordException;
import io.syncline.mapping.TwoWayMapping;
import io.syncline.pair.Deletes;
import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.pair.Pairs;
import io.syncline.pair.Side;
import io.syncline.state.Links;
import io.syncline.state.Links.Link;
import io.syncline.state.Links.LinkKey;
import io.syncline.state.PairStatus;
import io.syncline.state.References;
import io.syncline.state.SyncState;
import io.syncline.change.Window;
import io.syncline.write.TwoWayWriter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Reconciliation of a two-way pair: reads both sides' key sets and hashes and compares them with
 * the links. It finds what polling cannot see (hard deletes) and repairs drift (a change missed or
 * written behind Syncline's back). On a pair's first run it also matches records that exist on
 * both sides by the pair's natural key, so they are linked instead of copied. A dry run reports
 * the same findings without writing anything.
 */
@ApplicationScoped
@Named("reconciler")
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    private static final int SAMPLES = 20;

    @Inject
    Pairs pairs;

    @Inject
    SyncState state;

    @Inject
    Links links;

    @Inject
    TwoWayWriter writer;

    @Inject
    References references;

    private final Set<String> firstRunDone = ConcurrentHashMap.newKeySet();
    /** Deletes an operator confirmed after the guard held the pair: the next pass may apply up to this many. */
    private final Map<String, Long> confirmedDeletes = new ConcurrentHashMap<>();

    /** What a pass found and, unless a dry run, did. */
    public record Report(String pair, boolean dryRun, long aRecords, long bRecords, long links, long createInA, long createInB, long matched,
            long matchedDiffering, long ambiguous, long drift, long bothChanged, long deletedInA, long deletedInB, long deletesToApply, String guard,
            Map<String, List<String>> samples, TwoWayWriter.Outcome applied, double seconds) {
    }

    /** One side's records as reconciliation keeps them: a hash, and the natural key when the pair matches. */
    private record Seen(String hash, String projection, String naturalKey) {
    }

    /** A record that cannot be mapped: it exists, but is not compared. */
    private static final Seen UNMAPPABLE = new Seen("!", "!", null);

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
            boolean fresh = state.linkCount(pair.name()) == 0 && state.cursor(pair.name(), pair.side(Role.A).name()).isStart()
                    && state.cursor(pair.name(), pair.side(Role.B).name()).isStart();
            if (fresh) {
                LOG.infof("pair '%s': first run: comparing both sides%s before the first poll", pair.name(),
                        pair.match() == null ? "" : " and matching records by '" + pair.match() + "'");
                reconcile(pair.name());
            }
            firstRunDone.add(pair.name());
        }
    }

    /** A scheduled or on-demand pass: finds deletes and drift and applies them, unless the mass-delete guard holds the pair. */
    public synchronized Report reconcile(String pairName) {
        Pair pair = pairs.get(pairName);
        if (state.status(pair.name()).state() == PairStatus.State.PAUSED) {
            return pass(pair, true); // a paused pair writes nothing; the report still says what a pass would do
        }
        return pass(pair, false);
    }

    /** What a pass would do now, without writing anything. */
    public synchronized Report dryRun(String pairName) {
        return pass(pairs.get(pairName), true);
    }

    /** An operator confirms the deletes the guard held back: the pair resumes and a pass applies them. */
    public synchronized Report confirmDeletes(String pairName) {
        Pair pair = pairs.get(pairName);
        Report found = pass(pair, true);
        confirmedDeletes.put(pair.name(), found.deletesToApply());
        state.status(pair.name()).deleteGuard(null);
        state.setPaused(pair.name(), pair.side(Role.A).name(), false);
        return pass(pair, false);
    }

    private Report pass(Pair pair, boolean dryRun) {
        if (!pair.isTwoWay()) {
            throw new IllegalArgumentException("pair '" + pair.name() + "' is one way; reconciliation compares the two sides of a two-way pair");
        }
        long started = System.nanoTime();
        Map<String, Seen> a = read(pair, Role.A);
        Map<String, Seen> b = read(pair, Role.B);
        List<LinkKey> known = links.keys(pair.name());

        Map<String, List<String>> samples = new LinkedHashMap<>();
        Set<String> linkedA = new HashSet<>();
        Set<String> linkedB = new HashSet<>();
        Window repairs = new Window(pair.name());
        List<String> deleteWork = new ArrayList<>();
        long deletedInA = 0;
        long deletedInB = 0;
        long deletesToApply = 0;
        long drift = 0;
        long bothChanged = 0;
        for (LinkKey link : known) {
            linkedA.add(link.aId());
            linkedB.add(link.bId());
            Seen inA = a.get(link.aId());
            Seen inB = b.get(link.bId());
            if (inA == UNMAPPABLE || inB == UNMAPPABLE) {
                continue; // a dead letter of the poll; not compared
            }
            if (inA == null && inB == null) {
                deleteWork.add(link.aId()); // both gone: the link is dropped
            } else if (inA == null && Links.GONE.equals(link.aHash()) || inB == null && Links.GONE.equals(link.bHash())) {
                continue; // a tombstone: the delete was handled when it was found
            } else if (link.aHash().startsWith(Links.CREATING) || link.bHash().startsWith(Links.CREATING)) {
                repairs.add(Role.A, List.of(link.aId())); // a record being created when the server stopped: the writer finishes it
                drift++;
            } else if (inA == null || inB == null) {
                Role gone = inA == null ? Role.A : Role.B;
                if (inA == null) {
                    deletedInA++;
                } else {
                    deletedInB++;
                }
                if (pair.rules().deletes(gone).kind() != Deletes.Kind.IGNORE) {
                    deletesToApply++;
                    deleteWork.add(link.aId());
                    sample(samples, "deletedIn" + gone, link.id(gone));
                }
            } else if (!inA.hash().equals(link.aHash()) || !inB.hash().equals(link.bHash())) {
                drift++;
                if (!inA.hash().equals(link.aHash()) && !inB.hash().equals(link.bHash())) {
                    bothChanged++; // a conflict for the policy to resolve, or for review
                }
                repairs.add(Role.A, List.of(link.aId()));
                sample(samples, "drift", link.aId());
            }
        }

        // records without a link: matched by natural key, or created on the other side; a key that more than one
        // of them holds on a side, with a record on the other side too, would make the match a guess: they wait
        Map<String, List<String>> keysA = unlinkedByKey(a, linkedA);
        Map<String, List<String>> keysB = unlinkedByKey(b, linkedB);
        Map<Role, Map<String, String>> ambiguous = pair.rules().ambiguousMatches(keysA, keysB, pair.side(Role.A).reference(),
                pair.side(Role.B).reference());
        Map<String, String> ambiguousA = ambiguous.getOrDefault(Role.A, Map.of());
        Map<String, String> ambiguousB = ambiguous.getOrDefault(Role.B, Map.of());
        ambiguous.forEach((side, ids) -> ids.keySet().forEach(id -> sample(samples, "ambiguous", side.key() + ":" + id)));
        Map<String, String> unlinkedB = new HashMap<>();
        keysB.forEach((key, ids) -> {
            if (!ambiguousB.containsKey(ids.get(0))) {
                unlinkedB.put(key, ids.get(0));
            }
        });
        List<Link> matches = new ArrayList<>();
        Set<String> matchedB = new HashSet<>();
        long matchedDiffering = 0;
        long createInB = 0;
        for (Map.Entry<String, Seen> entry : a.entrySet()) {
            if (linkedA.contains(entry.getKey()) || entry.getValue() == UNMAPPABLE || ambiguousA.containsKey(entry.getKey())) {
                continue;
            }
            Seen seen = entry.getValue();
            String twin = seen.naturalKey() == null ? null : unlinkedB.remove(seen.naturalKey());
            if (twin != null) {
                matches.add(new Link(entry.getKey(), twin, null, "-", "-"));
                matchedB.add(twin);
                if (!seen.projection().equals(b.get(twin).hash())) {
                    matchedDiffering++;
                    sample(samples, "matchedDiffering", entry.getKey() + "<->" + twin);
                }
            } else {
                createInB++;
                repairs.add(Role.A, List.of(entry.getKey()));
                sample(samples, "createInB", entry.getKey());
            }
        }
        long createInA = 0;
        for (Map.Entry<String, Seen> entry : b.entrySet()) {
            String id = entry.getKey();
            if (!linkedB.contains(id) && !matchedB.contains(id) && entry.getValue() != UNMAPPABLE && !ambiguousB.containsKey(id)) {
                createInA++;
                repairs.add(Role.B, List.of(id));
                sample(samples, "createInA", id);
            }
        }

        PairStatus status = state.status(pair.name());
        String guard = null;
        long allowed = confirmedDeletes.getOrDefault(pair.name(), 0L);
        if (pair.deleteGuard().trips(deletesToApply, known.size()) && deletesToApply > allowed) {
            guard = "mass-delete guard: this pass would delete " + deletesToApply + " of " + known.size() + " linked records (" + deletedInA
                    + " gone from " + pair.side(Role.A).reference() + ", " + deletedInB + " from " + pair.side(Role.B).reference()
                    + "), more than " + pair.deleteGuard() + "; nothing was deleted and the pair is paused. Check the systems, then "
                    + "POST /api/pairs/" + pair.name() + "/deletes/confirm";
        }
        TwoWayWriter.Outcome applied = null;
        if (!dryRun) {
            if (guard != null) {
                status.deleteGuard(guard);
                state.setPaused(pair.name(), pair.side(Role.A).name(), true);
                LOG.warnf("pair '%s': %s", pair.name(), guard);
            } else {
                confirmedDeletes.remove(pair.name());
                ambiguous.forEach((side, ids) -> ids.forEach((id, reason) -> state.deadLetter(pair.name(), pair.side(side).name(), id, reason,
                        "(not read)")));
                saveMatches(pair, matches);
                matches.forEach(m -> repairs.add(Role.A, List.of(m.aId())));
                repairs.add(Role.A, deleteWork);
                applied = repairs.size() == 0 ? null : writer.applyReconciled(repairs);
            }
        }
        Report report = new Report(pair.name(), dryRun, a.size(), b.size(), known.size(), createInA, createInB, matches.size(), matchedDiffering,
                ambiguousA.size() + ambiguousB.size(), drift, bothChanged, deletedInA, deletedInB, deletesToApply, guard, samples, applied,
                (System.nanoTime() - started) / 1e9);
        if (!dryRun && (matches.size() + createInA + createInB + drift + deletesToApply > 0 || guard != null)) {
            LOG.infof("pair '%s': reconciliation in %.1fs: %d matched (%d differing), %d created in a, %d in b, %d drifted, %d deletes%s",
                    pair.name(), report.seconds(), matches.size(), matchedDiffering, createInA, createInB, drift, deletesToApply,
                    guard != null ? " held by the guard" : "");
        }
        return report;
    }

    /** The records of one side without a link, by natural key (in id order within a key). */
    private static Map<String, List<String>> unlinkedByKey(Map<String, Seen> side, Set<String> linked) {
        Map<String, List<String>> byKey = new HashMap<>();
        side.forEach((id, seen) -> {
            if (!linked.contains(id) && seen != UNMAPPABLE && seen.naturalKey() != null) {
                byKey.computeIfAbsent(seen.naturalKey(), k -> new ArrayList<>()).add(id);
            }
        });
        byKey.values().forEach(ids -> ids.sort(null));
        return byKey;
    }

    private void saveMatches(Pair pair, List<Link> matches) {
        if (matches.isEmpty()) {
            return;
        }
        links.save(pair.name(), matches);
    }

    private static void sample(Map<String, List<String>> samples, String kind, String id) {
        List<String> list = samples.computeIfAbsent(kind, k -> new ArrayList<>());
        if (list.size() < SAMPLES) {
            list.add(id);
        }
    }

    /** Streams a whole side: id -> hash (and, for side a, the hash of what side b would hold), plus the natural key. */
    private Map<String, Seen> read(Pair pair, Role role) {
        Side side = pair.side(role);
        TwoWayMapping mapping = pair.twoWayMapping();
        Set<String> bFields = mapping.bFields();
        Map<String, Seen> seen = new HashMap<>();
        Map<String, Map<String, String>> parents = role == Role.B ? references.allBtoA(pair) : Map.of();
        long[] bad = {0};
        side.entity().scan(record -> {
            Map<String, Object> row = record.values();
            if (!parents.isEmpty()) {
                References.readB(pair, List.of(row), parents);
            }
            try {
                Map<String, Object> canonical = role == Role.A ? mapping.readA(row) : mapping.readB(row);
                String hash = Mapping.hash(canonical);
                String projection = hash;
                if (role == Role.A) {
                    Map<String, Object> asB = new LinkedHashMap<>();
                    canonical.forEach((k, v) -> {
                        if (bFields.contains(k)) {
                            asB.put(k, v);
                        }
                    });
                    projection = Mapping.hash(asB);
                }
                seen.put(record.id(), new Seen(hash, projection, naturalKey(pair, canonical)));
            } catch (RecordException e) {
                bad[0]++; // the poll reports it as a dead letter; here it simply is not compared
                seen.put(record.id(), UNMAPPABLE);
            }
        });
        if (bad[0] > 0) {
            LOG.debugf("pair '%s': %d records of %s cannot be mapped and were not compared", pair.name(), bad[0], side.reference());
        }
        return seen;
    }

    /** The natural key as compared: trimmed, lower case. */
    private static String naturalKey(Pair pair, Map<String, Object> canonical) {
        if (pair.match() == null) {
            return null;
        }
        Object value = canonical.get(pair.match());
        if (value == null) {
            return null;
        }
        String key = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
        return key.isEmpty() ? null : key;
    }
}
