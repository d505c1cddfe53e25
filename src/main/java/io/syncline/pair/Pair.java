package io.syncline.pair;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.syncline.mapping.FieldRule;
import io.syncline.mapping.Mapping;
import io.syncline.mapping.MappingSyntaxException;
import io.syncline.system.Systems;
import io.syncline.system.Table;
import java.sql.SQLException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A sync pair's settings, declared as a bean in its pair file under {@code routes/} and checked
 * against the databases at start-up by {@link Pairs}. The bean's name is the pair's name.
 */
@RegisterForReflection
public class Pair {

    // settings, as written in the pair file
    private String source;
    private String target;
    private String key = "id";
    private String cursor = "updated_at";
    private String mapping;
    private int pageSize = 1000;
    private String lookback = "5s";
    private String overdue = "2m";
    private String maxBackoff = "60s";

    // resolved by validate()
    private String name;
    private String file;
    private Mapping parsedMapping;
    private Side sourceSide;
    private Side targetSide;
    private Table.Column cursorColumn;
    private Table.Column sourceKeyColumn;
    private String targetKeyColumn;
    private List<Table.Column> targetColumns;
    private Duration lookbackDuration;
    private Duration overdueDuration;
    private Duration maxBackoffDuration;

    public void setSource(String source) {
        this.source = source;
    }

    public void setTarget(String target) {
        this.target = target;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public void setCursor(String cursor) {
        this.cursor = cursor;
    }

    public void setMapping(String mapping) {
        this.mapping = mapping;
    }

    public void setPageSize(int pageSize) {
        this.pageSize = pageSize;
    }

    public void setLookback(String lookback) {
        this.lookback = lookback;
    }

    public void setOverdue(String overdue) {
        this.overdue = overdue;
    }

    public void setMaxBackoff(String maxBackoff) {
        this.maxBackoff = maxBackoff;
    }

    /**
     * Checks every setting against the configured systems and their tables, and resolves names.
     * All problems are reported at once, each naming the file, the field and what to do.
     */
    void validate(String name, String file, Systems systems) {
        this.name = name;
        this.file = file;
        List<String> problems = new ArrayList<>();
        if (pageSize < 1 || pageSize > 50_000) {
            problems.add("pageSize: " + pageSize + " is out of range; use 1 to 50000 (default 1000)");
        }
        lookbackDuration = duration("lookback", lookback, problems);
        overdueDuration = duration("overdue", overdue, problems);
        maxBackoffDuration = duration("maxBackoff", maxBackoff, problems);
        try {
            parsedMapping = Mapping.parse(mapping);
        } catch (MappingSyntaxException e) {
            problems.add(e.getMessage());
        }
        sourceSide = side("source", source, systems, problems);
        targetSide = side("target", target, systems, problems);
        if (parsedMapping != null) {
            checkKey(problems);
        }
        if (parsedMapping != null && sourceSide != null) {
            Table table = sourceSide.table();
            for (FieldRule rule : parsedMapping.rules()) {
                for (String column : rule.sourceColumns()) {
                    if (table.column(column).isEmpty()) {
                        problems.add("mapping line " + rule.line() + " '" + rule.text() + "': column '" + column
                                + "' does not exist in " + source + " (its columns: " + table.columnNames() + ")");
                    }
                }
            }
            cursorColumn = table.column(cursor).orElse(null);
            if (cursorColumn == null) {
                problems.add("cursor: column '" + cursor + "' does not exist in " + source + " (its columns: "
                        + table.columnNames() + "); name the column that changes on every update");
            } else if (!cursorColumn.isTimestamp() && !cursorColumn.isInteger()) {
                problems.add("cursor: column '" + cursor + "' is " + cursorColumn.typeName()
                        + "; a cursor must be a timestamp or an integer version");
            }
        }
        if (parsedMapping != null && targetSide != null) {
            Table table = targetSide.table();
            targetColumns = new ArrayList<>();
            for (FieldRule rule : parsedMapping.targetRules()) {
                Optional<Table.Column> column = table.column(rule.target());
                if (column.isEmpty()) {
                    problems.add("mapping line " + rule.line() + " '" + rule.text() + "': target column '" + rule.target()
                            + "' does not exist in " + target + " (its columns: " + table.columnNames() + ")");
                } else {
                    targetColumns.add(column.get());
                }
            }
            if (targetKeyColumn != null && table.column(targetKeyColumn).isPresent() && !table.isUniqueKey(targetKeyColumn)) {
                problems.add("key: target column '" + targetKeyColumn + "' of " + target
                        + " is neither the primary key nor a unique index; the upsert needs one (CREATE UNIQUE INDEX ...)");
            }
        }
        if (parsedMapping != null && sourceSide != null && sourceKeyColumnName() != null) {
            sourceKeyColumn = sourceSide.table().column(sourceKeyColumnName()).orElse(null);
        }
        if (!problems.isEmpty()) {
            throw new PairConfigException(file + ": pair '" + name + "' is invalid:\n  - " + String.join("\n  - ", problems));
        }
    }

    private void checkKey(List<String> problems) {
        FieldRule rule = parsedMapping.rule(key);
        if (rule == null) {
            problems.add("key: '" + key + "' is not a canonical field of the mapping; add a line such as '" + key + " <- id -> id'");
        } else if (rule.plainSourceColumn() == null || rule.target() == null) {
            problems.add("key: mapping line " + rule.line() + " '" + rule.text()
                    + "' must read one source column and write one target column, e.g. 'id <- id -> crm_id'");
        } else {
            targetKeyColumn = rule.target();
        }
    }

    private String sourceKeyColumnName() {
        FieldRule rule = parsedMapping.rule(key);
        return rule == null ? null : rule.plainSourceColumn();
    }

    private Side side(String role, String reference, Systems systems, List<String> problems) {
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
            problems.add(role + ": unknown system '" + systemName + "'; configured systems: " + systems.names()
                    + " (add syncline.systems." + systemName + ".url to application.properties)");
            return null;
        }
        try {
            Optional<Table> table = system.get().table(tableName);
            if (table.isEmpty()) {
                problems.add(role + ": table '" + tableName + "' does not exist in system '" + systemName + "' (" + system.get().url() + ")");
                return null;
            }
            return new Side(role, reference, system.get(), table.get());
        } catch (SQLException e) {
            problems.add(role + ": cannot read the tables of system '" + systemName + "' (" + system.get().url() + "): " + e.getMessage());
            return null;
        }
    }

    private static Duration duration(String field, String value, List<String> problems) {
        try {
            return parseDuration(value);
        } catch (IllegalArgumentException e) {
            problems.add(field + ": '" + value + "' is not a duration; write e.g. 500ms, 5s, 2m or 1h");
            return null;
        }
    }

    static Duration parseDuration(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            long amount = Long.parseLong(t.substring(0, t.length() - 1).trim());
            switch (t.charAt(t.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(amount);
                case 'm':
                    return Duration.ofMinutes(amount);
                case 'h':
                    return Duration.ofHours(amount);
                default:
                    throw new IllegalArgumentException(text);
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    public String name() {
        return name;
    }

    public String file() {
        return file;
    }

    public Mapping mapping() {
        return parsedMapping;
    }

    public Side source() {
        return sourceSide;
    }

    public Side target() {
        return targetSide;
    }

    public String key() {
        return key;
    }

    public Table.Column cursorColumn() {
        return cursorColumn;
    }

    public Table.Column sourceKeyColumn() {
        return sourceKeyColumn;
    }

    public String targetKeyColumn() {
        return targetSide.column(targetKeyColumn).name();
    }

    /** The target columns written, in the order of {@link Mapping#toTarget}. */
    public List<Table.Column> targetColumns() {
        return targetColumns;
    }

    public int pageSize() {
        return pageSize;
    }

    public Duration lookback() {
        return lookbackDuration;
    }

    public Duration overdue() {
        return overdueDuration;
    }

    public Duration maxBackoff() {
        return maxBackoffDuration;
    }

    @Override
    public String toString() {
        return "pair '" + name + "' (" + source + " -> " + target + ")";
    }
}
