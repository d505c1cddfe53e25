package io.syncline.pair;

import io.syncline.system.Systems;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.camel.CamelContext;
import org.apache.camel.model.BeanFactoryDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.quarkus.main.events.AfterConfigure;
import org.jboss.logging.Logger;

/**
 * The pairs declared in {@code routes/}, validated once the route files are loaded and before any
 * route starts: an invalid pair file stops the server with a message naming file and field.
 */
@ApplicationScoped
public class Pairs {

    private static final Logger LOG = Logger.getLogger(Pairs.class);

    private final Map<String, Pair> byName = Collections.synchronizedMap(new TreeMap<>());

    @Inject
    Systems systems;

    @Inject
    Event<PairsReady> ready;

    /** Fired once every pair is valid, so that state and health can be set up for them. */
    public record PairsReady(Collection<Pair> pairs) {
    }

    void onRoutesLoaded(@Observes AfterConfigure event) {
        CamelContext context = event.getMain().getCamelContext();
        Map<String, String> files = new TreeMap<>();
        for (BeanFactoryDefinition<?> bean : context.getCamelContextExtension().getContextPlugin(Model.class).getCustomBeans()) {
            if (bean.getResource() != null) {
                files.put(bean.getName(), bean.getResource().getLocation());
            }
        }
        List<String> problems = new ArrayList<>();
        context.getRegistry().findByTypeWithName(Pair.class).forEach((name, pair) -> {
            try {
                pair.validate(name, files.getOrDefault(name, "(pair file unknown)"), systems);
                byName.put(name, pair);
            } catch (PairConfigException e) {
                problems.add(e.getMessage());
            }
        });
        if (!problems.isEmpty()) {
            throw new PairConfigException("Syncline cannot start: " + problems.size() + " invalid pair(s)\n" + String.join("\n", problems));
        }
        byName.values().forEach(p -> LOG.infof("%s from %s: validated", p, p.file()));
        ready.fire(new PairsReady(List.copyOf(byName.values())));
    }

    public Optional<Pair> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Pair get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown pair '" + name + "'; pairs: " + byName.keySet()));
    }

    public List<Pair> all() {
        return List.copyOf(byName.values());
    }
}
