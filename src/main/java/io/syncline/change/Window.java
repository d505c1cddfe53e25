package io.syncline.change;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.syncline.pair.Role;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The changes of one two-way pair seen within its window: which records of side A and of side B
 * changed. The aggregator collects pages into it; when the window closes, the writer reads the
 * current rows of both sides, groups them by link and resolves what both sides changed.
 */
@RegisterForReflection
public final class Window {

    private final String pair;
    private final Set<String> a = new LinkedHashSet<>();
    private final Set<String> b = new LinkedHashSet<>();
    private final List<Page> unsaved = new ArrayList<>();
    /** The id it was closed under, or null: a window that recovery, reconciliation or a parent pair made. */
    private volatile String closedAs;

    public Window(String pair) {
        this.pair = pair;
    }

    public String pair() {
        return pair;
    }

    /** Closed: the aggregator applies it as window {@code id} (io.syncline.state.PendingChanges#close). */
    public void closedAs(String id) {
        closedAs = id;
    }

    /** The id it was closed under; null for a window that recovery, reconciliation or a parent pair made. */
    public String closedAs() {
        return closedAs;
    }

    /** Adds a page's changed records; the page waits to be stored with the window (io.syncline.flow.WindowRepository). */
    public synchronized void add(Page page) {
        Set<String> ids = page.role() == Role.A ? a : b;
        for (Change change : page.staged()) {
            ids.add(change.recordId());
        }
        unsaved.add(page);
    }

    public synchronized void add(Role side, Collection<String> ids) {
        (side == Role.A ? a : b).addAll(ids);
    }

    public synchronized Set<String> ids(Role side) {
        return Set.copyOf(side == Role.A ? a : b);
    }

    public synchronized int size() {
        return a.size() + b.size();
    }

    /** The pages added since the last call, to be stored with their cursors. */
    public synchronized List<Page> takeUnsaved() {
        List<Page> pages = List.copyOf(unsaved);
        unsaved.clear();
        return pages;
    }

    @Override
    public synchronized String toString() {
        return "window of pair '" + pair + "': " + a.size() + " records of side a, " + b.size() + " of side b";
    }
}
