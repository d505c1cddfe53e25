package io.syncline.pair;

import io.syncline.system.JdbcSystem;
import io.syncline.system.Table;

/**
 * One side of a pair: a table of a system, resolved against the database at start-up.
 *
 * @param role "source" or "target", as the pair file calls it
 */
public record Side(String role, String reference, JdbcSystem system, Table table) {

    /** The side's short name in the state store and in messages: the system name. */
    public String name() {
        return system.name();
    }

    public String quotedTable() {
        return system.dialect().quote(table.name());
    }

    public Table.Column column(String name) {
        return table.column(name).orElseThrow();
    }
}
