package io.syncline.system.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.syncline.system.SystemException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * An access token of the OAuth2 client-credentials grant, asked for when first needed and again
 * shortly before it expires (or when the API refuses it).
 */
final class OAuth2Token {

    private static final Duration EARLY = Duration.ofSeconds(30);

    private final HttpSystem system;
    private final String tokenUrl;
    private final String clientId;
    private final String secret;
    private final String scope;
    private String token;
    private Instant expires = Instant.MIN;

    OAuth2Token(HttpSystem system, String tokenUrl, String clientId, String secret, String scope) {
        this.system = system;
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.secret = secret;
        this.scope = scope;
    }

    synchronized String get() {
        if (token == null || Instant.now().isAfter(expires.minus(EARLY))) {
            String form = "grant_type=client_credentials" + (scope == null ? "" : "&scope=" + HttpSystem.encode(scope));
            HttpSystem.Response answer = system.sendUnsigned(ApiRequest.form(HttpSystem.uri(tokenUrl), form)
                    .header("Accept", "application/json")
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((HttpSystem.encode(clientId) + ":"
                            + HttpSystem.encode(secret)).getBytes(StandardCharsets.UTF_8))));
            if (!answer.ok()) {
                throw new SystemException("system '" + system.name() + "': the token endpoint refused the client credentials: "
                        + answer.describe(), null);
            }
            JsonNode body = answer.json();
            JsonNode accessToken = body.get("access_token");
            if (accessToken == null || !accessToken.isTextual()) {
                throw new SystemException("system '" + system.name() + "': the token endpoint's answer has no access_token", null);
            }
            token = accessToken.asText();
            expires = Instant.now().plusSeconds(body.has("expires_in") ? body.get("expires_in").asLong(3600) : 3600);
        }
        return token;
    }

    synchronized void expire() {
        token = null;
    }
}
