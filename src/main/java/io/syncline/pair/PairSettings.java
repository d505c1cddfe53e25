package io.syncline.pair;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A pair's settings as written in its pair file: the bean properties of {@code #class:io.syncline.pair.Pair},
 * with their defaults. {@link Pair} checks and resolves them at start-up.
 */
@RegisterForReflection
public abstract class PairSettings {

    protected String source;
    protected String target;
    protected String key = "id";
    protected String cursor = "updated_at";
    protected String mapping;
    protected int pageSize = 1000;
    protected String lookback = "5s";
    protected String overdue = "2m";
    /** The freshness objective: how old an unsynced change may get before the pair is DOWN; none when null or off. */
    protected String freshness;
    protected String maxBackoff = "60s";
    protected String schedule = "0/5 * * * * ?";
    protected String window = "2s";
    protected String reconcile = "off";
    // two-way settings
    protected String a;
    protected String b;
    protected String aKey = "id";
    protected String bKey = "id";
    protected String aCursor = "updated_at";
    protected String bCursor = "updated_at";
    protected String targetStamp;
    protected String aStamp;
    protected String bStamp;
    protected String aNewIds;
    protected String bNewIds;
    protected String policy = "field-merge";
    protected String fallback = "last-writer-wins";
    protected String fields;
    protected String match;
    protected String sensitive;
    protected String aDeletes = "ignore";
    protected String bDeletes = "ignore";
    /** A one-way pair's rule for a record deleted from its source; null: not set (ignore). */
    protected String deletes;
    protected String deleteGuard = "10%";

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

    public void setFreshness(String freshness) {
        this.freshness = freshness;
    }

    public void setMaxBackoff(String maxBackoff) {
        this.maxBackoff = maxBackoff;
    }

    public void setA(String a) {
        this.a = a;
    }

    public void setB(String b) {
        this.b = b;
    }

    public void setAKey(String aKey) {
        this.aKey = aKey;
    }

    public void setBKey(String bKey) {
        this.bKey = bKey;
    }

    public void setACursor(String aCursor) {
        this.aCursor = aCursor;
    }

    public void setBCursor(String bCursor) {
        this.bCursor = bCursor;
    }

    /** A change marker of the target that its application maintains: Syncline stamps it on every write. */
    public void setTargetStamp(String targetStamp) {
        this.targetStamp = targetStamp;
    }

    public void setAStamp(String aStamp) {
        this.aStamp = aStamp;
    }

    public void setBStamp(String bStamp) {
        this.bStamp = bStamp;
    }

    /** Who gives a record Syncline creates on side a its id: {@code database} (the column's default) or {@code uuid}. */
    public void setANewIds(String aNewIds) {
        this.aNewIds = aNewIds;
    }

    public void setBNewIds(String bNewIds) {
        this.bNewIds = bNewIds;
    }

    public void setPolicy(String policy) {
        this.policy = policy;
    }

    public void setFallback(String fallback) {
        this.fallback = fallback;
    }

    public void setFields(String fields) {
        this.fields = fields;
    }

    public void setMatch(String match) {
        this.match = match;
    }

    /** Canonical fields whose values the record history never stores, comma separated, e.g. {@code phone, notes}. */
    public void setSensitive(String sensitive) {
        this.sensitive = sensitive;
    }

    public void setADeletes(String aDeletes) {
        this.aDeletes = aDeletes;
    }

    public void setBDeletes(String bDeletes) {
        this.bDeletes = bDeletes;
    }

    public void setDeletes(String deletes) {
        this.deletes = deletes;
    }

    public void setDeleteGuard(String deleteGuard) {
        this.deleteGuard = deleteGuard;
    }

    public void setSchedule(String schedule) {
        this.schedule = schedule;
    }

    public void setWindow(String window) {
        this.window = window;
    }

    public void setReconcile(String reconcile) {
        this.reconcile = reconcile;
    }
}
