package io.syncline.system;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One entity of a system (a table, an API collection) as one side of a pair sees it: all
 * the engine knows of a system. Records are identified by their id as text; their values are keyed
 * by lower-case field (column) name. {@link JdbcEntity} holds every statement Syncline runs
 * against a database system.
 */
public interface Entity {

    /** {@code system.entity}, as the pair file names it. */
    String reference();

    /**
     * The records changed since {@code from}, in the order of their change marker (ties broken by
     * id), a page at a time. From {@link Position#START} it reads every record: a full load. With a
     * lookback and a timestamp marker, it re-reads that far behind {@code from}, so changes committed late
     * are not missed (a version marker is read strictly after {@code from}). A side without change marker is read whole,
     * in id order, from {@link Position#START} only.
     */
    Feed changedSince(Position from, Duration lookback, int pageSize);

    /** A unit of work: records read and locked, then writes that commit together. */
    Session open();

    /**
     * Creates or replaces records by the pair's key (a one-way target) and commits; returns the ids
     * the entity refused, each with the reason, and writes the others.
     */
    Map<String, String> upsert(List<Write> records);

    /**
     * The records of these ids as the entity holds them now; ids that are gone are missing. What a webhook
     * names is read this way, so that a late or repeated delivery never brings back an older state.
     */
    default Map<String, Record> fetch(Collection<String> ids) {
        Map<String, Record> records = new java.util.LinkedHashMap<>();
        try (Session session = open()) { // closed uncommitted: the locks end at once
            session.lock(ids).forEach((id, row) -> records.put(id, new Record(id, row.values(), row.marker())));
        }
        return records;
    }

    /** Every record, in id order, streamed: what reconciliation compares. */
    void scan(Consumer<Record> each);

    /**
     * A one-way pair's deletes on its target: deletes the records these keys find (the pair's key, as the links hold it), in
     * one unit of work; returns those refused, each with the reason. A record already gone counts as deleted.
     */
    Map<String, String> deleteByKey(Collection<String> keys);

    /**
     * A one-way pair's soft deletes on its target: sets {@code field} of the records these keys find to {@code value}, and
     * the stamp as any write does; returns those refused, each with the reason. A record already gone counts as marked.
     */
    Map<String, String> markByKey(Table.Column field, Object value, Collection<String> keys);

    /**
     * One record as the entity holds it now.
     *
     * @param marker its change marker: a local date-time, an instant or a version; null when it has none
     */
    record Record(String id, Map<String, Object> values, Object marker) {
        public Row row() {
            return new Row(values, marker);
        }
    }

    /** The records of one poll, read a page at a time; closing it ends the read. */
    interface Feed extends AutoCloseable {
        /** The number of records a full load reads, counted when it starts; -1 for an incremental read. */
        long size();

        /** The next page; fewer than a page size of records when the feed is exhausted. */
        List<Record> next();

        @Override
        void close();
    }

    /**
     * Values to write, in the order of the columns the pair writes.
     *
     * @param id the record's id; for a create, the id of its source record on the other side
     */
    record Write(String id, Object[] values) {
    }

    /**
     * What an entity that writes as it commits (an API, record by record, each write conditional on the record being
     * as it was read) did not write: the records it refused, each with the reason, and those changed since they were
     * read (HTTP 412), to be planned again with what the entity holds now. The other records are written.
     */
    final class CommitRefused extends RuntimeException {
        private final transient Map<String, String> refused;
        private final transient java.util.Set<String> changed;

        public CommitRefused(String reference, Map<String, String> refused, java.util.Set<String> changed) {
            super(reference + ": " + refused.size() + " records refused, " + changed.size() + " changed since they were read", null, false, false);
            this.refused = Map.copyOf(refused);
            this.changed = java.util.Set.copyOf(changed);
        }

        public Map<String, String> refused() {
            return refused;
        }

        public java.util.Set<String> changed() {
            return changed;
        }
    }

    /** A record created, with the id the entity gave it; or, when {@code id} is null, why the entity refused it. */
    record Created(String id, String refusal) {
    }

    /**
     * A unit of work on the entity: what it reads stays locked (or versioned) until it ends, and
     * what it writes is committed together. Closing an uncommitted session rolls it back.
     */
    interface Session extends AutoCloseable {

        /** The records of these ids, locked until the session ends; ids that are gone are missing. */
        Map<String, Row> lock(Collection<String> ids);

        /**
         * The records of these ids as last committed, without locking them (an entity without locks reads them as
         * {@link #lock} does); ids that are gone are missing.
         */
        default Map<String, Row> read(Collection<String> ids) {
            return lock(ids);
        }

        /**
         * The records of these ids, locked until the session ends, if no other transaction holds one of them; null at once
         * if one does (an entity without locks reads them as {@link #lock} does).
         */
        default Map<String, Row> lockIfFree(Collection<String> ids) {
            return lock(ids);
        }

        /**
         * The records whose {@code field}, trimmed and in lower case, is one of {@code keys} (trimmed, in lower case
         * when compared), locked, by id: the records a natural key may match.
         *
         * @param keys the keys as the records of the other side hold them (an API is asked for them as they are)
         */
        Map<String, Row> lockByNaturalKey(String field, Collection<String> keys);

        /**
         * Updates the records of these ids; returns those the entity refused, each with the reason (the others are written).
         * An entity without transactions (an API) writes them when the session commits.
         */
        Map<String, String> update(List<Write> updates);

        /** Creates records; returns what became of each, in order: the id the entity gave it, or why it refused it. */
        List<Created> create(List<Write> creates);

        /** Deletes the records of these ids; returns those the entity refused, each with the reason. */
        Map<String, String> delete(Collection<String> ids);

        /**
         * The id of the session's transaction, given it now if it has none, by which {@link #committed} tells later (after a
         * crash) whether it committed; null when the entity cannot tell (PostgreSQL 13 and later can).
         */
        default Long transaction() {
            return null;
        }

        /**
         * Whether the transaction of that id ({@link #transaction}) committed: true, false when it rolled back (or was cut
         * off), null when the entity cannot tell (it is still under way, too old, or the entity keeps no such record).
         */
        default Boolean committed(long transaction) {
            return null;
        }

        /**
         * @throws CommitRefused when an entity that writes as it commits (an API) refused records or found them changed
         *                       since they were read; it wrote the others
         */
        void commit();

        @Override
        void close();
    }
}
