package io.syncline.flow;

import io.syncline.mapping.Mapping;
import io.syncline.mapping.TwoWayMapping;
import io.syncline.mapping.FieldRule;
import io.syncline.value.RecordException;
import io.syncline.mapping.ColumnValues;
import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.change.Change;
import io.syncline.change.Page;
import io.syncline.state.Links;
import io.syncline.state.PendingChanges;
import io.syncline.state.References;
import io.syncline.state.DeadLetters;
import io.syncline.state.SyncState;
import io.syncline.system.Table;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The transform step of an apply route: maps each change of a page from source row to canonical
 * record and target values. A record that cannot be mapped becomes a dead letter and leaves the
 * page; the others go on. Also fetches, in one query, the hashes last synced for the page.
 */
@ApplicationScoped
@Named("mapping")
public class Mapper implements Processor {

    @Inject
    SyncState state;

    @Inject
    DeadLetters deadLetters;

    @Inject
    Links links;

    @Inject
    References references;

    @Inject
    PendingChanges pendingChanges;

    @Override
    public void process(Exchange exchange) throws Exception {
        Page page = exchange.getMessage().getMandatoryBody(Page.class);
        Pair pair = page.pair();
        List<String> ids;
        if (pair.isTwoWay()) {
            TwoWayMapping mapping = pair.twoWayMapping();
            boolean sideA = page.role() == Role.A;
            if (!sideA && !pair.references().isEmpty()) {
                references.readB(pair, page.getChanges().stream().map(Change::row).toList());
            }
            // each row to canonical from its side; the link holds that side's hash
            ids = mapEach(page, change -> {
                Map<String, Object> canonical = sideA ? mapping.readA(change.row()) : mapping.readB(change.row());
                change.mapped(canonical, Mapping.hash(canonical), null, null);
            });
        } else {
            Mapping mapping = pair.mapping();
            List<FieldRule> targets = mapping.targetRules();
            List<Table.Column> columns = pair.targetColumns();
            int keyIndex = targets.indexOf(mapping.rule(pair.key()));
            ids = mapEach(page, change -> {
                Map<String, Object> canonical = mapping.toCanonical(change.row());
                Object[] values = mapping.toTarget(canonical);
                for (int i = 0; i < values.length; i++) {
                    values[i] = ColumnValues.forColumn(values[i], columns.get(i), targets.get(i).canonical());
                }
                if (values[keyIndex] == null) {
                    throw new RecordException("key field '" + pair.key() + "' is empty");
                }
                change.mapped(canonical, Mapping.hash(canonical), values, String.valueOf(values[keyIndex]));
            });
        }
        if (!page.isFirstLoad()) {
            if (pair.isTwoWay()) {
                // A re-read (the lookback) of a change that already waits in a window is not taken again: its link need
                // not be looked up. While a large window is applied, every poll re-reads its changes.
                Set<String> waiting = new HashSet<>();
                List<String> lookUp = new ArrayList<>(ids.size());
                for (Change change : page.getChanges()) { // the changes mapped: those of ids
                    boolean reRead = pendingChanges.isWaiting(pair.name(), change.side(), change.recordId(), change.hash());
                    (reRead ? waiting : lookUp).add(change.recordId());
                }
                page.syncedHashes(links.hashes(pair.name(), page.role(), lookUp), waiting);
            } else {
                page.syncedHashes(links.hashes(pair.name(), page.role(), ids)); // a one-way pair's source is side a
            }
        }
    }

    /** Maps each change of the page; one that cannot be mapped becomes a dead letter and leaves the page. Returns the ids mapped. */
    private List<String> mapEach(Page page, Consumer<Change> map) {
        List<String> ids = new ArrayList<>(page.getChanges().size());
        for (Iterator<Change> it = page.getChanges().iterator(); it.hasNext();) {
            Change change = it.next();
            try {
                map.accept(change);
                ids.add(change.recordId());
            } catch (RecordException e) {
                deadLetters.store(page.pair().name(), change.side(), change.recordId(), e.getMessage(), String.valueOf(change.row()));
                it.remove();
                page.countDeadLetter();
            }
        }
        return ids;
    }
}
