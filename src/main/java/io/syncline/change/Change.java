package io.syncline.change;

import io.syncline.system.Position;
import java.util.Map;

/**
 * One observed insert or update of one source record, as it moves through the apply route: read
 * (row, position), then mapped (canonical values, hash, target values).
 */
public final class Change {

    private final String pair;
    private final String side;
    private final String recordId;
    private final Map<String, Object> row;
    private final Object marker;
    private Position position;
    private Map<String, Object> canonical;
    private String hash;
    private Object[] targetValues;
    private String targetId;
    private Page page;
    private String key;

    public Change(String pair, String side, String recordId, Map<String, Object> row, Position position) {
        this(pair, side, recordId, row, null, position);
    }

    private Change(String pair, String side, String recordId, Map<String, Object> row, Object marker, Position position) {
        this.pair = pair;
        this.side = side;
        this.recordId = recordId;
        this.row = row;
        this.marker = marker;
        this.position = position;
    }

    /**
     * A change read with its change marker's value (null when the side has none): its {@link #position()} is made from it
     * when asked, as a page asks for its last change's only (a time's text per record was a twentieth of a reader's work).
     */
    public static Change read(String pair, String side, String recordId, Map<String, Object> row, Object marker) {
        return new Change(pair, side, recordId, row, marker, null);
    }

    /** Set by the page that holds the change: the apply route's steps inside the split find it from the change. */
    void inPage(Page page) {
        this.page = page;
    }

    /** The page the change was read in (the split's steps find their page here, not in an exchange property each copies). */
    public Page page() {
        return page;
    }

    public void mapped(Map<String, Object> canonical, String hash, Object[] targetValues, String targetId) {
        this.canonical = canonical;
        this.hash = hash;
        this.targetValues = targetValues;
        this.targetId = targetId;
        this.key = null;
    }

    public String pair() {
        return pair;
    }

    public String side() {
        return side;
    }

    public String recordId() {
        return recordId;
    }

    public Map<String, Object> row() {
        return row;
    }

    public Position position() {
        Position made = position;
        if (made == null && marker != null) {
            made = Position.of(marker, recordId); // the same value whichever thread makes it first
            position = made;
        }
        return made;
    }

    public Map<String, Object> canonical() {
        return canonical;
    }

    public String hash() {
        return hash;
    }

    public Object[] targetValues() {
        return targetValues;
    }

    public String targetId() {
        return targetId;
    }

    /** The idempotent key's parts, as {@link #toString} writes them. */
    public ChangeKey key() {
        return new ChangeKey(pair, side, recordId, hash);
    }

    /**
     * The idempotent key, {@code pair/side/id#hash}: the same key means nothing changed. It is also
     * the change's text form, so a route names it as {@code ${body}}.
     */
    @Override
    public String toString() {
        String text = key;
        if (text == null) {
            text = ChangeKey.of(pair, side, recordId, hash); // built once: the idempotent consumer and its repository both ask
            key = text;
        }
        return text;
    }
}
