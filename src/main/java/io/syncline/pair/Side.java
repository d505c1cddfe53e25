package io.syncline.pair;

import io.syncline.system.Entity;
import io.syncline.system.ExternalSystem;
import io.syncline.system.Table;
import java.util.List;

/**
 * One side of a pair: an entity (a table, an API collection) of a system, resolved against the system at start-up.
 *
 * @param role    "source" or "target" of a one-way pair, "a" or "b" of a two-way pair
 * @param key     the column that identifies a record (a side that is read, each side of a two-way pair, and a one-way
 *                target: the column its records are upserted and deleted by)
 * @param cursor  the column that grows on every change (a side that is read), else null: a side that is not read, or one
 *                without change marker (cursor: none), whose every poll reads it whole
 * @param columns the columns read, lower case
 * @param stamp   the change marker Syncline sets on every record it writes to this side (the application maintains
 *                it, the database does not), else null
 * @param givesIds Syncline gives the records it creates on this side their ids (random UUIDs), where the application makes
 *                them and the table has no default for its id column
 * @param entity  how the engine reads and writes the side, once the pair is valid
 */
public record Side(String role, String reference, ExternalSystem system, Table table, Table.Column key, Table.Column cursor,
        List<String> columns, Table.Column stamp, boolean givesIds, Entity entity) {

    /** The side's short name in the state store and in messages: the system name. */
    public String name() {
        return system.name();
    }

    public Table.Column column(String name) {
        return table.column(name).orElseThrow();
    }

    Side reading(Table.Column key, Table.Column cursor, List<String> columns) {
        return new Side(role, reference, system, table, key, cursor, columns, stamp, givesIds, null);
    }

    /** A one-way target with its key column: the column its records are upserted by, and deleted by. */
    Side keyed(Table.Column key) {
        return new Side(role, reference, system, table, key, cursor, columns, stamp, givesIds, null);
    }

    Side stamping(Table.Column stamp) {
        return new Side(role, reference, system, table, key, cursor, columns, stamp, givesIds, null);
    }

    Side givingIds() {
        return new Side(role, reference, system, table, key, cursor, columns, stamp, true, null);
    }

    /** The side with its entity, which writes {@code written} (and upserts by {@code upsertKey}, a one-way target). */
    Side writing(List<Table.Column> written, String upsertKey) {
        return new Side(role, reference, system, table, key, cursor, columns, stamp, givesIds,
                system.entity(reference, table, key, cursor, columns, written, stamp, upsertKey, givesIds));
    }
}
