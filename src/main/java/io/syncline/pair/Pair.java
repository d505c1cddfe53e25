package io.syncline.pair;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.syncline.mapping.ColumnValues;
import io.syncline.mapping.FieldRule;
import io.syncline.mapping.Mapping;
import io.syncline.mapping.MappingSyntaxException;
import io.syncline.mapping.Transform;
import io.syncline.mapping.TwoWayMapping;
import io.syncline.conflict.Policy;
import io.syncline.system.SystemException;
import io.syncline.system.Systems;
import io.syncline.system.Table;
import io.syncline.value.RecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A sync pair's settings, declared as a bean in its pair file under {@code routes/} and checked
 * against the databases at start-up by {@link Pairs}. The bean's name is the pair's name.
 */
@RegisterForReflection
public class Pair extends PairSettings {

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
    private Duration freshnessDuration;
    private Duration maxBackoffDuration;
    private Duration windowDuration;
    private TwoWayMapping twoWayMapping;
    private Policy parsedPolicy;
    private Deletes aDeleteRule;
    private Deletes bDeleteRule;
    /** A one-way pair's delete rule: what its target does with a record deleted from the source. */
    private Deletes deleteRule = new Deletes(Deletes.Kind.IGNORE, null, null);
    private SoftDelete softDelete;
    private DeleteGuard guard;
    private List<Table.Column> aColumns;
    private final List<Reference> references = new ArrayList<>();
    private TwoWayRules rules;
    private Set<String> sensitiveFields = Set.of();

    /**
     * A field that holds the id of a record of another two-way pair ({@code ref(parent)}): A's
     * value is the parent's A id; {@code bColumn} holds the parent's B id.
     */
    public record Reference(String field, String parent, String aColumn, String bColumn, int line) {
    }

    /**
     * Checks every setting against the configured systems and their tables, and resolves names.
     * All problems are reported at once, each naming the file, the field and what to do.
     */
    void validate(String name, String file, Systems systems) {
        this.name = name;
        this.file = file;
        references.clear(); // validated again when it waited for its systems
        List<String> problems = new ArrayList<>();
        if (pageSize < 1 || pageSize > 50_000) {
            problems.add("pageSize: " + pageSize + " is out of range; use 1 to 50000 (default 1000)");
        }
        lookbackDuration = SettingChecks.duration("lookback", lookback, problems);
        overdueDuration = SettingChecks.duration("overdue", overdue, problems);
        freshnessDuration = freshness == null || freshness.isBlank() || freshness.trim().equalsIgnoreCase("off") ? null
                : SettingChecks.duration("freshness", freshness, problems);
        maxBackoffDuration = SettingChecks.duration("maxBackoff", maxBackoff, problems);
        windowDuration = SettingChecks.duration("window", window, problems);
        SettingChecks.cron("schedule", schedule, problems);
        if (reconciles()) {
            SettingChecks.cron("reconcile", reconcile, problems);
        }
        try {
            parsedMapping = Mapping.parse(mapping);
        } catch (MappingSyntaxException e) {
            problems.add(e.getMessage());
        }
        try {
            validateSides(systems, problems);
        } catch (SystemException e) { // a system that does not answer: the pair waits for it, unless the file is wrong anyway
            if (!problems.isEmpty()) {
                problems.add(e.getMessage());
                throw invalid(problems);
            }
            throw e;
        }
    }

    /** The settings that depend on the systems' tables; throws {@link SystemException} when a system does not answer. */
    private void validateSides(Systems systems, List<String> problems) {
        boolean sourceWhole = false;
        if (isTwoWay()) {
            validateTwoWay(systems, problems);
            if (!problems.isEmpty()) {
                throw invalid(problems);
            }
            rules = new TwoWayRules(name, twoWayMapping, aColumns, targetColumns, parsedPolicy, aDeleteRule, bDeleteRule, references, match);
            sourceSide = sourceSide.writing(aColumns, null);
            targetSide = targetSide.writing(targetColumns, null);
            return;
        }
        sourceSide = SettingChecks.side("source", source, systems, problems);
        targetSide = SettingChecks.side("target", target, systems, problems);
        if (sensitive != null) {
            problems.add("sensitive: a one-way pair keeps no record history (the target holds what the source holds); remove it");
        }
        guard = DeleteGuard.parse(deleteGuard, problems);
        if (parsedMapping != null) {
            checkKey(problems);
            parsedMapping.rules().stream().filter(r -> r.toCanonical().stream().anyMatch(t -> t instanceof Transform.Reference))
                    .forEach(r -> problems.add("mapping line " + r.line() + " '" + r.text() + "': ref(...) ties two two-way pairs; this pair is one way"));
        }
        if (parsedMapping != null && sourceSide != null) {
            Table table = sourceSide.table();
            SettingChecks.readColumnsExist(parsedMapping, sourceSide, problems);
            sourceWhole = SettingChecks.withoutMarker(cursor);
            cursorColumn = sourceWhole ? null : table.column(cursor).orElse(null); // none: every poll reads the source whole
            if (cursorColumn == null && !sourceWhole) {
                problems.add("cursor: column '" + cursor + "' does not exist in " + source + " (its columns: "
                        + table.columnNames() + "); name the column that changes on every update");
            } else if (cursorColumn != null && !cursorColumn.isTimestamp() && !cursorColumn.isInteger()) {
                problems.add("cursor: column '" + cursor + "' is " + cursorColumn.typeName()
                        + "; a cursor must be a timestamp or an integer version");
            }
        }
        if (deletes != null && parsedMapping != null) {
            Deletes rule = Deletes.parse("deletes", deletes,
                    parsedMapping.rules().stream().map(FieldRule::canonical).collect(Collectors.toSet()), problems);
            if (rule != null) {
                deleteRule = rule;
            }
        }
        if (parsedMapping != null && targetSide != null) {
            Table table = targetSide.table();
            targetColumns = SettingChecks.writtenColumns(parsedMapping, targetSide, problems);
            if (targetKeyColumn != null && table.column(targetKeyColumn).isPresent() && !table.isUniqueKey(targetKeyColumn)) {
                problems.add("key: target column '" + targetKeyColumn + "' of " + target
                        + " is neither the primary key nor a unique index; the upsert needs one (CREATE UNIQUE INDEX ...)");
            }
            targetSide = SettingChecks.stamped("targetStamp", targetStamp, targetSide, targetColumns.stream().map(Table.Column::name).toList(), problems);
            if (deleteRule.kind() == Deletes.Kind.SOFT && targetColumns.size() == parsedMapping.targetRules().size()) {
                softDelete = softDelete(targetColumns, problems);
            }
            if (targetSide.stamp() != null && targetSide.stamp().isInteger() && !targetSide.system().stampsVersions()) {
                problems.add("targetStamp: the targets of system '" + targetSide.name() + "' can be stamped with a time, not a version");
            }
        }
        if (parsedMapping != null && sourceSide != null && sourceKeyColumnName() != null) {
            sourceKeyColumn = sourceSide.table().column(sourceKeyColumnName()).orElse(null);
        }
        if (sourceSide != null && sourceKeyColumn != null && (cursorColumn != null || sourceWhole)) {
            sourceSide = sourceSide.reading(sourceKeyColumn, cursorColumn, parsedMapping.sourceColumns());
        }
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        sourceSide = sourceSide.writing(List.of(), null);
        Table.Column targetKey = targetSide.column(targetKeyColumn);
        targetSide = targetSide.keyed(targetKey).writing(targetColumns, targetKey.name()); // the key's real name
    }

    private PairConfigException invalid(List<String> problems) {
        return new PairConfigException(file + ": pair '" + name + "' is invalid:\n  - " + String.join("\n  - ", problems));
    }

    /** A two-way pair: sides a and b, each read and written, ids tied by links rather than mapped. */
    private void validateTwoWay(Systems systems, List<String> problems) {
        boolean aWhole = false;
        boolean bWhole = false;
        if (source != null || target != null) {
            problems.add("source/target: a pair is either one way (source, target) or two way (a, b); remove source and target");
        }
        if (deletes != null) {
            problems.add("deletes: a two-way pair says what a delete does on each side: aDeletes, bDeletes");
        }
        sourceSide = SettingChecks.side("a", a, systems, problems);
        targetSide = SettingChecks.side("b", b, systems, problems);
        if (sourceSide != null && targetSide != null && sourceSide.name().equals(targetSide.name())) {
            problems.add("b: both sides are in system '" + sourceSide.name() + "'; a two-way pair needs two systems");
        }
        for (Side side : new Side[] {sourceSide, targetSide}) {
            if (side != null && !side.system().transactional() && match == null) {
                problems.add(side.role() + ": system '" + side.name() + "' is an HTTP API, which creates a record the moment it is sent: a two-way"
                        + " pair with an API side needs match: <field> (a natural key the API can filter by), so that a record created there"
                        + " whose link was not stored (a crash, a refusal on the other side) is found again rather than created twice");
            }
        }
        if (parsedMapping == null) {
            return;
        }
        Set<String> canonicalFields = new java.util.LinkedHashSet<>();
        parsedMapping.rules().forEach(r -> canonicalFields.add(r.canonical()));
        parsedPolicy = Policy.parse(policy, fallback, fields, canonicalFields, problems);
        sensitiveFields = sensitive(canonicalFields, problems);
        aDeleteRule = Deletes.parse("aDeletes", aDeletes, canonicalFields, problems);
        bDeleteRule = Deletes.parse("bDeletes", bDeletes, canonicalFields, problems);
        guard = DeleteGuard.parse(deleteGuard, problems);
        try {
            twoWayMapping = parsedMapping.twoWay();
        } catch (MappingSyntaxException e) {
            problems.add(e.getMessage());
            return;
        }
        for (FieldRule rule : parsedMapping.rules()) {
            rule.toCanonical().stream().filter(t -> t instanceof Transform.Reference).map(t -> ((Transform.Reference) t).pair()).findFirst()
                    .ifPresent(parent -> {
                        if (rule.plainSourceColumn() == null || rule.target() == null) {
                            problems.add("mapping line " + rule.line() + " '" + rule.text() + "': a reference reads one column of side a and writes one of side b");
                        } else {
                            references.add(new Reference(rule.canonical(), parent, rule.plainSourceColumn(), rule.target().toLowerCase(Locale.ROOT), rule.line()));
                        }
                    });
        }
        if (match != null && (!twoWayMapping.bFields().contains(match) || parsedMapping.rule(match).plainSourceColumn() == null)) {
            problems.add("match: '" + match + "' is not a canonical field read from one column on each side; use one of "
                    + twoWayMapping.bFields().stream().filter(twoWayMapping.aWritableFields()::contains).sorted().toList());
        }
        if (sourceSide != null) {
            Table table = sourceSide.table();
            SettingChecks.readColumnsExist(parsedMapping, sourceSide, problems);
            Table.Column key = SettingChecks.column("aKey", aKey, sourceSide, problems);
            aWhole = SettingChecks.withoutMarker(aCursor);
            Table.Column aCursorColumn = aWhole ? null : SettingChecks.cursor("aCursor", aCursor, sourceSide, problems);
            if (key != null && (aCursorColumn != null || aWhole)) {
                sourceSide = sourceSide.reading(key, aCursorColumn, parsedMapping.sourceColumns());
                aColumns = twoWayMapping.aColumns().stream().map(c -> table.column(c).orElse(null)).toList();
                SettingChecks.checkNotWritten("aKey", key, twoWayMapping.aColumns(), problems);
            }
            sourceSide = SettingChecks.stamped("aStamp", aStamp, sourceSide, twoWayMapping.aColumns(), problems);
            if (sourceSide.key() != null) {
                sourceSide = SettingChecks.newIds("aNewIds", aNewIds, sourceSide, problems);
            }
        }
        if (targetSide != null) {
            targetColumns = SettingChecks.writtenColumns(parsedMapping, targetSide, problems);
            Table.Column key = SettingChecks.column("bKey", bKey, targetSide, problems);
            bWhole = SettingChecks.withoutMarker(bCursor);
            Table.Column bCursorColumn = bWhole ? null : SettingChecks.cursor("bCursor", bCursor, targetSide, problems);
            if (key != null && (bCursorColumn != null || bWhole)) {
                targetSide = targetSide.reading(key, bCursorColumn, twoWayMapping.bColumns());
                SettingChecks.checkNotWritten("bKey", key, twoWayMapping.bColumns(), problems);
            }
            targetSide = SettingChecks.stamped("bStamp", bStamp, targetSide, twoWayMapping.bColumns(), problems);
            if (targetSide.key() != null) {
                targetSide = SettingChecks.newIds("bNewIds", bNewIds, targetSide, problems);
            }
        }
        boolean lastWriter = parsedPolicy != null && (parsedPolicy.record() == Policy.Rule.LAST_WRITER_WINS
                || parsedPolicy.record() == Policy.Rule.FIELD_MERGE && parsedPolicy.fallback() == Policy.Rule.LAST_WRITER_WINS
                || parsedPolicy.fields().containsValue(Policy.Rule.LAST_WRITER_WINS));
        if (lastWriter && sourceSide != null && targetSide != null && sourceSide.cursor() != null && targetSide.cursor() != null
                && (!sourceSide.cursor().isTimestamp() || !targetSide.cursor().isTimestamp())) {
            problems.add("policy: last-writer-wins compares the sides' cursor columns as times, but aCursor or bCursor is not a timestamp;"
                    + " choose a-wins, b-wins or manual");
        }
        if (lastWriter && (aWhole || bWhole)) {
            String sides = aWhole && bWhole ? "sides a and b have" : aWhole ? "side a has" : "side b has";
            String settings = aWhole && bWhole ? "aCursor, bCursor" : aWhole ? "aCursor" : "bCursor";
            problems.add("policy: last-writer-wins compares the times of the sides' edits, and " + sides + " no change marker (" + settings
                    + ": none) to tell them; choose a-wins, b-wins or manual (under field-merge, for its fallback and fields too)");
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

    /** Declared with sides a and b (known before its systems are reached). */
    public boolean isTwoWay() {
        return a != null || b != null;
    }

    /** Side "a" (the source of a one-way pair) or "b" (its target). */
    public Side side(String which) {
        return switch (which) {
            case "a" -> sourceSide;
            case "b" -> targetSide;
            default -> throw new IllegalArgumentException("pair '" + name + "' has sides 'a' and 'b', not '" + which + "'");
        };
    }

    /** The fields that reference records of other two-way pairs. */
    public List<Reference> references() {
        return references;
    }

    public TwoWayMapping twoWayMapping() {
        return twoWayMapping;
    }

    public Policy policy() {
        return parsedPolicy;
    }

    /** The canonical fields whose values the record history does not store. */
    public Set<String> sensitiveFields() {
        return sensitiveFields;
    }

    private Set<String> sensitive(Set<String> canonicalFields, List<String> problems) {
        if (sensitive == null || sensitive.isBlank()) {
            return Set.of();
        }
        Set<String> fields = new java.util.LinkedHashSet<>();
        for (String field : sensitive.split(",")) {
            String name = field.trim();
            if (!canonicalFields.contains(name)) {
                problems.add("sensitive: '" + name + "' is not a canonical field of the mapping; use one of " + new java.util.TreeSet<>(canonicalFields));
            } else {
                fields.add(name);
            }
        }
        return Set.copyOf(fields);
    }

    /** Side A or B of a two-way pair. */
    public Side side(Role which) {
        return which == Role.A ? sourceSide : targetSide;
    }

    /** What a two-way pair's planner decides by: the settings without the systems behind them. */
    public TwoWayRules rules() {
        return rules;
    }

    public DeleteGuard deleteGuard() {
        return guard;
    }

    /**
     * A one-way pair's delete rule, for a record gone from the source: {@code delete} the target's record, mark it
     * ({@code soft(field = value)}, {@link #softDelete}), or {@code ignore} it.
     */
    public Deletes deletes() {
        return deleteRule;
    }

    /** A one-way pair's soft delete: the target column its rule sets, and the value, as the field's mapping line writes it. */
    public record SoftDelete(Table.Column column, Object value) {
    }

    /** The target column and value of a one-way pair's {@code soft(field = value)}, or null. */
    public SoftDelete softDelete() {
        return softDelete;
    }

    private SoftDelete softDelete(List<Table.Column> targetColumns, List<String> problems) {
        FieldRule rule = parsedMapping.rule(deleteRule.field());
        int index = parsedMapping.targetRules().indexOf(rule);
        if (index < 0) {
            problems.add("deletes: field '" + deleteRule.field() + "' is not written to " + target + "; soft(...) sets a target column"
                    + " through its mapping line");
            return null;
        }
        Table.Column column = targetColumns.get(index);
        try {
            return new SoftDelete(column, ColumnValues.forColumn(rule.write(deleteRule.value()), column, rule.canonical()));
        } catch (RecordException e) {
            problems.add("deletes: " + deleteRule + ": " + e.getMessage());
            return null;
        }
    }

    /** The natural key field that matches records existing on both sides, or null. */
    public String match() {
        return match;
    }

    /** The column of a side that holds the natural key. */
    public String matchColumn(Role side) {
        FieldRule rule = parsedMapping.rule(match);
        return side == Role.A ? rule.plainSourceColumn() : rule.target();
    }

    /** A's columns written by a two-way pair, in the order of {@link TwoWayMapping#toA}. */
    public List<Table.Column> aColumns() {
        return aColumns;
    }

    public String name() {
        return name;
    }

    /** Side a or the source, as written in the pair file. */
    public String declaredSource() {
        return source != null ? source : a;
    }

    /** The system of side a or the source, as written in the pair file ({@code crm} of {@code crm.people}). */
    public String declaredSourceSystem() {
        String reference = declaredSource();
        return reference == null || reference.indexOf('.') < 0 ? String.valueOf(reference) : reference.substring(0, reference.indexOf('.'));
    }

    /** Side b or the target, as written in the pair file. */
    public String declaredTarget() {
        return target != null ? target : b;
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

    /** The freshness objective, or null when the pair has none. */
    public Duration freshness() {
        return freshnessDuration;
    }

    /** The status keys of the sides the pair polls: "a", and "b" for a two-way pair. */
    public List<String> polledSides() {
        return isTwoWay() ? List.of(Role.A.key(), Role.B.key()) : List.of(Role.A.key());
    }

    /** When the pair is polled: a Quartz cron expression, seconds first (the poll routes read it: {@code {{bean:<pair>.schedule}}}). */
    public String schedule() {
        return schedule.trim();
    }

    /** How long a two-way window collects changes before it is applied, in milliseconds (the aggregate's completionInterval). */
    public long windowMillis() {
        return windowDuration.toMillis();
    }

    /** When reconciliation runs: a Quartz cron expression; when it is off, a valid one that its route, not started, never uses. */
    public String reconcileSchedule() {
        return reconciles() ? reconcile.trim() : "0 0 0 1 1 ?";
    }

    /** False when reconciliation runs on demand only (POST /api/pairs/{pair}/reconcile). */
    public boolean reconciles() {
        return reconcile != null && !"off".equalsIgnoreCase(reconcile.trim());
    }

    @Override
    public String toString() {
        return "pair '" + name + "' (" + (isTwoWay() ? a + " <-> " + b : source + " -> " + target) + ")";
    }
}
