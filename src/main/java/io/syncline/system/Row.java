package io.syncline.system;

import java.util.Map;

/**
 * A record as one side holds it now: its values by lower-case column name, and its change marker
 * (a timestamp, an instant or a version).
 */
public record Row(Map<String, Object> values, Object marker) {
}
