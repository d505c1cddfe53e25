package io.syncline.system.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.syncline.system.SynclineConfig;
import io.syncline.system.SystemException;
import io.syncline.system.Table;
import java.math.BigDecimal;
import java.net.URI;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A collection of an HTTP API as configured: its path, its declared fields (nested ones by path) and
 * their kinds, where a page's records are, and how values go between JSON and Syncline's value forms.
 */
final class ApiCollection {

    /** The kinds a field may be declared with, and the column type each stands for in the pair's checks and mapping. */
    enum FieldKind {
        TEXT(Types.VARCHAR), INTEGER(Types.BIGINT), DECIMAL(Types.DECIMAL), BOOLEAN(Types.BOOLEAN), DATE(Types.DATE),
        DATETIME(Types.TIMESTAMP), INSTANT(Types.TIMESTAMP_WITH_TIMEZONE), LIST(Types.ARRAY);

        final int jdbcType;

        FieldKind(int jdbcType) {
            this.jdbcType = jdbcType;
        }
    }

    /** A declared field: its path in a record ({@code owner.email}) and its kind. */
    record Field(String path, FieldKind kind) {
        String[] steps() {
            return path.split("\\.");
        }
    }

    final String system;
    final String name;
    final SynclineConfig.Collection config;
    /** By lower-case path. */
    final Map<String, Field> fields;
    final Field id;

    private ApiCollection(String system, String name, SynclineConfig.Collection config, Map<String, Field> fields) {
        this.system = system;
        this.name = name;
        this.config = config;
        this.fields = fields;
        this.id = fields.get(config.id().toLowerCase(Locale.ROOT));
    }

    static ApiCollection of(String system, String name, SynclineConfig.Collection config) {
        String where = "system '" + system + "', collection '" + name + "'";
        Map<String, Field> fields = new LinkedHashMap<>();
        for (String declared : config.fields().split(",")) {
            String d = declared.trim();
            if (d.isEmpty()) {
                continue;
            }
            int colon = d.indexOf(':');
            String path = colon < 0 ? d : d.substring(0, colon).trim();
            FieldKind kind;
            try {
                kind = colon < 0 ? FieldKind.TEXT : FieldKind.valueOf(d.substring(colon + 1).trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(where + ": field '" + d + "' has an unknown kind; use text, integer, decimal, boolean, date,"
                        + " datetime, instant or list");
            }
            if (!path.matches("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)*")) {
                throw new IllegalStateException(where + ": '" + path + "' is not a field name or path (e.g. owner.email)");
            }
            fields.put(path.toLowerCase(Locale.ROOT), new Field(path, kind));
        }
        if (!fields.containsKey(config.id().toLowerCase(Locale.ROOT))) {
            throw new IllegalStateException(where + ": the id field '" + config.id() + "' is not among its fields (" + config.fields() + ")");
        }
        if (!List.of("none", "page", "offset", "cursor", "link").contains(config.pagination().toLowerCase(Locale.ROOT))) {
            throw new IllegalStateException(where + ": pagination '" + config.pagination() + "' is not one of none, page, offset, cursor, link");
        }
        if (!List.of("put", "patch").contains(config.update().toLowerCase(Locale.ROOT))) {
            throw new IllegalStateException(where + ": update '" + config.update() + "' is not put or patch");
        }
        return new ApiCollection(system, name, config, fields);
    }

    /** The fields as a table: each field a column of its kind's type. Each field may key an upsert (found by a query on it). */
    Table table() {
        Map<String, Table.Column> columns = new LinkedHashMap<>();
        List<List<String>> keys = new ArrayList<>();
        fields.forEach((lower, field) -> {
            columns.put(lower, new Table.Column(field.path(), field.kind().jdbcType, field.kind().name().toLowerCase(Locale.ROOT), true));
            keys.add(List.of(lower));
        });
        return new Table(name, columns, keys);
    }

    String pagination() {
        return config.pagination().toLowerCase(Locale.ROOT);
    }

    /** The collection's URI with its fixed query, {@code params}, and the page size (when the API takes one). */
    URI readUri(String base, Map<String, String> params, int size) {
        StringJoiner query = new StringJoiner("&");
        config.query().filter(q -> !q.isBlank()).ifPresent(query::add);
        params.forEach((k, v) -> query.add(HttpSystem.encode(k) + "=" + HttpSystem.encode(v)));
        config.sizeParam().ifPresent(p -> query.add(HttpSystem.encode(p) + "=" + size));
        return HttpSystem.uri(base + config.path() + (query.length() == 0 ? "" : "?" + query));
    }

    URI recordUri(String base, String id) {
        return HttpSystem.uri(base + config.path() + "/" + HttpSystem.encode(id));
    }

    URI collectionUri(String base) {
        return HttpSystem.uri(base + config.path());
    }

    /** The records of a page's body, where {@code records} says they are. */
    List<JsonNode> records(JsonNode body) {
        JsonNode node = config.records().filter(p -> !p.isBlank()).map(p -> at(body, p.split("\\."))).orElse(body);
        if (node == null || !node.isArray()) {
            throw new SystemException("system '" + system + "', collection '" + name + "': the answer holds no JSON array of records at '"
                    + config.records().orElse("(the body)") + "' (set records to where they are, e.g. data)", null);
        }
        List<JsonNode> records = new ArrayList<>(node.size());
        node.forEach(records::add);
        return records;
    }

    static JsonNode at(JsonNode node, String[] steps) {
        JsonNode current = node;
        for (String step : steps) {
            if (current == null || !current.isObject()) {
                return null;
            }
            current = current.get(step);
        }
        return current;
    }

    /** A record's id as text. */
    String id(JsonNode record) {
        JsonNode node = at(record, id.steps());
        return node == null || node.isNull() ? null : node.asText();
    }

    /** A record's declared fields, by lower-case path, in Syncline's value forms. */
    Map<String, Object> values(JsonNode record) {
        Map<String, Object> values = new LinkedHashMap<>();
        fields.forEach((lower, field) -> values.put(lower, value(at(record, field.steps()), field.kind())));
        return values;
    }

    /**
     * A JSON value in the declared kind's form; a value that does not read as that kind is kept as text
     * (the mapping then refuses the record, not the poll).
     */
    static Object value(JsonNode node, FieldKind kind) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        try {
            return switch (kind) {
                case INTEGER -> node.isIntegralNumber() ? node.asLong() : node.isTextual() && node.asText().trim().matches("-?\\d{1,18}")
                        ? Long.valueOf(node.asText().trim()) : text(node);
                case DECIMAL -> node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText().trim());
                case BOOLEAN -> node.isBoolean() ? node.asBoolean() : switch (node.asText().trim().toLowerCase(Locale.ROOT)) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> text(node);
                };
                case DATE -> LocalDate.parse(node.asText().trim());
                case DATETIME -> LocalDateTime.parse(node.asText().trim());
                case INSTANT -> node.isIntegralNumber() ? Instant.ofEpochSecond(node.asLong()) : instant(node.asText().trim());
                case LIST -> list(node);
                case TEXT -> text(node);
            };
        } catch (DateTimeParseException | NumberFormatException e) {
            return text(node);
        }
    }

    private static Instant instant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.parse(text);
        }
    }

    private static Object text(JsonNode node) {
        return node.isValueNode() ? node.asText() : node.toString();
    }

    private static Object list(JsonNode node) {
        if (!node.isArray()) {
            return text(node);
        }
        List<Object> items = new ArrayList<>();
        node.forEach(item -> items.add(item.isNumber() ? (Object) item.decimalValue() : item.isBoolean() ? (Object) item.asBoolean() : text(item)));
        return items;
    }

    /** A JSON body holding {@code values} at the written fields' paths (nested objects made as needed). */
    static ObjectNode body(List<Table.Column> written, Object[] values) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < written.size(); i++) {
            String[] steps = written.get(i).name().split("\\.");
            ObjectNode parent = body;
            for (int s = 0; s < steps.length - 1; s++) {
                JsonNode child = parent.get(steps[s]);
                parent = child instanceof ObjectNode o ? o : parent.putObject(steps[s]);
            }
            parent.set(steps[steps.length - 1], json(values[i]));
        }
        return body;
    }

    static JsonNode json(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) {
            return f.nullNode();
        }
        if (value instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (value instanceof BigDecimal d) {
            return f.numberNode(d);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return f.numberNode(((Number) value).longValue());
        }
        if (value instanceof Number n) {
            return f.numberNode(new BigDecimal(n.toString()));
        }
        if (value instanceof OffsetDateTime odt) {
            return f.textNode(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(odt));
        }
        if (value instanceof Temporal) {
            return f.textNode(value.toString());
        }
        if (value instanceof List<?> items) {
            ArrayNode array = f.arrayNode();
            items.forEach(item -> array.add(json(item)));
            return array;
        }
        return f.textNode(value.toString());
    }
}
