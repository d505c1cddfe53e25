package io.syncline.system.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.syncline.system.Entity;
import io.syncline.system.Position;
import io.syncline.system.SystemException;
import io.syncline.system.Table;
import io.syncline.value.Values;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A collection of an HTTP API as one side of a pair sees it: polled with its changed-since
 * parameter and pagination ({@link HttpFeed}), written record by record (a one-way target: found by
 * the pair's key, then updated with PUT or PATCH, or created with POST; a side of a two-way pair:
 * through an {@link HttpSession}). A permanent 4xx answer is
 * the record's refusal (a dead letter with the status and the API's answer); 401 and 403 are the
 * system's (the write fails as a whole and is tried again); timeouts, 5xx and 429 are tried again by
 * {@link HttpSystem#send}.
 */
final class HttpEntity implements Entity {

    private final String reference;
    private final HttpSystem system;
    private final ApiCollection collection;
    private final Table.Column key;
    private final Table.Column marker;
    private final List<Table.Column> written;
    private final String upsertKey;

    HttpEntity(String reference, HttpSystem system, ApiCollection collection, Table table, Table.Column key, Table.Column marker,
            List<Table.Column> written, String upsertKey) {
        this.reference = reference;
        this.system = system;
        this.collection = collection;
        this.key = key != null ? key : table.column(collection.id.path()).orElseThrow();
        this.marker = marker;
        this.written = List.copyOf(written);
        this.upsertKey = upsertKey;
    }

    @Override
    public String reference() {
        return reference;
    }

    HttpSystem system() {
        return system;
    }

    ApiCollection collection() {
        return collection;
    }

    Table.Column marker() {
        return marker;
    }

    List<Table.Column> written() {
        return written;
    }

    String base() {
        return system.url();
    }

    @Override
    public Feed changedSince(Position from, Duration lookback, int pageSize) {
        return new HttpFeed(this, from, lookback, pageSize);
    }

    /** A record of the collection: its id, its declared fields, and its change marker (when the side is read). */
    Record record(JsonNode json) {
        String id = collection.id(json);
        if (id == null) {
            throw new SystemException(reference + ": a record has no id at '" + collection.id.path() + "': " + abbreviated(json), null);
        }
        Map<String, Object> values = collection.values(json);
        Object change = marker == null ? null : values.get(marker.name().toLowerCase(Locale.ROOT));
        if (change != null && !(change instanceof Instant || change instanceof LocalDateTime || change instanceof Long)) {
            throw new SystemException(reference + ": record " + id + "'s change marker '" + marker.name() + "' is '" + change
                    + "', not a " + marker.typeName(), null);
        }
        return new Record(id, values, change);
    }

    private static String abbreviated(JsonNode json) {
        String text = json.toString();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    /** A position's marker in the marker field's form. */
    Object parseMarker(String value) {
        return switch (marker.kind()) {
            case INSTANT -> Instant.parse(value);
            case LOCAL_DATE_TIME -> LocalDateTime.parse(value);
            default -> Long.valueOf(value);
        };
    }

    @SuppressWarnings("unchecked")
    static Comparable<Object> comparable(Object marker) {
        return (Comparable<Object>) marker;
    }

    int compareIds(String a, String b) {
        if (key.isInteger() && a.matches("-?\\d{1,18}") && b.matches("-?\\d{1,18}")) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return a.compareTo(b);
    }

    /** Oldest change first, ties by id; records without a marker first (a full load only). */
    Comparator<Record> changeOrder() {
        return (r, s) -> {
            if (r.marker() == null || s.marker() == null) {
                return r.marker() == null ? (s.marker() == null ? compareIds(r.id(), s.id()) : -1) : 1;
            }
            int c = comparable(r.marker()).compareTo(s.marker());
            return c != 0 ? c : compareIds(r.id(), s.id());
        };
    }

    /** A two-way pair's unit of work: reads remembered with their ETags, updates and deletes sent conditionally when it commits. */
    @Override
    public Session open() {
        return new HttpSession(this);
    }

    /**
     * Writes each record where the pair's key finds it: by id ({@code PUT path/{key}}, created or replaced)
     * when the key is the collection's id, else by a query on the key field ({@code GET path?field=value}):
     * updated when one record holds the key, created (POST) when none does, refused when several do.
     */
    @Override
    public Map<String, String> upsert(List<Write> records) {
        int keyIndex = -1;
        for (int i = 0; i < written.size(); i++) {
            if (written.get(i).name().equalsIgnoreCase(upsertKey)) {
                keyIndex = i;
            }
        }
        boolean byId = upsertKey.equalsIgnoreCase(collection.id.path());
        Map<String, String> refused = new LinkedHashMap<>();
        for (Write record : records) {
            Object keyValue = record.values()[keyIndex];
            if (keyValue == null) {
                refused.put(record.id(), reference + " refused the record: its key '" + upsertKey + "' is empty");
                continue;
            }
            String keyText = ApiCollection.json(keyValue).asText();
            String body = ApiCollection.body(written, record.values()).toString();
            HttpSystem.Response answer = byId ? write(collection.recordUri(base(), keyText), "PUT", body) // creates or replaces
                    : findAndWrite(record.id(), keyValue, keyText, body, refused);
            if (answer != null && !answer.ok()) {
                refused.put(record.id(), reference + " refused the record: " + answer.describe());
            }
        }
        return refused;
    }

    /**
     * Finds the record by the key and updates it, or creates it. A create the API failed with a 5xx may
     * have happened: the record is looked for again before it is sent again, so it is never created twice.
     * Returns the answer, or null when the record was refused here (several hold the key).
     */
    private HttpSystem.Response findAndWrite(String id, Object keyValue, String keyText, String body, Map<String, String> refused) {
        for (int attempt = 1;; attempt++) {
            List<String> found = find(keyValue, keyText);
            if (found.size() > 1) {
                refused.put(id, reference + " refused the record: " + found.size() + " of its records hold " + upsertKey + " '"
                        + keyText + "' (ids " + found + "); the key must find one");
                return null;
            }
            if (!found.isEmpty()) {
                return write(collection.recordUri(base(), found.get(0)), collection.config.update(), body);
            }
            HttpSystem.Response answer = system.send(ApiRequest.json("POST", collection.collectionUri(base()), body), false); // sent again only when the API cannot have acted on it
            if (answer.status() < 500 || attempt >= system.maxAttempts()) {
                return checked(answer, "writing to");
            }
        }
    }

    /**
     * Deletes the records these keys find ({@code DELETE path/{id}}), each found as {@link #upsert} finds it: by id when the
     * key is the collection's id, else by a query on the key field. A record already gone (none found, 404 or 410) counts as
     * deleted; another 4xx is the record's refusal, as is a key that several records hold.
     */
    @Override
    public Map<String, String> deleteByKey(Collection<String> keys) {
        return byKey(keys, id -> ApiRequest.delete(collection.recordUri(base(), id)));
    }

    /**
     * Sets {@code field} of the records these keys find to {@code value}: {@code PATCH path/{id}} with that field alone, or,
     * where the collection is updated with PUT, the record read and sent back whole with the field set. Found, gone and
     * refused as for {@link #deleteByKey}.
     */
    @Override
    public Map<String, String> markByKey(Table.Column field, Object value, Collection<String> keys) {
        ObjectNode change = ApiCollection.body(List.of(field), new Object[] {value});
        return byKey(keys, id -> {
            URI uri = collection.recordUri(base(), id);
            if (collection.config.update().equalsIgnoreCase("patch")) {
                return ApiRequest.json("PATCH", uri, change.toString());
            }
            HttpSystem.Response held = checked(system.send(ApiRequest.get(uri), true), "reading");
            if (held.status() == 404 || held.status() == 410) {
                return null;
            }
            if (!held.ok()) {
                throw new SystemException(reference + ": reading record " + id + " answered " + held.describe(), null);
            }
            ObjectNode whole = held.json().deepCopy();
            merge(whole, change);
            return ApiRequest.json("PUT", uri, whole.toString());
        });
    }

    /** Sets into {@code record} every field of {@code change}, nested objects merged rather than replaced. */
    private static void merge(ObjectNode record, ObjectNode change) {
        change.fields().forEachRemaining(f -> {
            if (f.getValue() instanceof ObjectNode inner && record.get(f.getKey()) instanceof ObjectNode held) {
                merge(held, inner);
            } else {
                record.set(f.getKey(), f.getValue());
            }
        });
    }

    /**
     * Sends, for each record a key finds, the request {@code write} makes from its id (null: the record is gone); returns the
     * keys whose record the API refused, with the reason. Keyed by the key, as the links hold it.
     */
    private Map<String, String> byKey(Collection<String> keys, Function<String, ApiRequest> write) {
        boolean byId = upsertKey.equalsIgnoreCase(collection.id.path());
        Map<String, String> refused = new LinkedHashMap<>();
        for (String key : keys) {
            List<String> ids = byId ? List.of(key) : idsWhere(upsertKey, key, held -> holdsKey(held, key));
            if (ids.size() > 1) {
                refused.put(key, reference + " refused the record: " + ids.size() + " of its records hold " + upsertKey + " '" + key
                        + "' (ids " + ids + "); the key must find one");
                continue;
            }
            ApiRequest request = ids.isEmpty() ? null : write.apply(ids.get(0));
            if (request == null) {
                continue; // gone already
            }
            HttpSystem.Response answer = checked(system.send(request, true), "writing to");
            if (!answer.ok() && answer.status() != 404 && answer.status() != 410) {
                refused.put(key, reference + " refused the record: " + answer.describe());
            }
        }
        return refused;
    }

    /** Whether a field's value is the key as a link holds it (its text): a number by its value, anything else by its text. */
    private static boolean holdsKey(Object held, String key) {
        Object value = Values.canonical(held);
        if (value instanceof Number number) {
            try {
                return new BigDecimal(number.toString()).compareTo(new BigDecimal(key)) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return String.valueOf(value).equals(key);
    }

    /** The ids of the records whose key field holds {@code value}, asked with a query on that field and checked here. */
    private List<String> find(Object value, String text) {
        String wanted = Values.hashForm(Values.canonical(value));
        return idsWhere(upsertKey, text, held -> Values.hashForm(Values.canonical(held)).equals(wanted));
    }

    /**
     * The ids of the records whose {@code field} holds a value, asked with a query on that field ({@code GET path?field=value})
     * and checked here with {@code holds}: an API that ignores the filter (it answers records that do not hold the value)
     * fails the call rather than have records created twice.
     */
    List<String> idsWhere(String field, String value, java.util.function.Predicate<Object> holds) {
        HttpSystem.Response answer = checked(system.send(ApiRequest.get(collection.readUri(base(), Map.of(field, value), 100)), true), "reading");
        if (!answer.ok()) {
            throw new SystemException(reference + ": looking for " + field + " '" + value + "' answered " + answer.describe(), null);
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode json : collection.records(answer.json())) {
            Object held = collection.values(json).get(field.toLowerCase(Locale.ROOT));
            if (held == null || !holds.test(held)) {
                throw new SystemException(reference + ": the API does not filter by '" + field + "' (asked for one value, it answered"
                        + " records with others); a field the API can filter by is needed to find records", null);
            }
            ids.add(collection.id(json));
        }
        return ids;
    }

    private HttpSystem.Response write(java.net.URI uri, String method, String body) {
        return checked(system.send(ApiRequest.json(method, uri, body), true), "writing to");
    }

    /** An answer that is about the system rather than a record (signed out, forbidden, not found as a whole) fails the call. */
    HttpSystem.Response checked(HttpSystem.Response answer, String doing) {
        if (answer.status() == 401 || answer.status() == 403 || answer.status() == 405 || answer.status() >= 500) {
            throw new SystemException(reference + ": " + doing + " the collection answered " + answer.describe(), null);
        }
        return answer;
    }

    /** Every record, in id order. The API is read in full first (it has no order by id to stream in). */
    @Override
    public void scan(Consumer<Record> each) {
        List<Record> all = new ArrayList<>();
        try (Feed feed = new HttpFeed(this, Position.START, Duration.ZERO, 1000)) {
            for (List<Record> page = feed.next(); !page.isEmpty(); page = feed.next()) {
                all.addAll(page);
            }
        }
        all.sort((r, s) -> compareIds(r.id(), s.id()));
        all.forEach(each);
    }
}
