package io.syncline.state;

import io.syncline.pair.Role;
import io.syncline.state.Links.Link;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Records, in one state-store transaction, what an applied chunk of a two-way window leaves behind. */
@ApplicationScoped
public class AppliedWindows {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(AppliedWindows.class);

    @Inject
    DeadLetters deadLetters;

    @Inject
    Links links;

    @Inject
    LinkHashes remembered;

    @Inject
    Conflicts conflicts;

    @Inject
    References references;

    @Inject
    History history;

    /**
     * @param links       the links as both sides now hold them
     * @param dropLinks   A ids of links that end
     * @param intentsDone A ids whose window's intent is done (stored by this chunk, or left by a window that stopped)
     * @param parked      "a"/"b" + id -> the parent pair a record waits for
     * @param done        "a"/"b" + id of records handled (no longer parked)
     * @param conflicts   records left to an operator
     * @param settled     A ids whose conflict an operator's decision settled
     * @param decisions   what the chunk adds to the record history
     * @param readAt      the {@link DeadLetters#stamp} taken before the records were read: dead letters recorded since stay
     */
    public record Applied(Collection<Link> links, Collection<String> dropLinks, Collection<String> intentsDone, Map<String, String> parked,
            Collection<String> done, List<Conflicts.Conflict> conflicts, Collection<String> settled, List<History.Entry> decisions,
            long readAt) {
    }

    /**
     * Moves the links, stores conflicts, parked records and the record history, and clears the dead letters of the
     * records that could be resolved; {@code sideA} and {@code sideB} name the sides' systems.
     */
    public void commit(String pair, String sideA, String sideB, Applied applied) {
        try (Connection c = links.begin()) {
            try {
                links.save(c, pair, applied.links());
                links.delete(c, pair, applied.dropLinks());
                links.deleteIntents(c, pair, applied.intentsDone());
                references.park(c, pair, applied.parked(), applied.done());
                for (Conflicts.Conflict conflict : applied.conflicts()) {
                    conflicts.save(c, conflict);
                }
                for (String aId : applied.settled()) {
                    conflicts.delete(c, pair, aId);
                }
                history.record(c, pair, applied.decisions());
                // records that were resolved (written, equal, or left for review) could be mapped: no longer dead letters
                Map<String, Long> cleared = new HashMap<>(deadLetters.clear(c, pair, sideA, resolved(applied, Role.A), applied.readAt()));
                cleared.putAll(deadLetters.clear(c, pair, sideB, resolved(applied, Role.B), applied.readAt()));
                List<String> moved = new ArrayList<>(Links.aIds(applied.links()));
                moved.addAll(applied.dropLinks());
                remembered.commit(c, pair, moved);
                deadLetters.cleared(cleared);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            try {
                history.purgeIfDue();
            } catch (RuntimeException e) {
                LOG.warnf("%s", e.getMessage()); // the window is applied; the purge is tried again later
            }
        } catch (SQLException e) {
            // both sides hold the result; the next look at these records finds them equal and records the links then
            throw new IllegalStateException("pair '" + pair + "': the links of an applied window could not be stored: " + e.getMessage(), e);
        }
    }

    /** The ids on one side of the records the chunk resolved: those whose links moved, and those it handled unchanged. */
    private static Set<String> resolved(Applied applied, Role side) {
        Set<String> ids = new HashSet<>();
        applied.links().stream().map(l -> l.id(side)).filter(Objects::nonNull).forEach(ids::add);
        applied.done().stream().filter(d -> d.startsWith(side.key())).map(d -> d.substring(1)).forEach(ids::add);
        return ids;
    }
}
