package io.syncline.system.http;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** One request to an API, as {@link HttpSystem#send} sends it: method, URI, headers and an optional body. */
final class ApiRequest {

    private final String method;
    private final URI uri;
    private final String body;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private ApiRequest(String method, URI uri, String body, String contentType) {
        this.method = method.toUpperCase(Locale.ROOT);
        this.uri = uri;
        this.body = body;
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
    }

    static ApiRequest get(URI uri) {
        return new ApiRequest("GET", uri, null, null);
    }

    static ApiRequest delete(URI uri) {
        return new ApiRequest("DELETE", uri, null, null);
    }

    /** A POST, PUT or PATCH of a JSON body. */
    static ApiRequest json(String method, URI uri, String json) {
        return new ApiRequest(method, uri, json, "application/json");
    }

    /** A POST of an HTML form ({@code application/x-www-form-urlencoded}). */
    static ApiRequest form(URI uri, String form) {
        return new ApiRequest("POST", uri, form, "application/x-www-form-urlencoded");
    }

    /** Sets a header, replacing one of the same name. */
    ApiRequest header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    String method() {
        return method;
    }

    URI uri() {
        return uri;
    }

    /** The body, or null. */
    String body() {
        return body;
    }

    Map<String, String> headers() {
        return headers;
    }
}
