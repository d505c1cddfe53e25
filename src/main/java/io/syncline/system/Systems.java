package io.syncline.system;

import io.syncline.system.http.HttpSystem;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.camel.CamelContext;

/** The configured systems by name. Adding one is configuration only. */
@ApplicationScoped
public class Systems {

    private final Map<String, ExternalSystem> byName = new TreeMap<>();

    /** A system whose URL is {@code http://} or {@code https://} is an HTTP API, any other a database. */
    @Inject
    public Systems(SynclineConfig config, CamelContext camel) {
        config.systems().forEach((name, connection) -> byName.put(name, HttpSystem.isHttp(connection.url())
                ? new HttpSystem(name, connection, camel) : new JdbcSystem(name, connection)));
    }

    public Optional<ExternalSystem> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The configured systems' names, for messages. */
    public String describeNames() {
        return byName.isEmpty() ? "(none configured)" : String.join(", ", byName.keySet());
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    @PreDestroy
    void close() {
        byName.values().forEach(ExternalSystem::close);
    }
}
