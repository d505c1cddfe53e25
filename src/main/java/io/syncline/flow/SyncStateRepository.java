package io.syncline.flow;

import io.syncline.pair.Pairs;
import io.syncline.pair.Role;
import io.syncline.state.Links;
import io.syncline.state.PendingChanges;
import io.syncline.state.DeadLetters;
import io.syncline.state.SyncState;
import io.syncline.change.Change;
import io.syncline.change.ChangeKey;
import io.syncline.change.Page;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;

/**
 * The idempotent repository behind every pair's {@code idempotentConsumer}: a key
 * {@code pair/side/id#hash} is new unless the link already holds that hash, so unchanged rows and
 * re-reads inside the lookback are skipped. Hashes become durable with the page that wrote them
 * ({@link SyncState#commitPage}), so {@code confirm} and {@code remove} have nothing to do: a page
 * that fails leaves no hash behind and is read again.
 */
@ApplicationScoped
@Named("syncState")
public class SyncStateRepository implements IdempotentRepository {

    @Inject
    SyncState state;

    @Inject
    DeadLetters deadLetters;

    @Inject
    PendingChanges pendingChanges;

    @Inject
    Links links;

    @Inject
    Pairs pairs;

    /** The side of its pair the key's record was read from. */
    private Role role(ChangeKey k) {
        return pairs.get(k.pair()).side(Role.A).name().equals(k.side()) ? Role.A : Role.B;
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        // the change in the body and the page it was read in; none for Camel's calls without an exchange
        Change change = exchange != null && exchange.getMessage().getBody() instanceof Change c ? c : null;
        if (change != null && change.hash() == null) {
            throw new IllegalStateException("the idempotent consumer compares mapped changes; run the mapping step before the split");
        }
        ChangeKey k = change != null && key.equals(change.toString()) ? change.key() : ChangeKey.parse(key); // ${body}: its own key
        Page page = change == null ? null : change.page();
        boolean lookedUp = page != null && !page.notLookedUp().contains(k.recordId());
        if (page != null && !lookedUp && pendingChanges.isWaiting(k.pair(), k.side(), k.recordId(), k.hash())) {
            state.status(k.pair()).skipped(key); // counted if it is the echo of a write, read before its link moved
            return false; // a re-read of a change that still waits in a window
        }
        // a change that waited when its page was mapped, and whose window was applied since, is looked up on its own
        String synced = lookedUp ? page.syncedHashes().get(k.recordId())
                : links.hashes(k.pair(), role(k), List.of(k.recordId())).get(k.recordId());
        if (k.hash().equals(synced) && !deadLetters.has(k.pair(), k.side(), k.recordId())) {
            state.status(k.pair()).skipped(key);
            return false;
        }
        // a change; or a record that had a dead letter and holds what the link holds again: what the other side
        // changed while it was a dead letter waited for it, so it is looked at once more
        return !pendingChanges.isWaiting(k.pair(), k.side(), k.recordId(), k.hash()); // a re-read of a change that already waits in a window
    }

    @Override
    public boolean add(String key) {
        return add(null, key);
    }

    @Override
    public boolean contains(Exchange exchange, String key) {
        return !add(exchange, key);
    }

    @Override
    public boolean contains(String key) {
        return contains(null, key);
    }

    @Override
    public boolean remove(String key) {
        return true;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        throw new IllegalStateException("the sync state is cleared per pair: POST /api/pairs/{pair}/resync");
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
    }
}
