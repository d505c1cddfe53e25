package io.syncline.state;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hash each record held when a poll of its side last read it, per pair, side and id, kept once that poll's page
 * was committed (written, or stored in a window). Every poll re-reads its lookback: a record read again with the hash
 * it had then has not changed since, and its link need not be looked up again. In memory, for the records read
 * recently: a record it does not hold (a restart, a busy side) is looked up as before.
 *
 * <p>What is kept belongs to the pair's resync count at the time ({@link SyncState#resyncs}): a resync, which reads
 * everything again to compare it with the links, finds nothing here from before it.
 */
@ApplicationScoped
public class LastSeen {

    /** Records kept per pair and side in each of two generations: the newest 16,384 to 32,768 records read. */
    static final int GENERATION = 16_384;

    @Inject
    SyncState state;

    private final Map<String, Seen> bySide = new ConcurrentHashMap<>();

    /** True when a poll of this side last read the record with this hash, since the pair's last resync. */
    public boolean same(String pair, String side, String id, String hash) {
        Seen seen = bySide.get(pair + "/" + side);
        return seen != null && seen.resyncs == state.resyncs(pair) && seen.holds(id, hash);
    }

    /**
     * Keeps what a poll's committed page read: record id to hash. {@code resyncs} is the count its poll read before its
     * cursor: a page of a poll that a resync overtook is not kept.
     */
    public void saw(String pair, String side, long resyncs, Map<String, String> hashes) {
        if (hashes.isEmpty() || resyncs != state.resyncs(pair)) {
            return;
        }
        Seen seen = bySide.compute(pair + "/" + side, (k, held) -> held == null || held.resyncs != resyncs ? new Seen(resyncs) : held);
        seen.put(hashes);
    }

    /** Two generations of id to hash: the newer is filled, and once full becomes the older. */
    private static final class Seen {
        final long resyncs;
        private volatile Map<String, String> newer = new ConcurrentHashMap<>();
        private volatile Map<String, String> older = Map.of();

        Seen(long resyncs) {
            this.resyncs = resyncs;
        }

        boolean holds(String id, String hash) {
            String held = newer.get(id);
            if (held == null) {
                held = older.get(id);
            }
            return hash.equals(held);
        }

        synchronized void put(Map<String, String> hashes) {
            hashes.forEach((id, hash) -> {
                if (newer.size() >= GENERATION) {
                    older = newer;
                    newer = new ConcurrentHashMap<>();
                }
                newer.put(id, hash); // read first: a record's newest hash is in the newest generation that holds it
            });
        }
    }
}
