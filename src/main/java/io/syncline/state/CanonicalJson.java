package io.syncline.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.value.Values;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Canonical records as JSON in the state store (a link's base, a conflict's sides). Each value is
 * kept in its typed text form ({@link Values#hashForm}), so that it reads back as the same type.
 */
public final class CanonicalJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> TEXT_MAP = new TypeReference<>() {
    };

    private CanonicalJson() {
    }

    public static String write(Map<String, Object> canonical) {
        if (canonical == null) {
            return null;
        }
        Map<String, String> typed = new LinkedHashMap<>();
        canonical.forEach((k, v) -> typed.put(k, v == null ? null : Values.hashForm(v)));
        try {
            return JSON.writeValueAsString(typed);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, Object> read(String json) {
        if (json == null) {
            return null;
        }
        try {
            Map<String, Object> canonical = new LinkedHashMap<>();
            JSON.readValue(json, TEXT_MAP).forEach((k, v) -> canonical.put(k, value(v)));
            return canonical;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("state store: unreadable canonical record " + json, e);
        }
    }

    /** Plain JSON values (what an operator sends to resolve a conflict) for the same record. */
    public static Map<String, Object> plain(Map<String, Object> canonical) {
        Map<String, Object> plain = new LinkedHashMap<>();
        canonical.forEach((k, v) -> plain.put(k, v instanceof Instant || v instanceof LocalDate || v instanceof LocalDateTime ? v.toString() : v));
        return plain;
    }

    private static Object value(String typed) {
        if (typed == null || typed.isEmpty() || typed.charAt(0) == '\u0000') {
            return null;
        }
        String text = typed.substring(1);
        switch (typed.charAt(0)) {
            case 'n':
                try {
                    return Long.valueOf(text);
                } catch (NumberFormatException e) {
                    return new BigDecimal(text);
                }
            case 'b':
                return Boolean.valueOf(text);
            case 'x':
                return HexFormat.of().parseHex(text);
            case 't':
                if (text.endsWith("Z")) {
                    return Instant.parse(text);
                }
                return text.contains("T") ? LocalDateTime.parse(text) : LocalDate.parse(text);
            default:
                return text;
        }
    }
}
