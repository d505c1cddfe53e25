package io.syncline.system;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The configured systems by name. Adding one is configuration only. */
@ApplicationScoped
public class Systems {

    private final Map<String, JdbcSystem> byName = new TreeMap<>();

    @Inject
    public Systems(SynclineConfig config) {
        config.systems().forEach((name, connection) -> byName.put(name, new JdbcSystem(name, connection)));
    }

    public Optional<JdbcSystem> find(String name) {
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
        byName.values().forEach(JdbcSystem::close);
    }
}
