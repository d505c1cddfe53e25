package io.syncline.state;

import io.syncline.pair.Role;
import io.syncline.system.Dialect;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The links of pairs: side A's id, side B's id, the base and the hash of what each side holds (a one-way pair's, only
 * the source's hash). Read a batch at a time; written by applied windows and reconciliation here, and by one-way pages
 * in {@link SyncState}; each such transaction commits through {@link LinkHashes#commit}.
 */
@ApplicationScoped
public class Links {

    /** Links per upsert statement. */
    private static final int CHUNK = 1000;
    private static final List<String> COLUMNS = List.of("pair", "a_id", "b_id", "a_hash", "b_hash", "base", "synced_at");
    /** A one-way pair's links: no base, and no hash of the target. */
    private static final List<String> ONE_WAY_COLUMNS = List.of("pair", "a_id", "b_id", "a_hash", "synced_at");
    /** A row of {@code link_states}, as it is bound: the number of its link last. */
    private static final List<String> STATE_COLUMNS = List.of("a_hash", "synced_at", "b_hash", "base", "id");
    private static final List<String> INTENT_COLUMNS = List.of("pair", "a_id", "b_id", "next_base", "next_a_hash", "next_b_hash");

    /** The hash of a side whose record was deleted and whose delete was handled: the link is a tombstone. */
    public static final String GONE = "~";

    /** The hash of a side not known: the next look at that side's record counts as a change. */
    public static final String UNKNOWN = "-";

    /** Prefixes the hash of a side whose record is being created: until the next apply, its insert may not have committed. */
    public static final String CREATING = "+";

    /** A record's hash ({@code Mapping.hash}): 20 characters. */
    private static final int HASH_LENGTH = 20;
    private static final Base64.Encoder TRANSACTION_TEXT = Base64.getUrlEncoder().withoutPadding();

    /**
     * The hash of a side whose record is being created: marked {@link #CREATING}, its hash once created, then the id of the
     * transaction that inserts it where the side can tell later whether that committed (in 11 characters: the mark fits the
     * 32 of a hash's column).
     */
    public static String creating(String hash, Long transaction) {
        return CREATING + hash + (transaction == null || hash.length() != HASH_LENGTH ? ""
                : TRANSACTION_TEXT.encodeToString(ByteBuffer.allocate(Long.BYTES).putLong(transaction).array()));
    }

    /** The hash that a side marked {@link #creating} holds once its record is created. */
    public static String created(String mark) {
        String rest = mark.substring(CREATING.length());
        return rest.length() > HASH_LENGTH ? rest.substring(0, HASH_LENGTH) : rest;
    }

    /** The id of the transaction that inserts the record of a side marked {@link #creating}; null when the side cannot tell. */
    public static Long creatingTransaction(String mark) {
        int at = CREATING.length() + HASH_LENGTH;
        if (mark == null || !mark.startsWith(CREATING) || mark.length() <= at) {
            return null;
        }
        return ByteBuffer.wrap(Base64.getUrlDecoder().decode(mark.substring(at))).getLong();
    }

    /**
     * Prefixes, in a window's intent, the hash of a side the window did not write (it held the result already):
     * finding that hash there after a stop proves nothing about the window's progress.
     */
    public static final String UNTOUCHED = "=";

    /** A side's hash as a window's intent stores it: marked {@link #UNTOUCHED} when the window does not write that side. */
    public static String intended(String hash, boolean written) {
        return written ? hash : UNTOUCHED + hash;
    }

    /** True when the intent's window writes that side. */
    public static boolean written(String intendedHash) {
        return !intendedHash.startsWith(UNTOUCHED);
    }

    /** The hash an intent expects the side to hold, without its mark. */
    public static String expected(String intendedHash) {
        return intendedHash.startsWith(UNTOUCHED) ? intendedHash.substring(UNTOUCHED.length()) : intendedHash;
    }

    @Inject
    SyncState state;

    @Inject
    LinkHashes remembered;

    @Inject
    DeadLetters deadLetters;

    /**
     * @param base  null while the two records have not agreed yet (matched by natural key)
     * @param aHash null or "-" when unknown: the next look at the side counts as a change
     */
    public record Link(String aId, String bId, Map<String, Object> base, String aHash, String bHash) {
        public String hash(Role side) {
            return side == Role.A ? aHash : bHash;
        }

        public String id(Role side) {
            return side == Role.A ? aId : bId;
        }

        /** This link with the {@link #creating} mark of {@code side} taken off: its record was created. */
        public Link created(Role side) {
            String hash = Links.created(hash(side));
            return side == Role.A ? new Link(aId, bId, base, hash, bHash) : new Link(aId, bId, base, aHash, hash);
        }
    }

    /** A link without its base: what reconciliation compares. */
    public record LinkKey(String aId, String bId, String aHash, String bHash) {
        public String id(Role side) {
            return side == Role.A ? aId : bId;
        }

        public String hash(Role side) {
            return side == Role.A ? aHash : bHash;
        }
    }

    /** The links of these ids of {@code side}, by that side's id. */
    public Map<String, Link> find(String pair, Role side, Collection<String> ids) {
        return select(withStates(), pair, side == Role.A ? "a_id" : "b_id", "base, a_hash, b_hash", ids, side);
    }

    /**
     * For these ids of {@code side}, the other side's id of each that is linked: neither base nor hashes are read (a window
     * sorts the records it holds into linked and not).
     */
    public Map<String, String> linkedIds(String pair, Role side, Collection<String> ids) {
        Map<String, String> other = new HashMap<>();
        select("links", pair, side == Role.A ? "a_id" : "b_id", "NULL, NULL, NULL", ids, side).forEach((id, link) -> other.put(id,
                link.id(side.other())));
        return other;
    }

    /**
     * Links (or intents, by {@code table}) whose {@code idColumn} is one of {@code ids}, a chunk per query; the selected
     * columns are the two ids, then a base and two hashes (by {@code values}), keyed by the id of {@code side}.
     */
    private Map<String, Link> select(String table, String pair, String idColumn, String values, Collection<String> ids, Role side) {
        Map<String, Link> found = new HashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        try (Connection c = state.connect()) {
            for (List<String> chunk : InLists.chunks(ids, state.ownTables().idsPerQuery())) {
                try (PreparedStatement ps = c.prepareStatement("SELECT a_id, b_id, " + values + " FROM " + table + " WHERE " + idColumn
                        + " IN (" + InLists.marks(chunk.size()) + ") AND pair = ?")) {
                    InLists.bind(ps, chunk, pair);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Link link = new Link(rs.getString(1), rs.getString(2), CanonicalJson.read(rs.getString(3)), rs.getString(4),
                                    rs.getString(5));
                            found.put(link.id(side), link);
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw SyncState.failure("read the links of pair '" + pair + "'", e);
        }
        return found;
    }

    /** The hashes side {@code side} held when last synced, for a page of its ids: what the idempotent consumer compares. */
    public Map<String, String> hashes(String pair, Role side, Collection<String> ids) {
        long began = remembered.began();
        Map<String, Link> read = Map.of();
        try {
            List<String> unknown = new ArrayList<>();
            Map<String, String> hashes = remembered.known(pair, side, ids, unknown);
            // without the bases: a poll looks up every record it reads, re-reads behind its cursor included
            read = select(withStates(), pair, side == Role.A ? "a_id" : "b_id", "NULL, a_hash, b_hash", unknown, side);
            read.forEach((id, link) -> {
                if (link.hash(side) != null) {
                    hashes.put(id, link.hash(side));
                }
            });
            return hashes;
        } finally {
            remembered.fill(pair, began, read.values());
        }
    }

    /** Every link of the pair, without bases. */
    public List<LinkKey> keys(String pair) {
        List<LinkKey> keys = new ArrayList<>();
        scan(pair, keys::add);
        return keys;
    }

    /** Every link of the pair, without bases, streamed: a pass over millions of links holds none of them. */
    public void scan(String pair, Consumer<LinkKey> each) {
        try (Connection c = state.connect()) {
            c.setAutoCommit(false); // PostgreSQL streams a result only inside a transaction
            try (PreparedStatement ps = c.prepareStatement("SELECT a_id, b_id, a_hash, b_hash FROM " + withStates() + " WHERE pair = ?")) {
                ps.setString(1, pair);
                ps.setFetchSize(5000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        each.accept(new LinkKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw SyncState.failure("read the links of pair '" + pair + "'", e);
        }
    }

    /** Writes (inserts or replaces) links inside the caller's state transaction. */
    public void save(Connection c, String pair, Collection<Link> links) throws SQLException {
        write(c, pair, links, false, true);
    }

    /**
     * Writes links inside the caller's state transaction: inserted, or replaced where they exist. {@code insertOnly}:
     * inserted, which costs the store less, and an integrity error (SQL state 23) when one exists. {@code twoWay}: with the
     * base and the B hash; a one-way pair's links have neither.
     */
    void write(Connection c, String pair, Collection<Link> links, boolean insertOnly, boolean twoWay) throws SQLException {
        if (links.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        if (apart()) {
            writeApart(c, pair, links, insertOnly, twoWay, now);
            return;
        }
        List<String> columns = twoWay ? COLUMNS : ONE_WAY_COLUMNS;
        int perStatement = twoWay ? CHUNK : Dialect.MAX_PARAMETERS / columns.size();
        List<Link> all = new ArrayList<>(links);
        for (int from = 0; from < all.size(); from += perStatement) {
            List<Link> slice = all.subList(from, Math.min(all.size(), from + perStatement));
            String sql = insertOnly ? state.ownTables().insert("links", columns, slice.size())
                    : state.ownTables().upsert("links", columns, List.of("a_id", "pair"), slice.size());
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                for (Link link : slice) {
                    ps.setString(i++, pair);
                    ps.setString(i++, link.aId());
                    ps.setString(i++, link.bId());
                    ps.setString(i++, link.aHash() == null ? UNKNOWN : link.aHash());
                    if (twoWay) {
                        ps.setString(i++, link.bHash());
                        ps.setString(i++, CanonicalJson.write(link.base()));
                    }
                    ps.setLong(i++, now);
                }
                ps.executeUpdate();
            }
        }
    }

    /**
     * {@link #write} where the links' hashes, bases and times are kept apart, in {@code link_states}: the numbers of the
     * links that exist are looked up; a new link gets one from {@code link_ids} and a row in each table; a changed B id is
     * written to {@code links}; the rest goes to {@code link_states} alone.
     */
    private void writeApart(Connection c, String pair, Collection<Link> links, boolean insertOnly, boolean twoWay, long now)
            throws SQLException {
        Map<String, Link> byA = new LinkedHashMap<>();
        links.forEach(l -> byA.put(l.aId(), l)); // as one statement would have it: the last link of an id holds
        Map<String, Long> numbers = new HashMap<>();
        List<Link> relinked = new ArrayList<>();
        for (List<String> chunk : insertOnly ? List.<List<String>>of() : InLists.chunks(byA.keySet(), state.ownTables().idsPerQuery())) {
            try (PreparedStatement ps = c.prepareStatement("SELECT a_id, id, b_id FROM links WHERE a_id IN (" + InLists.marks(chunk.size())
                    + ") AND pair = ?")) {
                InLists.bind(ps, chunk, pair);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Link link = byA.get(rs.getString(1));
                        numbers.put(link.aId(), rs.getLong(2));
                        if (!link.bId().equals(rs.getString(3))) {
                            relinked.add(link);
                        }
                    }
                }
            }
        }
        List<Link> fresh = byA.values().stream().filter(l -> !numbers.containsKey(l.aId())).toList();
        if (!fresh.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT NEXT VALUE FOR link_ids FROM SYSTEM_RANGE(1, ?)")) {
                ps.setInt(1, fresh.size());
                try (ResultSet rs = ps.executeQuery()) {
                    for (Link link : fresh) {
                        rs.next();
                        numbers.put(link.aId(), rs.getLong(1));
                    }
                }
            }
            for (int from = 0; from < fresh.size(); from += CHUNK) { // a statement of many rows costs H2 less than a batch of one-row statements
                List<Link> slice = fresh.subList(from, Math.min(fresh.size(), from + CHUNK));
                try (PreparedStatement ids = c.prepareStatement(state.ownTables().insert("links", List.of("pair", "a_id", "b_id", "id"), slice.size()));
                        PreparedStatement states = c.prepareStatement(state.ownTables().insert("link_states", STATE_COLUMNS, slice.size()))) {
                    int i = 1;
                    int j = 1;
                    for (Link link : slice) {
                        ids.setString(i++, pair);
                        ids.setString(i++, link.aId());
                        ids.setString(i++, link.bId());
                        ids.setLong(i++, numbers.get(link.aId()));
                        j = bindState(states, j, link, true, now, numbers);
                    }
                    ids.executeUpdate();
                    states.executeUpdate();
                }
            }
        }
        if (!relinked.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE links SET b_id = ? WHERE id = ?")) {
                for (Link link : relinked) {
                    ps.setString(1, link.bId());
                    ps.setLong(2, numbers.get(link.aId()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        Set<String> inserted = new HashSet<>(aIds(fresh));
        List<Link> existing = byA.values().stream().filter(l -> !inserted.contains(l.aId())).toList();
        if (!existing.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(twoWay ? "UPDATE link_states SET a_hash = ?, synced_at = ?, b_hash = ?, base = ? WHERE id = ?"
                    : "UPDATE link_states SET a_hash = ?, synced_at = ? WHERE id = ?")) {
                for (Link link : existing) {
                    bindState(ps, 1, link, twoWay, now, numbers);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    /** Binds a link's row of {@code link_states} from parameter {@code i} on ({@link #STATE_COLUMNS}, the B hash and base only {@code withBase}); returns the next parameter's index. */
    private static int bindState(PreparedStatement ps, int i, Link link, boolean withBase, long now, Map<String, Long> numbers) throws SQLException {
        ps.setString(i++, link.aHash() == null ? UNKNOWN : link.aHash());
        ps.setLong(i++, now);
        if (withBase) {
            ps.setString(i++, link.bHash());
            ps.setString(i++, CanonicalJson.write(link.base()));
        }
        ps.setLong(i++, numbers.get(link.aId()));
        return i;
    }

    /** Whether the links' hashes, bases and times are in a table of their own, {@code link_states} (on H2: see its V11). */
    private boolean apart() {
        return state.ownTables().updateRewritesIndexes();
    }

    /** The links with their hashes and bases, as one table to select from. */
    private String withStates() {
        return apart() ? "links JOIN link_states ON link_states.id = links.id" : "links";
    }

    /**
     * Stores what a window is about to write to both sides of these links (their next base and hashes), before the sides
     * commit, in {@code window_intents}: a table of its own, so that the links' rows are written once per window, when they
     * move. {@link #deleteIntents} removes it in the commit that moves its link.
     */
    public void saveIntents(Connection c, String pair, Collection<Link> intents) throws SQLException {
        List<Link> all = new ArrayList<>(intents);
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<Link> slice = all.subList(from, Math.min(all.size(), from + CHUNK));
            try (PreparedStatement ps = c.prepareStatement(state.ownTables().upsert("window_intents", INTENT_COLUMNS, List.of("a_id", "pair"),
                    slice.size()))) {
                int i = 1;
                for (Link intent : slice) {
                    ps.setString(i++, pair);
                    ps.setString(i++, intent.aId());
                    ps.setString(i++, intent.bId());
                    ps.setString(i++, CanonicalJson.write(intent.base()));
                    ps.setString(i++, intent.aHash());
                    ps.setString(i++, intent.bHash());
                }
                ps.executeUpdate();
            }
        }
    }

    /**
     * Stores, in one transaction of its own, a window's intents ({@link #saveIntents(Connection, String, Collection)})
     * and the links of the records it is about to create, marked {@link #CREATING}.
     */
    public void saveIntents(String pair, Collection<Link> intents, Collection<Link> creating) {
        try (Connection c = begin()) {
            if (!intents.isEmpty()) {
                saveIntents(c, pair, intents);
            }
            save(c, pair, creating);
            remembered.commit(c, pair, aIds(creating));
        } catch (SQLException e) {
            throw SyncState.failure("store the intent of a window of pair '" + pair + "'", e);
        }
    }

    /** Stores links in a transaction of its own: records reconciliation matched by natural key. */
    public void save(String pair, Collection<Link> links) {
        try (Connection c = begin()) {
            save(c, pair, links);
            remembered.commit(c, pair, aIds(links));
        } catch (SQLException e) {
            throw SyncState.failure("store links of pair '" + pair + "'", e);
        }
    }

    /** The intents left by a window that stopped between committing the sides and moving the links, by A id. */
    public Map<String, Link> intents(String pair, Collection<String> aIds) {
        return select("window_intents", pair, "a_id", "next_base, next_a_hash, next_b_hash", aIds, Role.A);
    }

    /**
     * Ends a one-way pair's links of these source ids where they still hold the hash given, and clears their dead letters, in
     * a transaction of its own: their source records are gone, and the target's deleted (the links are removed) or marked
     * ({@code tombstone}: the links stay, with the hash {@link #GONE}, so that the next pass leaves them and a record the source
     * creates again under that id is written again). A link that another hash replaced meanwhile was written again by a page,
     * and stays as it is.
     *
     * @param hashes the source ids, each with the hash its link held when it was found gone
     * @param readAt the dead letters' {@link DeadLetters#stamp} taken before the source was last asked for them
     */
    public void gone(String pair, String sourceSide, Map<String, String> hashes, boolean tombstone, long readAt) {
        Map<String, Long> cleared;
        String table = apart() ? "link_states" : "links";
        String where = apart() ? " WHERE id = (SELECT id FROM links WHERE pair = ? AND a_id = ?) AND a_hash = ?"
                : " WHERE pair = ? AND a_id = ? AND a_hash = ?";
        try (Connection c = begin()) {
            List<String> ended = new ArrayList<>(); // those whose link held the hash read (H2 answers each statement's count)
            try (PreparedStatement ps = c.prepareStatement(tombstone ? "UPDATE " + table + " SET a_hash = '" + GONE + "'" + where
                    : "DELETE FROM " + table + where)) {
                for (Map.Entry<String, String> link : hashes.entrySet()) {
                    ps.setString(1, pair);
                    ps.setString(2, link.getKey());
                    ps.setString(3, link.getValue());
                    ps.addBatch();
                    ended.add(link.getKey());
                }
                int[] counts = ps.executeBatch();
                for (int i = counts.length - 1; i >= 0; i--) {
                    if (counts[i] == 0) {
                        ended.remove(i);
                    }
                }
            }
            if (apart() && !tombstone) {
                delete(c, BY_A_IDS.formatted("links"), pair, ended); // their states are gone
            }
            cleared = deadLetters.clear(c, pair, sourceSide, hashes.keySet(), readAt);
            remembered.commit(c, pair, hashes.keySet());
        } catch (SQLException e) {
            throw SyncState.failure("end links of pair '" + pair + "'", e);
        }
        deadLetters.cleared(cleared);
    }

    /** Removes links (both records are gone, or one was deleted and the delete propagated). */
    public void delete(Connection c, String pair, Collection<String> aIds) throws SQLException {
        if (apart()) {
            delete(c, "DELETE FROM link_states WHERE id IN (SELECT id FROM links WHERE a_id IN (%s) AND pair = ?)", pair, aIds);
        }
        delete(c, BY_A_IDS.formatted("links"), pair, aIds);
    }

    /**
     * Forgets the links of a pair inside the caller's state transaction: all of them, or ({@code hashesOnly}) the hash of
     * each source record, so that the next look at each counts as a change; a tombstone stays one.
     */
    void forget(Connection c, String pair, boolean hashesOnly) throws SQLException {
        String ofPair = apart() ? "id IN (SELECT id FROM links WHERE pair = ?)" : "pair = ?";
        String table = apart() ? "link_states" : "links";
        List<String> statements = new ArrayList<>();
        if (hashesOnly) {
            statements.add("UPDATE " + table + " SET a_hash = '" + UNKNOWN + "' WHERE " + ofPair + " AND a_hash <> '" + GONE + "'");
        } else {
            statements.add("DELETE FROM " + table + " WHERE " + ofPair);
            if (apart()) {
                statements.add("DELETE FROM links WHERE pair = ?");
            }
        }
        for (String sql : statements) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, pair);
                ps.executeUpdate();
            }
        }
    }

    /**
     * Removes the intents of windows that are done, inside the caller's state transaction (the one that moves their links).
     * Only ids that have one: on MariaDB, a delete of keys that do not exist locks the gaps around them, and another chunk's
     * intents would wait for this commit.
     */
    public void deleteIntents(Connection c, String pair, Collection<String> aIds) throws SQLException {
        delete(c, BY_A_IDS.formatted("window_intents"), pair, aIds);
    }

    /** A delete of a table's rows by A id ({@code %s}: the table), for {@link #delete(Connection, String, String, Collection)}. */
    private static final String BY_A_IDS = "DELETE FROM %s WHERE a_id IN (%%s) AND pair = ?";

    /** Runs a delete whose parameters are A ids ({@code %s} in {@code sql}: their marks), then the pair, for a slice of ids at a time. */
    private void delete(Connection c, String sql, String pair, Collection<String> aIds) throws SQLException {
        for (List<String> chunk : InLists.chunks(aIds, state.ownTables().idsPerQuery())) {
            try (PreparedStatement ps = c.prepareStatement(sql.formatted(InLists.marks(chunk.size())))) {
                InLists.bind(ps, chunk, pair);
                ps.executeUpdate();
            }
        }
    }

    /** The A ids of these links. */
    public static List<String> aIds(Collection<Link> links) {
        return links.stream().map(Link::aId).toList();
    }

    /** A state-store transaction: commit it with {@link LinkHashes#commit} when it writes links, or close it to roll back. */
    public Connection begin() throws SQLException {
        Connection c = state.connect();
        c.setAutoCommit(false);
        return c;
    }
}
