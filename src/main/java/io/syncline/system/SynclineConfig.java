package io.syncline.system;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Syncline's typed configuration: the systems it syncs, and its own state store. */
@ConfigMapping(prefix = "syncline")
public interface SynclineConfig {

    /** The systems, by name: {@code syncline.systems.crm.url=jdbc:postgresql://...}. */
    Map<String, Connection> systems();

    /** Syncline's own database: links, cursors, dead letters. */
    Connection state();

    /** The embedded demo's users, who edit records so that a newcomer sees them move. */
    Demo demo();

    /** For tests only: commit points where a window's apply fails once, {@code pair:point}, e.g. {@code people:before-sides-commit}. */
    Optional<List<String>> faults();

    interface Demo {
        @WithDefault("false")
        boolean enabled();
    }

    interface Connection {
        String url();

        Optional<String> username();

        /** Give it through the environment, e.g. SYNCLINE_SYSTEMS_CRM_PASSWORD; never in a committed file. */
        Optional<String> password();

        @WithDefault("8")
        int maxConnections();
    }
}
