package io.syncline.testing;

import io.syncline.system.SynclineConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** A system's settings as configuration gives them, for tests that open a system themselves. */
public record SystemConnection(String url, String auth, Optional<String> token, Optional<String> username, Optional<String> password,
        Optional<String> tokenUrl, Map<String, SynclineConfig.Collection> entities) implements SynclineConfig.Connection {

    /** A database's settings: its URL and user. */
    public static SystemConnection database(String url, String user) {
        return new SystemConnection(url, "none", Optional.empty(), Optional.ofNullable(user), Optional.empty(), Optional.empty(), Map.of());
    }

    @Override
    public int maxConnections() {
        return 1;
    }

    @Override
    public String apiKeyHeader() {
        return "X-API-Key";
    }

    @Override
    public Optional<String> scope() {
        return Optional.empty();
    }

    @Override
    public Duration connectTimeout() {
        return Duration.ofSeconds(2);
    }

    @Override
    public Duration readTimeout() {
        return Duration.ofSeconds(5);
    }

    @Override
    public Optional<Double> requestsPerSecond() {
        return Optional.empty();
    }

    @Override
    public int maxAttempts() {
        return 2;
    }

    @Override
    public Optional<SynclineConfig.Webhook> webhook() {
        return Optional.empty();
    }
}
