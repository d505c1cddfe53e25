package io.syncline.pair;

import io.syncline.mapping.FieldRule;
import io.syncline.mapping.Mapping;
import io.syncline.system.SystemException;
import io.syncline.value.Redaction;
import io.syncline.system.Systems;
import io.syncline.system.Table;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.camel.util.TimeUtils;
import org.quartz.CronExpression;

/**
 * The checks of a pair's settings against the systems: each adds what is wrong to {@code problems},
 * naming the setting and what to do, so that a pair file's every problem is reported at once.
 */
final class SettingChecks {

    private SettingChecks() {
    }

    /** Every column the mapping reads exists in the side's table. */
    static void readColumnsExist(Mapping mapping, Side side, List<String> problems) {
        Table table = side.table();
        for (FieldRule rule : mapping.rules()) {
            for (String column : rule.sourceColumns()) {
                if (table.column(column).isEmpty()) {
                    problems.add("mapping line " + rule.line() + " '" + rule.text() + "': column '" + column + "' does not exist in "
                            + side.reference() + " (its columns: " + table.columnNames() + ")");
                }
            }
        }
    }

    /** The columns the mapping writes to the side (its target columns), each of which must exist. */
    static List<Table.Column> writtenColumns(Mapping mapping, Side side, List<String> problems) {
        Table table = side.table();
        List<Table.Column> columns = new ArrayList<>();
        for (FieldRule rule : mapping.targetRules()) {
            Optional<Table.Column> column = table.column(rule.target());
            if (column.isEmpty()) {
                problems.add("mapping line " + rule.line() + " '" + rule.text() + "': " + ("target".equals(side.role()) ? "target " : "")
                        + "column '" + rule.target() + "' does not exist in " + side.reference() + " (its columns: " + table.columnNames() + ")");
            } else {
                columns.add(column.get());
            }
        }
        return columns;
    }

    static Table.Column column(String setting, String column, Side side, List<String> problems) {
        Optional<Table.Column> found = side.table().column(column);
        if (found.isEmpty()) {
            problems.add(setting + ": column '" + column + "' does not exist in " + side.reference() + " (its columns: "
                    + side.table().columnNames() + ")");
        }
        return found.orElse(null);
    }

    /**
     * Whether a cursor setting says the side has no change marker ({@code none}): every poll then reads the side whole (a
     * table, or an API's collection) and compares each record with its link.
     */
    static boolean withoutMarker(String value) {
        return value != null && value.trim().equalsIgnoreCase("none");
    }

    static Table.Column cursor(String setting, String column, Side side, List<String> problems) {
        Table.Column found = column(setting, column, side, problems);
        if (found != null && !found.isTimestamp() && !found.isInteger()) {
            problems.add(setting + ": column '" + column + "' is " + found.typeName() + "; a change marker must be a timestamp or an integer version");
            return null;
        }
        return found;
    }

    /** The side with its stamp setting: a change marker (timestamp or version) that the mapping does not write. */
    static Side stamped(String setting, String column, Side side, List<String> written, List<String> problems) {
        if (column == null) {
            return side;
        }
        if (!side.system().stamps()) {
            problems.add(setting + ": system '" + side.name() + "' sets its own change markers; remove " + setting);
            return side;
        }
        Table.Column found = cursor(setting, column, side, problems);
        if (found == null) {
            return side;
        }
        if (written.stream().anyMatch(c -> c.equalsIgnoreCase(found.name()))) {
            problems.add(setting + ": the mapping writes column '" + found.name() + "' too; Syncline stamps it, so leave it out of the mapping");
            return side;
        }
        return side.stamping(found);
    }

    /** The side with the ids of the records Syncline creates given as {@code setting} says: {@code database} or {@code uuid}. */
    static Side newIds(String setting, String value, Side side, List<String> problems) {
        if (value == null || value.isBlank() || value.trim().equals("database")) {
            return side;
        }
        if (!value.trim().equals("uuid")) {
            problems.add(setting + ": '" + value + "' is not a source of ids; use database (the id column's default, identity or auto-increment)"
                    + " or uuid (Syncline gives each record it creates a random UUID)");
            return side;
        }
        if (!side.system().stamps()) {
            problems.add(setting + ": system '" + side.name() + "' gives its records their ids; remove " + setting);
            return side;
        }
        Table.Column key = side.key();
        if (key.kind() != Table.Column.Kind.TEXT && !key.typeName().equalsIgnoreCase("uuid")) {
            problems.add(setting + ": uuid needs an id column of text or uuid; '" + key.name() + "' is " + key.typeName());
            return side;
        }
        return side.givingIds();
    }

    static void checkNotWritten(String setting, Table.Column key, List<String> written, List<String> problems) {
        if (written.stream().anyMatch(c -> c.equalsIgnoreCase(key.name()))) {
            problems.add(setting + ": the mapping writes the id column '" + key.name()
                    + "'; in a two-way pair ids are tied by links, so leave the id columns out of the mapping");
        }
    }

    static Side side(String role, String reference, Systems systems, List<String> problems) {
        if (reference == null || reference.isBlank()) {
            problems.add(role + ": missing; write it as system.table, e.g. crm.contacts");
            return null;
        }
        int dot = reference.indexOf('.');
        if (dot <= 0 || dot == reference.length() - 1) {
            problems.add(role + ": '" + reference + "' is not of the form system.table");
            return null;
        }
        String systemName = reference.substring(0, dot);
        String tableName = reference.substring(dot + 1);
        var system = systems.find(systemName);
        if (system.isEmpty()) {
            problems.add(role + ": unknown system '" + systemName + "'; configured systems: " + systems.describeNames()
                    + " (add syncline.systems." + systemName + ".url to application.properties)");
            return null;
        }
        try {
            Optional<Table> table = system.get().table(tableName);
            if (table.isEmpty()) {
                problems.add(role + ": " + system.get().entityKind() + " '" + tableName + "' does not exist in system '" + systemName + "' ("
                        + Redaction.of(system.get().url()) + ")");
                return null;
            }
            if (table.get().view() && !role.equals("source")) {
                problems.add(role + ": '" + tableName + "' is a view; Syncline only reads a view (as a one-way pair's source): name a table");
                return null;
            }
            return new Side(role, reference, system.get(), table.get(), null, null, List.of(), null, false, null);
        } catch (SystemException e) {
            if (e.unreachable()) { // not a problem of the pair file: the pair waits for the system (Pairs)
                throw new SystemException("system '" + systemName + "' does not answer: " + Redaction.of(e.getMessage()), e);
            }
            problems.add(role + ": cannot read the " + system.get().entityKind() + "s of system '" + systemName + "' (" + Redaction.of(system.get().url()) + "): "
                    + Redaction.of(e.getMessage()));
            return null;
        } catch (IllegalArgumentException e) { // a name that several schemas hold
            problems.add(role + ": " + e.getMessage());
            return null;
        }
    }

    static Duration duration(String field, String value, List<String> problems) {
        try {
            Duration d = TimeUtils.toDuration(value == null ? "" : value.trim());
            if (d.isNegative()) {
                throw new IllegalArgumentException(value);
            }
            return d;
        } catch (RuntimeException e) {
            problems.add(field + ": '" + value + "' is not a duration; write e.g. 500ms, 5s, 2m, 1h or 1m30s");
            return null;
        }
    }

    static void cron(String field, String value, List<String> problems) {
        if (value == null || !CronExpression.isValidExpression(value.trim())) {
            problems.add(field + ": '" + value + "' is not a Quartz cron expression; write six fields, seconds first, e.g. 0/5 * * * * ?"
                    + ("reconcile".equals(field) ? ", or off to reconcile on demand only" : ""));
        }
    }
}
