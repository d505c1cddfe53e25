package io.syncline.system.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.syncline.system.Entity;
import io.syncline.system.Position;
import io.syncline.system.SystemException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One poll of a collection: the records changed since a position, fetched an API page at a time
 * (page number, offset, cursor token or {@code Link} header) and handed out in pages of the pair's
 * size. The API must return them oldest change first (most do when asked, e.g. {@code sort=updated_at}
 * in the collection's {@code query}); a feed that finds them out of order fails rather than let the
 * cursor pass a record it has not handled. With page numbers or offsets and a changed-since filter, each
 * next page is asked for from the last record read (keyset paging): a record that changes during the
 * poll moves to the end of the list, where it is read, instead of shifting one it would have hidden.
 */
final class HttpFeed implements Entity.Feed {

    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]*)>\\s*;[^,]*rel=\"?next\"?", Pattern.CASE_INSENSITIVE);

    private final HttpEntity entity;
    private final ApiCollection collection;
    private final Position from;
    /** Records at or before this (marker, then id; a null id takes every record of the marker) are not handed out. */
    private Comparable<Object> floor;
    private String floorId;
    /**
     * Page numbers and offsets shift when a record read earlier in the poll changes: with a changed-since filter,
     * each next page is asked for from the last record read instead (keyset paging), so no record is skipped.
     */
    private final boolean keyset;
    private final int pageSize;
    private final ArrayDeque<Entity.Record> buffered = new ArrayDeque<>();
    private final Map<String, String> params = new HashMap<>();
    private URI nextUri;
    private int page;
    private int offset;
    private Object lastMarker;

    HttpFeed(HttpEntity entity, Position from, Duration lookback, int pageSize) {
        this.entity = entity;
        this.collection = entity.collection();
        this.from = from;
        this.pageSize = pageSize;
        boolean timestamp = entity.marker() != null && entity.marker().isTimestamp();
        boolean strictlyAfter = !from.isStart() && (!timestamp || lookback.isZero());
        Object since = from.isStart() ? null : entity.parseMarker(from.value());
        if (since != null && timestamp && !lookback.isZero()) { // re-read the lookback window: late commits land there
            since = since instanceof Instant i ? i.minus(lookback) : ((LocalDateTime) since).minus(lookback);
        }
        this.floor = since == null ? null : HttpEntity.comparable(since);
        this.floorId = strictlyAfter ? from.id() : null;
        this.keyset = entity.marker() != null && collection.config.changedSince().isPresent()
                && (collection.pagination().equals("page") || collection.pagination().equals("offset"));
        if (since != null) {
            Object s = since;
            collection.config.changedSince().ifPresent(p -> params.put(p, format(s)));
        }
        this.page = collection.config.firstPage();
        if (collection.pagination().equals("page")) {
            params.put(collection.config.pageParam(), String.valueOf(page));
        } else if (collection.pagination().equals("offset")) {
            params.put(collection.config.offsetParam(), "0");
        }
        this.nextUri = collection.readUri(entity.base(), params, collection.config.pageSize());
    }

    /** The changed-since parameter's value, as the collection's {@code changedSinceFormat} says. */
    private String format(Object since) {
        if (since instanceof Long version) {
            return version.toString();
        }
        Instant instant = since instanceof Instant i ? i : ((LocalDateTime) since).toInstant(ZoneOffset.UTC);
        String format = collection.config.changedSinceFormat();
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "iso" -> since instanceof Instant ? instant.toString() : since.toString();
            case "epoch-seconds" -> String.valueOf(instant.getEpochSecond());
            case "epoch-millis" -> String.valueOf(instant.toEpochMilli());
            default -> DateTimeFormatter.ofPattern(format, Locale.ROOT).withZone(ZoneOffset.UTC).format(instant);
        };
    }

    @Override
    public long size() {
        return -1; // an API does not say how many records a full load will read
    }

    @Override
    public List<Entity.Record> next() {
        while (buffered.size() < pageSize && nextUri != null) {
            fetch();
        }
        List<Entity.Record> next = new ArrayList<>(Math.min(pageSize, buffered.size()));
        while (next.size() < pageSize && !buffered.isEmpty()) {
            next.add(buffered.poll());
        }
        return next;
    }

    private void fetch() {
        URI uri = nextUri;
        HttpSystem.Response answer = entity.system().send(ApiRequest.get(uri), true);
        if (!answer.ok()) {
            throw new SystemException(entity.reference() + ": reading " + uri.getPath() + " answered " + answer.describe(), null);
        }
        JsonNode body = answer.json();
        List<JsonNode> records = collection.records(body);
        List<Entity.Record> kept = new ArrayList<>(records.size());
        for (JsonNode json : records) {
            Entity.Record record = entity.record(json);
            if (record.marker() == null) {
                if (from.isStart()) {
                    kept.add(record); // only a full load takes a record without a marker, as a database's does
                }
                continue;
            }
            // checked as the API sends them, before anything is handed out: a page out of order could let the cursor pass a record
            if (lastMarker != null && HttpEntity.comparable(record.marker()).compareTo(lastMarker) < 0) {
                throw new SystemException(entity.reference() + ": the API does not return records oldest change first (" + record.marker()
                        + " came after " + lastMarker + "); add its sort parameters to the collection's query, e.g. sort=updated_at", null);
            }
            lastMarker = record.marker();
            int c = floor == null ? 1 : HttpEntity.comparable(record.marker()).compareTo(floor);
            if (c > 0 || c == 0 && (floorId == null || entity.compareIds(record.id(), floorId) > 0)) {
                kept.add(record);
            }
        }
        kept.sort(entity.changeOrder());
        buffered.addAll(kept);
        Entity.Record last = kept.isEmpty() ? null : kept.get(kept.size() - 1);
        if (keyset && last != null && last.marker() != null) {
            floor = HttpEntity.comparable(last.marker());
            floorId = last.id();
            lastMarker = null; // the next page starts again from this record
            nextUri = records.isEmpty() || collection.config.sizeParam().isPresent() && records.size() < collection.config.pageSize() ? null
                    : fromRecord(last.marker());
        } else {
            nextUri = following(uri, answer, body, records.size());
        }
    }

    /**
     * The first page of what changed since a record read, that record's marker included (the API's filter must take
     * its bound, as {@code >=}); what was read already is left out here.
     */
    private URI fromRecord(Object marker) {
        params.put(collection.config.changedSince().orElseThrow(), format(marker));
        page = collection.config.firstPage();
        offset = 0;
        if (collection.pagination().equals("page")) {
            params.put(collection.config.pageParam(), String.valueOf(page));
        } else {
            params.put(collection.config.offsetParam(), "0");
        }
        return collection.readUri(entity.base(), params, collection.config.pageSize());
    }

    /** The next page's URI, or null when this page was the last. */
    private URI following(URI uri, HttpSystem.Response answer, JsonNode body, int read) {
        int full = collection.config.pageSize();
        switch (collection.pagination()) {
            case "page":
                if (read == 0 || collection.config.sizeParam().isPresent() && read < full) {
                    return null;
                }
                params.put(collection.config.pageParam(), String.valueOf(++page));
                return collection.readUri(entity.base(), params, full);
            case "offset":
                if (read == 0 || collection.config.sizeParam().isPresent() && read < full) {
                    return null;
                }
                offset += read;
                params.put(collection.config.offsetParam(), String.valueOf(offset));
                return collection.readUri(entity.base(), params, full);
            case "cursor":
                JsonNode token = ApiCollection.at(body, collection.config.nextCursor().split("\\."));
                if (token == null || token.isNull() || token.asText().isEmpty() || read == 0) {
                    return null;
                }
                params.put(collection.config.cursorParam(), token.asText());
                return collection.readUri(entity.base(), params, full);
            case "link":
                for (String link : answer.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("Link"))
                        .flatMap(e -> e.getValue().stream()).toList()) {
                    Matcher m = NEXT_LINK.matcher(link);
                    if (m.find()) {
                        URI next = uri.resolve(m.group(1));
                        if (!sameOrigin(next, uri)) { // the credentials go with every request: never to another host
                            throw new SystemException(entity.reference() + ": the next page's link leads to another host; it is not followed", null);
                        }
                        return next;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return String.valueOf(a.getScheme()).equalsIgnoreCase(String.valueOf(b.getScheme()))
                && String.valueOf(a.getHost()).equalsIgnoreCase(String.valueOf(b.getHost())) && a.getPort() == b.getPort();
    }

    @Override
    public void close() {
        buffered.clear();
        nextUri = null;
    }
}
