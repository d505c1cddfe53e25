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
        problems.addAll(referenceProblems());
        if (!problems.isEmpty()) {
            throw new PairConfigException("Syncline cannot start: " + problems.size() + " invalid pair(s)\n" + String.join("\n", problems));
        }
        byName.values().forEach(p -> LOG.infof("%s from %s: validated", p, p.file()));
        byName.values().forEach(p -> (p.isTwoWay() ? List.of(p.side(Role.A), p.side(Role.B)) : List.of(p.source())).stream()
                .filter(side -> side.cursor() != null && side.cursor().nullable())
                .forEach(side -> LOG.warnf("%s: pair '%s': the change marker '%s' of %s may be NULL; polling cannot see a row whose marker"
                        + " is NULL until it is set (a full load lists such rows as dead letters)", p.file(), p.name(), side.cursor().name(),
                        side.reference())));
        ready.fire(new PairsReady(List.copyOf(byName.values())));
    }

    /** References to unknown or one-way pairs, and cycles of references (a parent must be applicable before its child). */
    private List<String> referenceProblems() {
        List<String> problems = new ArrayList<>();
        for (Pair pair : byName.values()) {
            for (Pair.Reference ref : pair.references()) {
                Pair parent = byName.get(ref.parent());
                if (parent == null || !parent.isTwoWay()) {
                    problems.add(pair.file() + ": pair '" + pair.name() + "' is invalid:\n  - mapping line " + ref.line() + ": field '" + ref.field()
                            + "' references " + (parent == null ? "unknown pair '" + ref.parent() + "'" : "one-way pair '" + ref.parent() + "'")
                            + "; two-way pairs: " + byName.values().stream().filter(Pair::isTwoWay).map(Pair::name).toList());
                } else {
                    List<String> path = cycle(parent, pair.name(), new ArrayList<>(List.of(pair.name())));
                    if (path != null) {
                        problems.add(pair.file() + ": pair '" + pair.name() + "' is invalid:\n  - mapping line " + ref.line() + ": field '" + ref.field()
                                + "': references form a cycle " + String.join(" -> ", path) + "; one of them must not be a ref(...)");
                    }
                }
            }
        }
        return problems;
    }

    /** The path from {@code from} back to {@code start} through references, or null. */
    private List<String> cycle(Pair from, String start, List<String> path) {
        path.add(from.name());
        if (from.name().equals(start)) {
            return path;
        }
        if (path.size() > byName.size() + 1) {
            return null;
        }
        for (Pair.Reference ref : from.references()) {
            Pair next = byName.get(ref.parent());
            if (next != null) {
                List<String> found = cycle(next, start, new ArrayList<>(path));
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
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
