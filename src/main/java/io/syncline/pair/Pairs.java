package io.syncline.pair;

import io.syncline.system.SystemException;
import io.syncline.system.Systems;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.model.BeanFactoryDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.quarkus.main.events.AfterConfigure;
import org.jboss.logging.Logger;

/**
 * The pairs declared in {@code routes/}, validated once the route files are loaded and before any
 * route starts: an invalid pair file stops the server with a message naming file and field. A pair
 * whose system does not answer at start-up does not stop the server: it waits, DOWN with the reason,
 * and is validated again at each of its polls until the system answers.
 */
@ApplicationScoped
public class Pairs {

    private static final Logger LOG = Logger.getLogger(Pairs.class);

    private final Map<String, Pair> byName = Collections.synchronizedMap(new TreeMap<>());

    /** Pairs waiting for a system that did not answer, with the reason. */
    private final Map<String, Waiting> waiting = Collections.synchronizedMap(new TreeMap<>());

    private record Waiting(Pair pair, String reason) {
    }

    private volatile Topology topology = new Topology(Map.of(), List.of());

    @Inject
    Systems systems;

    @Inject
    io.syncline.system.SynclineConfig config;

    @Inject
    Event<PairsLoaded> ready;

    /**
     * Fired once every pair is valid or waits for its systems, before any route starts, so that state
     * and health can be set up for them.
     */
    public record PairsLoaded(Collection<Pair> pairs) {
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
            } catch (SystemException e) {
                waiting.put(name, new Waiting(pair, e.getMessage()));
                LOG.warnf("%s: pair '%s' waits: %s; it is checked again at each poll and starts once the system answers", pair.file(), name,
                        e.getMessage());
            }
        });
        allDeclared().forEach(pair -> problems.addAll(referenceProblems(pair)));
        problems.addAll(spellingProblems(byName.values()));
        if (config.validateOnly()) {
            waiting.forEach((name, w) -> problems.add(w.pair().file() + ": pair '" + name + "' cannot be checked: " + w.reason()));
        }
        if (!problems.isEmpty()) {
            throw new PairConfigException("Syncline cannot start: " + problems.size() + " invalid pair(s)\n" + String.join("\n", problems));
        }
        byName.values().forEach(Pairs::validated);
        topology = Topology.of(allDeclared());
        topology.description().forEach(line -> LOG.infof("topology: %s", line));
        topology.warnings(Map.copyOf(byName)).forEach(warning -> LOG.warnf("topology: %s", warning));
        ready.fire(new PairsLoaded(allDeclared())); // the routes are still built (their repositories, state and health set up)
        if (config.validateOnly()) {
            context.setAutoStartup(false); // but none starts, and the scheduler that triggers polls, reconciliation and
            context.getComponent("quartz", org.apache.camel.component.quartz.QuartzComponent.class).setAutoStartScheduler(false); // the demo stays off
            LOG.infof("validate-only: %d pair(s) valid against the configured systems (%s); exiting without starting them",
                    byName.size(), String.join(", ", byName.keySet()));
            io.quarkus.runtime.Quarkus.asyncExit(0);
        }
    }

    private static void validated(Pair p) {
        LOG.infof("%s from %s: validated", p, p.file());
        (p.isTwoWay() ? List.of(p.side(Role.A), p.side(Role.B)) : List.of(p.source())).stream()
                .filter(side -> side.cursor() != null && side.cursor().nullable())
                .filter(side -> "table".equals(side.system().entityKind())) // an API's declared fields say nothing of NULLs
                .forEach(side -> LOG.warnf("%s: pair '%s': the change marker '%s' of %s may be NULL; polling cannot see a row whose marker"
                        + " is NULL until it is set (a full load lists such rows as dead letters)", p.file(), p.name(), side.cursor().name(),
                        side.reference()));
    }

    /**
     * Makes a waiting pair ready: validates it again against its systems. Nothing to do for a pair
     * that is ready.
     *
     * @throws SystemException while a system still does not answer
     * @throws PairConfigException when the systems answer and show the pair file wrong (the pair keeps waiting, with that reason)
     */
    public void ensureReady(Pair pair) {
        if (!waiting.containsKey(pair.name())) {
            return; // the common path takes no lock
        }
        synchronized (pair) { // both sides' polls may ask; one validates, other pairs do not wait for it
            if (!waiting.containsKey(pair.name())) {
                return;
            }
            try {
                pair.validate(pair.name(), pair.file(), systems);
                List<String> problems = referenceProblems(pair); // its references are known only now
                if (!problems.isEmpty()) {
                    throw new PairConfigException(String.join("\n", problems));
                }
            } catch (RuntimeException e) { // the poll that asked logs it
                waiting.put(pair.name(), new Waiting(pair, e.getMessage()));
                throw e;
            }
            byName.put(pair.name(), pair); // ready before it stops waiting: never neither
            waiting.remove(pair.name());
            validated(pair);
        }
    }

    /** Why the pair is not ready, or null when it is. */
    public String waitingFor(String name) {
        Waiting w = waiting.get(name);
        return w == null ? null : w.reason();
    }

    /** A pair as declared, ready or waiting for its systems. */
    public Optional<Pair> declared(String name) {
        Waiting w = waiting.get(name);
        return w != null ? Optional.of(w.pair()) : find(name);
    }

    /** Every pair declared, ready or waiting. */
    public List<Pair> allDeclared() {
        List<Pair> all = new ArrayList<>(byName.values());
        waiting.values().forEach(w -> all.add(w.pair()));
        all.sort(Comparator.comparing(Pair::name));
        return all;
    }

    /** A pair's references to unknown or one-way pairs, and cycles of references (a parent must be applicable before its child). */
    private List<String> referenceProblems(Pair pair) {
        List<String> problems = new ArrayList<>();
        for (Pair.Reference ref : pair.references()) {
            Pair parent = declared(ref.parent()).orElse(null);
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
        return problems;
    }

    /** The path from {@code from} back to {@code start} through references, or null. */
    private List<String> cycle(Pair from, String start, List<String> path) {
        path.add(from.name());
        if (from.name().equals(start)) {
            return path;
        }
        if (path.size() > byName.size() + waiting.size() + 1) {
            return null;
        }
        for (Pair.Reference ref : from.references()) {
            Pair next = declared(ref.parent()).orElse(null);
            if (next != null) {
                List<String> found = cycle(next, start, new ArrayList<>(path));
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /**
     * One table named two ways by the pair files ({@code crm.customers} and {@code crm.public.customers}): the pairs that
     * share a table, and the echoes of writes that travel on through another pair, are told by the names the files write.
     */
    static List<String> spellingProblems(Collection<Pair> pairs) {
        Map<String, Map<String, String>> namesByTable = new TreeMap<>(); // resolved table -> written name -> first pair that wrote it
        for (Pair pair : pairs) {
            for (Side side : List.of(pair.source(), pair.target())) {
                String table = (side.system().name() + "." + side.table().qualifiedName()).toLowerCase(Locale.ROOT);
                namesByTable.computeIfAbsent(table, t -> new TreeMap<>()).putIfAbsent(Topology.key(side.reference()), pair.name());
            }
        }
        List<String> problems = new ArrayList<>();
        namesByTable.forEach((table, names) -> {
            if (names.size() > 1) {
                problems.add("table " + table + " is named " + names.entrySet().stream().map(n -> n.getKey() + " (pair '" + n.getValue() + "')")
                        .collect(Collectors.joining(" and ")) + ": write a table the same way in every pair file; the pairs that share a table"
                        + " are told by the name they give it");
            }
        });
        return problems;
    }

    /** The tables that more than one pair syncs, and the cycles of pairs. */
    public Topology topology() {
        return topology;
    }

    public Optional<Pair> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** A pair that is ready; throws for one that waits for its systems (with the reason) or is unknown. */
    public Pair get(String name) {
        String reason = waitingFor(name);
        if (reason != null) {
            throw new SystemException("pair '" + name + "' waits: " + reason, null);
        }
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown pair '" + name + "'; pairs: " + byName.keySet()));
    }

    public List<Pair> all() {
        return List.copyOf(byName.values());
    }
}
