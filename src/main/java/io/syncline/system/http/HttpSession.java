package io.syncline.system.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.syncline.system.Entity;
import io.syncline.system.Row;
import io.syncline.system.SystemException;
import io.syncline.value.Values;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A unit of work on an API collection, for a two-way pair. An API has no transaction: what the session
 * reads is remembered with its {@code ETag} (or, when the API gives none or a weak one, as it was read), and its updates
 * and deletes are sent when it commits, each conditional on the record being as it was read
 * ({@code If-Match}; without an ETag the record is read again just before the write and compared). A
 * record changed meanwhile (412, or a different record) is not overwritten: {@link #commit} reports it,
 * and the writer plans the record again with what the API holds now. A create is sent at once (the
 * link needs the id the API gives); a create whose link is then not stored is found again by the pair's
 * natural key, which a two-way pair with an API side must have.
 */
final class HttpSession implements Entity.Session {

    private final HttpEntity entity;
    private final ApiCollection collection;
    private final HttpSystem system;
    /** The records read, by id: their ETag (null when the API gives none) and their JSON as read. */
    private final Map<String, Read> read = new HashMap<>();
    private final List<Entity.Write> updates = new ArrayList<>();
    private final Set<String> deletes = new LinkedHashSet<>();

    private record Read(String etag, JsonNode json) {
    }

    HttpSession(HttpEntity entity) {
        this.entity = entity;
        this.collection = entity.collection();
        this.system = entity.system();
    }

    /** Each record read by {@code GET path/{id}}, with its ETag; a 404 is a record that is gone. */
    @Override
    public Map<String, Row> lock(Collection<String> ids) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String id : ids) {
            HttpSystem.Response answer = entity.checked(system.send(ApiRequest.get(collection.recordUri(entity.base(), id)), true),
                    "reading");
            if (answer.status() == 404 || answer.status() == 410) {
                continue;
            }
            if (!answer.ok()) {
                throw new SystemException(entity.reference() + ": reading record " + id + " answered " + answer.describe(), null);
            }
            Entity.Record record = entity.record(answer.json());
            // a weak ETag (W/"...") never satisfies If-Match: such a record is read again and compared before its write
            read.put(record.id(), new Read(answer.header("ETag").filter(tag -> !tag.startsWith("W/")).orElse(null), answer.json()));
            rows.put(record.id(), record.row());
        }
        return rows;
    }

    /**
     * The records whose {@code field} holds one of the keys, trimmed and in lower case: found with a query on that field
     * ({@code GET path?field=key}, the key as the other side holds it), then each read by id with its ETag.
     */
    @Override
    public Map<String, Row> lockByNaturalKey(String field, Collection<String> keys) {
        java.util.Set<String> ids = new LinkedHashSet<>();
        for (String key : keys) {
            String wanted = key.trim().toLowerCase(Locale.ROOT);
            ids.addAll(entity.idsWhere(field, key, held -> Values.canonical(held).toString().trim().toLowerCase(Locale.ROOT).equals(wanted)));
        }
        return lock(ids);
    }

    /** Kept until the session commits. */
    @Override
    public Map<String, String> update(List<Entity.Write> records) {
        updates.addAll(records);
        return Map.of();
    }

    /** Sent at once ({@code POST path}), the new id taken from the answer. */
    @Override
    public List<Entity.Created> create(List<Entity.Write> records) {
        List<Entity.Created> created = new ArrayList<>();
        for (Entity.Write record : records) {
            String body = ApiCollection.body(entity.written(), record.values()).toString();
            HttpSystem.Response answer = entity.checked(system.send(ApiRequest.json("POST", collection.collectionUri(entity.base()), body), false),
                    "writing to");
            if (!answer.ok()) {
                created.add(new Entity.Created(null, entity.reference() + " refused the record: " + answer.describe()));
                continue;
            }
            String id = answer.body().isBlank() ? null : collection.id(answer.json());
            if (id == null) {
                throw new SystemException(entity.reference() + ": the API created a record but its answer holds no id at '" + collection.id.path()
                        + "': " + answer.describe(), null);
            }
            created.add(new Entity.Created(id, null));
        }
        return created;
    }

    /** Kept until the session commits. */
    @Override
    public Map<String, String> delete(Collection<String> ids) {
        deletes.addAll(ids);
        return Map.of();
    }

    /**
     * Sends the updates and deletes, each conditional on the record being as it was read.
     *
     * @throws Entity.CommitRefused naming the records the API refused (a 4xx, with its answer) and those changed
     *                              since they were read; the others are written
     */
    @Override
    public void commit() {
        Map<String, String> refused = new LinkedHashMap<>();
        Set<String> changed = new LinkedHashSet<>();
        for (Entity.Write update : updates) {
            String body = ApiCollection.body(entity.written(), update.values()).toString();
            send(update.id(), ApiRequest.json(collection.config.update(), collection.recordUri(entity.base(), update.id()), body), refused, changed);
        }
        for (String id : deletes) {
            send(id, ApiRequest.delete(collection.recordUri(entity.base(), id)), refused, changed);
        }
        updates.clear();
        deletes.clear();
        if (!refused.isEmpty() || !changed.isEmpty()) {
            throw new Entity.CommitRefused(entity.reference(), refused, changed);
        }
    }

    /** Sends one write, if the record is still as it was read; a record already gone is fine for a delete. */
    private void send(String id, ApiRequest request, Map<String, String> refused, Set<String> changed) {
        Read before = read.get(id);
        if (before == null || !unchanged(id, before, request)) {
            changed.add(id);
            return;
        }
        boolean delete = request.method().equals("DELETE");
        HttpSystem.Response answer = entity.checked(system.send(request, true), "writing to");
        if (answer.ok() || delete && (answer.status() == 404 || answer.status() == 410)) {
            return;
        }
        if (answer.status() == 412 || answer.status() == 404 || answer.status() == 410) {
            changed.add(id); // changed or deleted since it was read: planned again with what the API holds now
        } else {
            refused.put(id, entity.reference() + " refused the record: " + answer.describe());
        }
    }

    /**
     * Makes the write conditional: {@code If-Match} with the ETag read; without one, the record is read again
     * now and must be as it was.
     */
    private boolean unchanged(String id, Read before, ApiRequest request) {
        if (before.etag() != null) {
            request.header("If-Match", before.etag());
            return true;
        }
        HttpSystem.Response now = entity.checked(system.send(ApiRequest.get(collection.recordUri(entity.base(), id)), true), "reading");
        return now.ok() && now.json().equals(before.json());
    }

    /** Nothing was sent that is not done: updates and deletes not committed are dropped. */
    @Override
    public void close() {
        updates.clear();
        deletes.clear();
    }
}
