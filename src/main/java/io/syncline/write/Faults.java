package io.syncline.write;

import io.syncline.system.SynclineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Named points between two commits where a test makes a two-way window's apply, the storing of a
 * two-way page in its window, or a one-way page's write, fail once each, as a crash would stop it there (or a one-way
 * reconciliation's deletes, a two-way reconciliation's matches):
 * {@code syncline.faults=people:before-sides-commit} (any window of the pair) or
 * {@code people/95:before-sides-commit} (a window that holds record 95 of side a; for a one-way pair,
 * a page that holds source record 95). Nothing is armed unless that property is set; the server logs each fault it injects.
 * A test that runs in the server's JVM may also leave an action at a point ({@link #once}).
 */
@ApplicationScoped
public class Faults {

    private static final Logger LOG = Logger.getLogger(Faults.class);

    /** After the window's intent is stored, before either side commits. */
    public static final String BEFORE_SIDES_COMMIT = "before-sides-commit";
    /** After side b committed, before side a does. */
    public static final String BETWEEN_SIDES_COMMIT = "between-sides-commit";
    /** After both sides committed, before the links move. */
    public static final String BEFORE_STATE_COMMIT = "before-state-commit";
    /** Two way: after a page's changes were checked against the links, before they are stored in the window with the cursor. */
    public static final String BEFORE_WINDOW_STORE = "before-window-store";
    /** One way: after a page is on the target, before its links and the cursor are committed. */
    public static final String AFTER_TARGET_COMMIT = "after-target-commit";
    /** One way: reconciliation found source records gone, before it looks at the source once more and deletes them. */
    public static final String BEFORE_GONE_CHECKED = "before-gone-checked";
    /** One way: reconciliation checked that the source records are still gone, before the target deletes them. */
    public static final String BEFORE_GONE_DELETED = "before-gone-deleted";
    /** Two way: reconciliation matched records by natural key, before they are linked and applied. */
    public static final String BEFORE_MATCHES_LINKED = "before-matches-linked";
    /** Two way: a chunk planned on rows of its changed side read without locks, before the rows it writes there are locked. */
    public static final String PLANNED_UNLOCKED = "planned-unlocked";

    private final Set<String> armed = ConcurrentHashMap.newKeySet();
    private final Map<String, Runnable> actions = new ConcurrentHashMap<>();

    Faults(SynclineConfig config) {
        config.faults().ifPresent(armed::addAll);
    }

    /**
     * Fails here, once, when a test armed this point for this pair or one of these records (of side a, or the source); or
     * runs what a test left for it here.
     */
    public void at(String pair, String point, Collection<String> aIds) {
        if (!actions.isEmpty()) {
            List<Runnable> left = Stream.concat(Stream.of(pair + ":" + point), aIds.stream().map(id -> pair + "/" + id + ":" + point))
                    .map(actions::remove).filter(Objects::nonNull).toList();
            left.forEach(action -> {
                LOG.infof("pair '%s': at %s, a test acts", pair, point);
                action.run();
            });
        }
        if (armed.isEmpty()) {
            return;
        }
        if (armed.remove(pair + ":" + point) || aIds.stream().anyMatch(id -> armed.remove(pair + "/" + id + ":" + point))) {
            throw new IllegalStateException("fault injected at " + point + " (syncline.faults)");
        }
    }

    /**
     * For tests only, that run in the server's JVM: runs {@code action} once, in the thread that reaches {@code point} with
     * record {@code aId} of side a of the pair (an edit made by "another user" at that very moment), or with any record when
     * {@code aId} is null. Nothing calls it outside tests.
     */
    public void once(String pair, String aId, String point, Runnable action) {
        actions.put(aId == null ? pair + ":" + point : pair + "/" + aId + ":" + point, action);
    }
}
