package io.syncline.write;

import io.syncline.mapping.TwoWayMapping;
import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.pair.Role;
import io.syncline.pair.Side;
import io.syncline.pair.Topology;
import io.syncline.state.Links.Link;
import io.syncline.state.Origins;
import io.syncline.system.Row;
import io.syncline.system.Table;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Changes relayed from pair to pair through a table that more than one pair syncs: which records of a chunk still
 * hold what another pair wrote into them (and the time of the edit those values carry), and the origins of what a
 * chunk writes into such tables, for the pairs that read them next. Tables of one pair only cost nothing.
 */
@ApplicationScoped
public class Relays {

    @Inject
    Pairs pairs;

    @Inject
    Origins origins;

    /**
     * Per side: the rows that hold what another pair wrote (by id -> the time of the edit those values carry), the ids
     * of rows with an origin they do not hold (edited since that write, or read before it committed), and every origin
     * found, to set back should the chunk's write not commit.
     */
    record Relayed(Map<Role, Map<String, Instant>> held, Map<Role, Set<String>> notHeld, Map<Role, Map<String, Origins.Origin>> found) {
    }

    /** The origins {@link #store} replaced, per side: by id, the origin found when the chunk read the row, or none. */
    record Replaced(Map<Role, Map<String, Optional<Origins.Origin>>> origins) {
    }

    /**
     * The origins of the chunk's rows, per side.
     *
     * @param links the chunk's links by A id: what the pair last synced of each record (columns another pair did not write
     *              must still hold it)
     */
    Relayed read(Pair pair, Map<String, Row> rowsA, Map<String, Row> rowsB, Map<String, Link> links) {
        Map<Role, Map<String, Instant>> held = new EnumMap<>(Role.class);
        Map<Role, Set<String>> notHeld = new EnumMap<>(Role.class);
        Map<Role, Map<String, Origins.Origin>> found = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            Side side = pair.side(role);
            Map<String, Row> rows = role == Role.A ? rowsA : rowsB;
            Map<String, Instant> byId = new HashMap<>();
            Set<String> others = new HashSet<>();
            Map<String, Origins.Origin> stored = Map.of();
            if (pairs.topology().shared(side.reference())) {
                Map<String, Link> linkOf = new HashMap<>();
                links.values().forEach(l -> linkOf.put(l.id(role), l));
                Set<String> ignored = ignored(side);
                stored = origins.find(Topology.key(side.reference()), rows.keySet());
                stored.forEach((id, origin) -> {
                    Row row = rows.get(id);
                    if (row != null && origin.holds(row.values(), ignored, synced(pair, role, linkOf.get(id)))) {
                        byId.put(id, origin.at());
                    } else if (row != null) {
                        others.add(id);
                    }
                });
            }
            held.put(role, byId);
            notHeld.put(role, others);
            found.put(role, stored);
        }
        return new Relayed(held, notHeld, found);
    }

    /** The columns of a side as the pair last synced the record (its base), lower case; empty for a record without a base. */
    private static Map<String, Object> synced(Pair pair, Role role, Link link) {
        if (link == null || link.base() == null) {
            return Map.of();
        }
        try {
            Object[] values = pair.rules().values(role, link.base());
            List<Table.Column> columns = pair.rules().written(role);
            Map<String, Object> byColumn = new HashMap<>();
            for (int i = 0; i < values.length; i++) {
                byColumn.put(columns.get(i).name().toLowerCase(Locale.ROOT), values[i]);
            }
            return byColumn;
        } catch (RuntimeException e) { // a base the mapping cannot write back: nothing known
            return Map.of();
        }
    }

    /**
     * Stores where what the chunk writes into shared tables came from: per record, the time of the edit its values carry and
     * its columns as written. Returns the origins it replaced: should a side's write not commit, {@link #setBack} restores
     * them, so that what another pair wrote into those records, which they still hold, keeps its origin.
     *
     * @param created per side, the ids the plan's creates were given, in the order of the plan's creates
     */
    Replaced store(Pair pair, Plan plan, Map<String, Row> rowsA, Map<String, Row> rowsB, Map<Role, List<String>> created, Relayed read) {
        Map<String, Map<String, Origins.Origin>> written = new HashMap<>();
        Map<Role, Map<String, Optional<Origins.Origin>>> replaced = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            Side side = pair.side(role);
            if (!pairs.topology().shared(side.reference())) {
                continue;
            }
            Set<String> ignored = ignored(side);
            List<String> columns = pair.rules().written(role).stream().map(Table.Column::name).toList();
            Map<String, Row> rows = role == Role.A ? rowsA : rowsB;
            Map<String, Origins.Origin> byId = new HashMap<>();
            plan.origins().get(role).forEach((id, at) -> {
                if (!plan.updates(role).containsKey(id)) {
                    return;
                }
                Row before = rows.get(id);
                Map<String, Object> after = TwoWayMapping.overlay(before == null ? null : before.values(), columns, plan.updates(role).get(id));
                byId.put(id, new Origins.Origin(at, Origins.fingerprints(after, ignored)));
            });
            List<Plan.Create> creates = plan.creates(role);
            List<String> ids = created.get(role);
            for (int i = 0; i < creates.size() && i < ids.size(); i++) {
                if (creates.get(i).origin() != null) {
                    Map<String, Object> after = TwoWayMapping.overlay(null, columns, creates.get(i).values());
                    byId.put(ids.get(i), new Origins.Origin(creates.get(i).origin(), Origins.fingerprints(after, ignored)));
                }
            }
            if (!byId.isEmpty()) {
                written.put(Topology.key(side.reference()), byId);
                Map<String, Optional<Origins.Origin>> before = new HashMap<>();
                byId.keySet().forEach(id -> before.put(id, Optional.ofNullable(read.found().get(role).get(id))));
                replaced.put(role, before);
            }
        }
        origins.save(written);
        return new Replaced(replaced);
    }

    /** Restores the origins {@link #store} replaced in a side's table: that side's write did not commit. */
    void setBack(Pair pair, Replaced replaced, Role side) {
        Map<String, Optional<Origins.Origin>> before = replaced.origins().get(side);
        if (before == null) {
            return;
        }
        String table = Topology.key(pair.side(side).reference());
        Map<String, Origins.Origin> restored = new HashMap<>();
        List<String> none = new ArrayList<>();
        before.forEach((id, origin) -> origin.ifPresentOrElse(o -> restored.put(id, o), () -> none.add(id)));
        origins.save(restored.isEmpty() ? Map.of() : Map.of(table, restored));
        origins.delete(table, none);
    }

    /** The columns that say nothing of a record's values: its key, and the change markers that every write moves. */
    private static Set<String> ignored(Side side) {
        Set<String> ignored = new HashSet<>();
        for (Table.Column column : new Table.Column[] {side.key(), side.cursor(), side.stamp()}) {
            if (column != null) {
                ignored.add(column.name().toLowerCase(Locale.ROOT));
            }
        }
        return ignored;
    }
}
