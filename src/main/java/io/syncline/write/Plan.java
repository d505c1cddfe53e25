package io.syncline.write;

import io.syncline.pair.Role;
import io.syncline.state.Conflicts;
import io.syncline.state.Links.Link;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one chunk of a two-way window will do, decided by {@link TwoWayPlanner} before
 * anything is written, and carried out by {@link TwoWayWriter}.
 *
 * @param updates     per side: record id -> the values of the columns the mapping writes
 * @param creates     per side: the records to insert there, each the twin of a record of the other side
 * @param deletes     per side: record ids to delete
 * @param links       the links as they stand once both sides hold the plan's result
 * @param dropLinks   A ids of links that end (both records gone, or a delete carried over)
 * @param conflicts   records left to an operator, with the sides' latest values
 * @param settled     A ids whose open conflict an operator's decision settles
 * @param echoes      per side: record id -> the hash the side will read back after the plan's update
 * @param parked      "a"/"b" + id -> the parent pair a record waits for (its reference is not linked yet)
 * @param done        "a"/"b" + id of records the plan handles (no longer parked)
 * @param deadLetters records the mapping refuses
 * @param deletedOn   A ids of links whose record on one side is found gone by this plan, with that side (the delete rule of
 *                    that side decided what the other side's record became)
 * @param origins     per side: record id -> the time of the edit whose values the plan's update writes there (the other
 *                    side's change marker, or its origin when that side holds what another pair wrote)
 * @param changes     per side: the changes read there that the plan deals with (records changed since their base, new records)
 * @param relayed     per side: how many of those were another pair's writes, not a user's edits
 */
public record Plan(Map<Role, Map<String, Object[]>> updates, Map<Role, List<Create>> creates, Map<Role, Set<String>> deletes, List<Link> links,
        Set<String> dropLinks, List<Conflicts.Conflict> conflicts, Set<String> settled, Map<Role, Map<String, String>> echoes,
        Map<String, String> parked, Set<String> done, List<DeadLetter> deadLetters, Map<String, Role> deletedOn, Map<Role, Map<String, Instant>> origins, Map<Role, Integer> changes,
        Map<Role, Integer> relayed, int resolved, int newConflicts, int unchanged,
        int deleted) {

    public Plan {
        updates = Collections.unmodifiableMap(updates);
        creates = Collections.unmodifiableMap(creates);
        deletes = Collections.unmodifiableMap(deletes);
        links = Collections.unmodifiableList(links);
        dropLinks = Collections.unmodifiableSet(dropLinks);
        conflicts = Collections.unmodifiableList(conflicts);
        settled = Collections.unmodifiableSet(settled);
        echoes = Collections.unmodifiableMap(echoes);
        parked = Collections.unmodifiableMap(parked);
        done = Collections.unmodifiableSet(done);
        deadLetters = Collections.unmodifiableList(deadLetters);
        deletedOn = Collections.unmodifiableMap(deletedOn);
        origins = Collections.unmodifiableMap(origins);
        changes = Collections.unmodifiableMap(changes);
        relayed = Collections.unmodifiableMap(relayed);
    }

    /**
     * A record of the other side to insert on a side; the insert's generated id makes the link.
     *
     * @param sourceId   the record's id on the side it comes from
     * @param base       its canonical values: the new link's base
     * @param sourceHash the hash of the record on its own side
     * @param twinHash   the hash the new twin will read as
     * @param origin     the time of the edit that made the record (its change marker, or its origin), or null
     */
    public record Create(String sourceId, Object[] values, Map<String, Object> base, String sourceHash, String twinHash, Instant origin) {
    }

    /** A record of one side whose values the mapping refuses; it waits as a dead letter until it is fixed. */
    public record DeadLetter(Role side, String id, String reason, String record) {
    }

    public Map<String, Object[]> updates(Role side) {
        return updates.get(side);
    }

    public List<Create> creates(Role side) {
        return creates.get(side);
    }

    public Set<String> deletes(Role side) {
        return deletes.get(side);
    }

    /** True when the plan writes nothing to either side. */
    public boolean writesNothing() {
        return updates.values().stream().allMatch(Map::isEmpty) && creates.values().stream().allMatch(List::isEmpty)
                && deletes.values().stream().allMatch(Set::isEmpty);
    }
}
