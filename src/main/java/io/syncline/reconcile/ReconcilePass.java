package io.syncline.reconcile;

import io.syncline.mapping.Mapping;
import io.syncline.value.RecordException;
import io.syncline.mapping.TwoWayMapping;
import io.syncline.pair.Deletes;
import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.pair.Side;
import io.syncline.state.CanonicalJson;
import io.syncline.state.Links;
import io.syncline.state.Links.Link;
import io.syncline.state.Links.LinkKey;
import io.syncline.state.PairStatus;
import io.syncline.state.References;
import io.syncline.change.Window;
import io.syncline.write.Faults;
import io.syncline.write.TwoWayWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * One reconciliation pass of a two-way pair: both sides and the links are spread over buckets by id, and each bucket is
 * compared on its own; the records no link holds are then spread by natural key, and matched a bucket at a time. Memory
 * holds one bucket, and the links that are not in sync on both sides; never a whole side.
 */
final class ReconcilePass {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    private static final int SAMPLES = 20;

    /** Kinds of rows a pass spreads over its buckets. */
    private static final String RECORDS_A = "a";
    private static final String RECORDS_B = "b";
    private static final String LINKS_BY_A = "links-by-a";
    private static final String LINKS_BY_B = "links-by-b";
    private static final String UNLINKED_A = "unlinked-a";
    private static final String UNLINKED_B = "unlinked-b";
    /** Every kind, for the buckets of a pass. */
    static final List<String> KINDS = List.of(RECORDS_A, RECORDS_B, LINKS_BY_A, LINKS_BY_B, UNLINKED_A, UNLINKED_B);
    /** Ids per window a pass applies: its repairs, matches and creates are applied as it finds them, a window at a time. */
    private static final int WORK_PER_WINDOW = 10_000;
    /** A pass over more records than this logs its progress. */
    private static final int PROGRESS = 100_000;

    /** What a side holds for a link. */
    private enum Found { SAME, DIFFERS, MISSING, UNMAPPABLE }

    /**
     * One side's records as reconciliation keeps them: a hash (side a's also as side b would read it), the natural key when
     * the pair matches, and on a first run side a's canonical values.
     */
    private record Seen(String hash, String projection, String naturalKey, String base) {
    }

    /** A record that cannot be mapped: it exists, but is not compared. */
    private static final Seen UNMAPPABLE = new Seen("!", "!", null, null);

    private final Reconciler reconciler;
    private final Pair pair;
    private final boolean dryRun;
    /** The pair's first run, before its first poll: twins found equal are linked as they are, not through the writer. */
    private final boolean firstRun;
    private final Buckets buckets;
    private final long started = System.nanoTime();
    private final Map<String, List<String>> samples = new LinkedHashMap<>();
    /** Links not simply in sync on both sides (or being created), by a id; and what each side holds for them when it is not the same. */
    private final Map<String, LinkKey> odd = new LinkedHashMap<>();
    private final Map<String, Found> foundA = new HashMap<>();
    private final Map<String, Found> foundB = new HashMap<>();
    private long aRecords;
    private long bRecords;
    private long known;
    private long createInA;
    private long createInB;
    private long matched;
    private long matchedDiffering;
    private long ambiguous;
    private long drift;
    private long bothChanged;
    private long deletedInA;
    private long deletedInB;
    private long deletesToApply;
    private boolean applying;
    private TwoWayWriter.Outcome applied;
    private Window work;
    private List<Link> matches = new ArrayList<>();
    private List<Link> equalTwins = new ArrayList<>();
    /** Records applied so far: linked equal, or looked at by the writer. */
    private long done;
    private final ExecutorService helper;
    /** The state commit of the last equal twins, on the helper thread. */
    private Future<?> linking = CompletableFuture.completedFuture(null);
    /** The dead letters' stamp before the pass read the sides: equal twins linked clear only dead letters recorded before. */
    private final long readAt;

    ReconcilePass(Reconciler reconciler, Pair pair, boolean dryRun, boolean firstRun, Buckets buckets, ExecutorService helper) {
        this.reconciler = reconciler;
        this.pair = pair;
        this.dryRun = dryRun;
        this.firstRun = firstRun;
        this.buckets = buckets;
        this.helper = helper;
        this.readAt = reconciler.deadLetters.stamp();
    }

    Reconciler.Report run() {
        reconciler.links.scan(pair.name(), link -> {
            known++;
            buckets.add(LINKS_BY_A, link.aId(), link.aId(), link.bId(), link.aHash(), link.bHash());
            buckets.add(LINKS_BY_B, link.bId(), link.aId(), link.bId(), link.aHash(), link.bHash());
        });
        Future<Long> sideB = helper.submit(() -> spill(Role.B, RECORDS_B, false));
        // a first run keeps side a's values: twins found equal are linked with them as their base
        aRecords = spill(Role.A, RECORDS_A, firstRun && known == 0 && pair.match() != null);
        bRecords = join(sideB);
        if (!dryRun && aRecords + bRecords >= PROGRESS) {
            LOG.infof("pair '%s': reconciliation read %,d records of %s, %,d of %s and %,d links in %.1fs; comparing them", pair.name(),
                    aRecords, pair.side(Role.A).reference(), bRecords, pair.side(Role.B).reference(), known, seconds());
        }
        for (int bucket = 0; bucket < Buckets.COUNT; bucket++) {
            compare(Role.A, bucket);
            compare(Role.B, bucket);
        }
        List<String> repairs = new ArrayList<>();
        odd.values().forEach(link -> judge(link, repairs));

        PairStatus status = reconciler.state.status(pair.name());
        String guard = null;
        long allowed = reconciler.confirmedDeletes.getOrDefault(pair.name(), 0L);
        if (pair.deleteGuard().trips(deletesToApply, known) && deletesToApply > allowed) {
            guard = "mass-delete guard: this pass would delete " + deletesToApply + " of " + known + " linked records (" + deletedInA
                    + " gone from " + pair.side(Role.A).reference() + ", " + deletedInB + " from " + pair.side(Role.B).reference()
                    + "), more than " + pair.deleteGuard() + "; nothing was deleted and the pair is paused. Check the systems, then "
                    + "POST /api/pairs/" + pair.name() + "/deletes/confirm";
            if (!dryRun) {
                status.deleteGuard(guard);
                reconciler.state.setPaused(pair.name(), pair.side(Role.A).name(), true);
                LOG.warnf("pair '%s': %s", pair.name(), guard);
            }
        }
        applying = !dryRun && guard == null;
        if (applying) {
            reconciler.confirmedDeletes.remove(pair.name());
        }
        work = new Window(pair.name());
        for (String aId : repairs) {
            add(Role.A, aId);
        }
        for (int bucket = 0; bucket < Buckets.COUNT; bucket++) {
            match(bucket);
        }
        flush();
        join(linking);
        Reconciler.Report report = new Reconciler.Report(pair.name(), dryRun, aRecords, bRecords, known, createInA, createInB, matched, matchedDiffering, ambiguous,
                drift, bothChanged, deletedInA, deletedInB, deletesToApply, guard, samples, applied, seconds());
        if (!dryRun && (matched + createInA + createInB + drift + deletesToApply > 0 || guard != null)) {
            LOG.infof("pair '%s': reconciliation in %.1fs: %d matched (%d differing), %d created in a, %d in b, %d drifted, %d deletes%s",
                    pair.name(), report.seconds(), matched, matchedDiffering, createInA, createInB, drift, deletesToApply,
                    guard != null ? " held by the guard" : "");
        }
        return report;
    }

    /** One bucket of a side against the links by that side's id; the records no link holds go on to matching. */
    private void compare(Role role, int bucket) {
        Map<String, Seen> records = new HashMap<>();
        buckets.read(role == Role.A ? RECORDS_A : RECORDS_B, bucket, f -> records.put(f[0], seen(f)));
        Set<String> linked = new HashSet<>();
        buckets.read(role == Role.A ? LINKS_BY_A : LINKS_BY_B, bucket, f -> {
            LinkKey link = new LinkKey(f[0], f[1], f[2], f[3]);
            Seen seen = records.get(link.id(role));
            linked.add(link.id(role));
            Found found = seen == null ? Found.MISSING : seen == UNMAPPABLE ? Found.UNMAPPABLE
                    : seen.hash().equals(link.hash(role)) ? Found.SAME : Found.DIFFERS;
            if (found != Found.SAME || creating(link)) {
                odd.putIfAbsent(link.aId(), link);
                if (found != Found.SAME) {
                    (role == Role.A ? foundA : foundB).put(link.aId(), found);
                }
            }
        });
        records.forEach((id, seen) -> {
            if (!linked.contains(id) && seen != UNMAPPABLE) { // unmappable: a dead letter of the poll, not compared
                String key = seen.naturalKey();
                buckets.add(role == Role.A ? UNLINKED_A : UNLINKED_B, key == null ? id : key, key, id,
                        role == Role.A ? seen.projection() : seen.hash(), seen.hash(), seen.base());
            }
        });
    }

    /** What a link that is not in sync on both sides needs: a repair, a delete, nothing (a tombstone, a record not mapped). */
    private void judge(LinkKey link, List<String> repairs) {
        Found inA = foundA.getOrDefault(link.aId(), Found.SAME);
        Found inB = foundB.getOrDefault(link.aId(), Found.SAME);
        if (inA == Found.UNMAPPABLE || inB == Found.UNMAPPABLE) {
            return; // a dead letter of the poll; not compared
        }
        if (inA == Found.MISSING && inB == Found.MISSING) {
            repairs.add(link.aId()); // both gone: the link is dropped
        } else if (inA == Found.MISSING && Links.GONE.equals(link.aHash()) || inB == Found.MISSING && Links.GONE.equals(link.bHash())) {
            return; // a tombstone: the delete was handled when it was found
        } else if (creating(link)) {
            repairs.add(link.aId()); // a record being created when the server stopped: the writer finishes it
            drift++;
        } else if (inA == Found.MISSING || inB == Found.MISSING) {
            Role gone = inA == Found.MISSING ? Role.A : Role.B;
            if (gone == Role.A) {
                deletedInA++;
            } else {
                deletedInB++;
            }
            if (pair.rules().deletes(gone).kind() != Deletes.Kind.IGNORE) {
                deletesToApply++;
                repairs.add(link.aId());
                sample(samples, "deletedIn" + gone, link.id(gone));
            }
        } else {
            drift++;
            if (inA == Found.DIFFERS && inB == Found.DIFFERS) {
                bothChanged++; // a conflict for the policy to resolve, or for review
            }
            repairs.add(link.aId());
            sample(samples, "drift", link.aId());
        }
    }

    /**
     * The records of one natural-key bucket that no link holds: a key that one record on each side holds is a match;
     * a key that more than one of them holds on a side, with a record on the other side too, would make the match a
     * guess: they wait; the others are created on the other side.
     */
    private void match(int bucket) {
        Map<String, List<String[]>> keysA = unlinked(UNLINKED_A, bucket, Role.A);
        Map<String, List<String[]>> keysB = unlinked(UNLINKED_B, bucket, Role.B);
        Map<Role, Map<String, String>> unclear = pair.rules().ambiguousMatches(ids(keysA), ids(keysB), pair.side(Role.A).reference(),
                pair.side(Role.B).reference());
        unclear.forEach((side, ids) -> ids.forEach((id, reason) -> {
            ambiguous++;
            sample(samples, "ambiguous", side.key() + ":" + id);
            if (applying) {
                reconciler.deadLetters.store(pair.name(), pair.side(side).name(), id, reason, "(not read)");
            }
        }));
        keysA.forEach((key, inA) -> {
            List<String[]> inB = keysB.remove(key);
            if (inB != null && inA.size() == 1 && inB.size() == 1) {
                String[] a = inA.get(0);
                String[] b = inB.get(0);
                matched++;
                if (!a[2].equals(b[2])) {
                    matchedDiffering++;
                    sample(samples, "matchedDiffering", a[1] + "<->" + b[1]);
                    match(new Link(a[1], b[1], null, "-", "-")); // the writer merges them, by the pair's policy
                } else if (a[4] != null) {
                    equal(new Link(a[1], b[1], CanonicalJson.read(a[4]), a[3], b[3]));
                } else {
                    match(new Link(a[1], b[1], null, "-", "-")); // equal: the writer links them with their values as the base
                }
            } else if (inB == null) {
                inA.forEach(a -> {
                    createInB++;
                    sample(samples, "createInB", a[1]);
                    add(Role.A, a[1]);
                });
            }
        });
        keysB.values().forEach(inB -> inB.forEach(b -> { // keys side a does not hold
            createInA++;
            sample(samples, "createInA", b[1]);
            add(Role.B, b[1]);
        }));
    }

    /**
     * One bucket of a side's unlinked records by natural key, each as (key, id, hash as side b reads it, hash, values or
     * null), ids in order within a key; a record without a key is created on the other side at once.
     */
    private Map<String, List<String[]>> unlinked(String kind, int bucket, Role role) {
        Map<String, List<String[]>> byKey = new HashMap<>();
        buckets.read(kind, bucket, f -> {
            if (f[0] == null) {
                if (role == Role.A) {
                    createInB++;
                    sample(samples, "createInB", f[1]);
                } else {
                    createInA++;
                    sample(samples, "createInA", f[1]);
                }
                add(role, f[1]);
            } else {
                byKey.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f);
            }
        });
        byKey.values().forEach(rows -> rows.sort(Comparator.comparing(r -> r[1])));
        return byKey;
    }

    private static Map<String, List<String>> ids(Map<String, List<String[]>> byKey) {
        Map<String, List<String>> ids = new HashMap<>();
        byKey.forEach((key, rows) -> ids.put(key, rows.stream().map(r -> r[1]).toList()));
        return ids;
    }

    /** Twins for the writer to link: their link is stored first, then the writer merges them. */
    private void match(Link twins) {
        if (applying) {
            matches.add(twins);
            add(Role.A, twins.aId());
        }
    }

    /** A record for the writer to look at; applied a window at a time when the pass applies. */
    private void add(Role role, String id) {
        if (!applying) {
            return;
        }
        work.add(role, List.of(id));
        if (work.size() >= WORK_PER_WINDOW) {
            flush();
        }
    }

    /**
     * Twins that hold the same values (as side b reads them): linked as they are, with side a's values as the base, in one
     * state commit per window's worth; nothing is written to either side, as the writer would write nothing.
     */
    private void equal(Link twins) {
        if (!applying) {
            return;
        }
        equalTwins.add(twins);
        if (equalTwins.size() >= WORK_PER_WINDOW) {
            flush();
        }
    }

    /** Applies the work found so far: the writer links the matches first, so that it merges the twins. */
    private void flush() {
        if (!applying) {
            return;
        }
        if (!equalTwins.isEmpty()) {
            List<Link> twins = equalTwins;
            join(linking); // one commit at a time: the next is stored while the pass goes on matching
            linking = helper.submit(() -> reconciler.writer.linkEqual(pair, twins, readAt), null);
            TwoWayWriter.Outcome outcome = new TwoWayWriter.Outcome(0, 0, 0, 0, 0, 0, twins.size());
            applied = applied == null ? outcome : applied.plus(outcome);
            progress(twins.size());
            equalTwins = new ArrayList<>();
        }
        if (work.size() == 0) {
            return;
        }
        reconciler.faults.at(pair.name(), Faults.BEFORE_MATCHES_LINKED, matches.stream().map(Link::aId).toList());
        TwoWayWriter.Outcome outcome = reconciler.writer.applyReconciled(work, matches);
        matches = new ArrayList<>();
        applied = applied == null ? outcome : applied.plus(outcome);
        progress(work.size());
        work = new Window(pair.name());
    }

    /** Logs every 100,000 records the pass has applied. */
    private void progress(int more) {
        long before = done;
        done += more;
        if (done / PROGRESS > before / PROGRESS) {
            LOG.infof("pair '%s': reconciliation applied %,d records so far (%.1fs)", pair.name(), done, seconds());
        }
    }

    private double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    private static boolean creating(LinkKey link) {
        return link.aHash().startsWith(Links.CREATING) || link.bHash().startsWith(Links.CREATING);
    }

    private static Seen seen(String[] f) {
        return UNMAPPABLE.hash().equals(f[1]) ? UNMAPPABLE : new Seen(f[1], f[2], f[3], f[4]);
    }

    private static void sample(Map<String, List<String>> samples, String kind, String id) {
        List<String> list = samples.computeIfAbsent(kind, k -> new ArrayList<>());
        if (list.size() < SAMPLES) {
            list.add(id);
        }
    }

    /**
     * Streams a whole side into its buckets by id: its hash (and, for side a, the hash of what side b would hold), and
     * the natural key, and with {@code withValues} its canonical values; returns how many records it has.
     */
    private long spill(Role role, String kind, boolean withValues) {
        Side side = pair.side(role);
        TwoWayMapping mapping = pair.twoWayMapping();
        Set<String> bFields = mapping.bFields();
        Map<String, Map<String, String>> parents = role == Role.B ? reconciler.references.allBtoA(pair) : Map.of();
        long[] counts = {0, 0};
        side.entity().scan(record -> {
            counts[0]++;
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
                buckets.add(kind, record.id(), record.id(), hash, projection, naturalKey(canonical),
                        withValues ? CanonicalJson.write(canonical) : null);
            } catch (RecordException e) {
                counts[1]++; // the poll reports it as a dead letter; here it simply is not compared
                buckets.add(kind, record.id(), record.id(), UNMAPPABLE.hash(), UNMAPPABLE.projection(), null, null);
            }
        });
        if (counts[1] > 0) {
            LOG.debugf("pair '%s': %d records of %s cannot be mapped and were not compared", pair.name(), counts[1], side.reference());
        }
        return counts[0];
    }

    /** The natural key as compared: trimmed, lower case. */
    private String naturalKey(Map<String, Object> canonical) {
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

    /** Waits for work on the helper thread; its failure is thrown as it was. */
    private static <T> T join(Future<T> work) {
        try {
            return work.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("reconciliation interrupted", e);
        }
    }

}
