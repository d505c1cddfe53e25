package io.syncline.state;

import io.syncline.pair.Role;
import io.syncline.state.Links.Link;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hashes of links as the state store last committed them, for the records that polls read again and again: every
 * poll re-reads its lookback, and the echo of a write is read on the side written. Each look-up that misses fills it.
 *
 * <p>It never answers with a hash the store no longer holds, beyond the instant between a commit and its drop:
 * <ul>
 * <li>every transaction that writes or deletes links drops them here as soon as its commit returns (or fails), in the
 * thread that committed, before anything that follows the commit ({@link #dropped});</li>
 * <li>a look-up notes the count of drops before it reads the store ({@link #began}), and fills nothing for a link dropped
 * since: it may have read it before that commit;</li>
 * <li>drops are remembered for the last {@code maxDrops} links, and only while a look-up is under way (a full load's
 * pages drop a million links that nobody looks up); a look-up older than the drops forgotten fills nothing
 * ({@code floor}).</li>
 * </ul>
 * A hash read just before a commit is what a look-up without this memory could have read too; the next re-read of the
 * lookback looks it up again. A commit that fails may have landed all the same, or land later (a connection lost after
 * the commit was sent, a synchronous standby that has not answered): everything is forgotten then, and nothing is
 * filled for {@link #IN_DOUBT} ({@link #commit}). This holds while this server alone writes the pair's links
 * (scale-out must clear it when a pair moves to this server).
 */
@ApplicationScoped
public class LinkHashes {

    /** How long nothing is filled after a commit of links failed: it may still land. */
    static final Duration IN_DOUBT = Duration.ofMinutes(10);

    /** Links remembered, the least recently used forgotten first: up to about 500 bytes each (ids of 36 characters). */
    private final int maxLinks;
    /** Drops remembered, the oldest forgotten first: up to about 170 bytes each. */
    private final int maxDrops;

    private record Key(String pair, String aId) {
    }

    private record BKey(String pair, String bId) {
    }

    private record Hashes(String bId, String aHash, String bHash) {
    }

    private long drops;
    /** Look-ups under way: between {@link #began} and {@link #fill}. */
    private int lookUps;
    /** Look-ups that began before this fill nothing: a drop they could have missed is forgotten. */
    private long floor;
    /** {@link System#nanoTime()} until which nothing is filled: a commit of links failed, and may land yet. */
    private long inDoubtUntil = System.nanoTime();
    private final Map<Key, Hashes> links = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Hashes> eldest) {
            if (size() <= maxLinks) {
                return false;
            }
            byB.remove(new BKey(eldest.getKey().pair(), eldest.getValue().bId()), eldest.getKey().aId());
            return true;
        }
    };
    /** Side B's id of a link remembered, to its A id. */
    private final Map<BKey, String> byB = new HashMap<>();
    /** The drop count at which each link was last dropped. */
    private final Map<Key, Long> dropped = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
            if (size() <= maxDrops) {
                return false;
            }
            floor = Math.max(floor, eldest.getValue());
            return true;
        }
    };

    public LinkHashes() {
        this(30_000, 30_000); // together about 20 MB at most
    }

    LinkHashes(int maxLinks, int maxDrops) {
        this.maxLinks = maxLinks;
        this.maxDrops = maxDrops;
    }

    /** Noted before a look-up reads the store, and handed to {@link #fill}, which every look-up calls, also when it failed. */
    public synchronized long began() {
        lookUps++;
        return drops;
    }

    /**
     * The hashes remembered for these ids of {@code side}, by id; the ids it does not know are added to {@code unknown}.
     * A link without a hash for that side is left out, as the store's look-up leaves it out.
     */
    public synchronized Map<String, String> known(String pair, Role side, Collection<String> ids, List<String> unknown) {
        Map<String, String> known = new HashMap<>();
        for (String id : ids) {
            String aId = side == Role.A ? id : byB.get(new BKey(pair, id));
            Hashes hashes = aId == null ? null : links.get(new Key(pair, aId));
            if (hashes == null || (side == Role.B && !hashes.bId().equals(id))) {
                unknown.add(id);
            } else if ((side == Role.A ? hashes.aHash() : hashes.bHash()) != null) {
                known.put(id, side == Role.A ? hashes.aHash() : hashes.bHash());
            }
        }
        return known;
    }

    /** Remembers links a look-up that {@link #began} at {@code began} read, but none that was dropped since. */
    public synchronized void fill(String pair, long began, Collection<Link> read) {
        lookUps--;
        if (began < floor || System.nanoTime() - inDoubtUntil < 0) {
            return;
        }
        for (Link link : read) {
            Key key = new Key(pair, link.aId());
            Long droppedAt = dropped.get(key);
            if (droppedAt != null && droppedAt > began) {
                continue;
            }
            Hashes old = links.put(key, new Hashes(link.bId(), link.aHash(), link.bHash()));
            if (old != null && !old.bId().equals(link.bId())) {
                byB.remove(new BKey(pair, old.bId()), link.aId());
            }
            byB.put(new BKey(pair, link.bId()), link.aId());
        }
    }

    /**
     * Commits a state-store transaction that wrote or deleted the links of these A ids of the pair, and forgets them as
     * soon as the commit returns; should it fail, forgets every link and fills nothing for {@link #IN_DOUBT}. Every
     * transaction that writes links commits here, or through {@link #commitForgettingAll}.
     */
    public void commit(Connection c, String pair, Collection<String> aIds) throws SQLException {
        commit(c, () -> dropped(pair, aIds));
    }

    /** Commits a state-store transaction that deleted all of a pair's links (a resync), and forgets every link. */
    public void commitForgettingAll(Connection c) throws SQLException {
        commit(c, this::droppedAll);
    }

    private void commit(Connection c, Runnable forget) throws SQLException {
        try {
            c.commit();
        } catch (SQLException | RuntimeException e) {
            inDoubt();
            throw e;
        } finally {
            forget.run();
        }
    }

    private synchronized void inDoubt() {
        inDoubtUntil = System.nanoTime() + IN_DOUBT.toNanos();
        droppedAll();
    }

    /** Forgets the links of these A ids of the pair: a transaction that wrote or deleted them has committed, or tried to. */
    synchronized void dropped(String pair, Collection<String> aIds) {
        if (aIds.isEmpty()) {
            return;
        }
        long at = ++drops;
        for (String aId : aIds) {
            Key key = new Key(pair, aId);
            Hashes old = links.remove(key);
            if (old != null) {
                byB.remove(new BKey(pair, old.bId()), aId);
            }
            if (lookUps > 0) { // a look-up that began before this drop may have read the link before the commit
                dropped.remove(key); // re-added last, so that the oldest drop is forgotten first
                dropped.put(key, at);
            }
        }
    }

    /** Drops remembered (for tests). */
    synchronized int dropsRemembered() {
        return dropped.size();
    }

    /** Forgets every link, and what was filled by look-ups under way. */
    synchronized void droppedAll() {
        floor = ++drops;
        links.clear();
        byB.clear();
        dropped.clear();
    }
}
