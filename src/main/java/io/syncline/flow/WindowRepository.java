package io.syncline.flow;

import io.syncline.change.Change;
import io.syncline.change.Page;
import io.syncline.change.Window;
import io.syncline.pair.Role;
import io.syncline.state.PendingChanges;
import io.syncline.write.Faults;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.AggregationRepository;
import org.apache.camel.support.DefaultExchange;

/**
 * The aggregation repositories of two-way pairs' windows: each pair's aggregator uses its own,
 * registered as the bean {@code pendingChanges-<pair>} (two aggregators sharing one repository would
 * complete each other's windows). The open window of a pair (correlation key = the pair's name) lives
 * in memory here and durably in {@link PendingChanges}; a page added to it counts as written once it is
 * stored there, with its side's cursor. Plain repositories, not recoverable ones: windows left by a
 * stop or a failed apply are applied by Syncline's own recovery (io.syncline.write.WindowRecovery),
 * which goes on after a failure where Camel's recovery task would stop for good.
 */
@ApplicationScoped
public class WindowRepository {

    @Inject
    PendingChanges store;

    @Inject
    Faults faults;

    private final Map<String, Exchange> open = new ConcurrentHashMap<>();

    /** The bean name of a pair's aggregation repository, as its pair file names it. */
    public static String beanName(String pair) {
        return "pendingChanges-" + pair;
    }

    /** The aggregation repository of one pair's window. */
    public AggregationRepository repository(String pair) {
        return new Repository(pair);
    }

    private Exchange add(String pair, Exchange exchange) {
        Window window = exchange.getMessage().getBody(Window.class);
        List<Page> pages = window.takeUnsaved();
        if (!pages.isEmpty()) {
            try {
                faults.at(pair, Faults.BEFORE_WINDOW_STORE, pages.stream().filter(p -> p.role() == Role.A)
                        .flatMap(p -> p.staged().stream()).map(Change::recordId).toList());
                store.store(pair, pages.stream().map(p -> new PendingChanges.StoredPage(p.role(), p.side().name(), hashes(p), p.end(), p.resyncs())).toList());
            } catch (RuntimeException e) {
                // the window holds what the store holds, as after a crash: these pages' cursors did not move, they are read again
                open.remove(pair);
                pages.forEach(p -> p.written().completeExceptionally(e));
                throw e;
            }
            pages.forEach(p -> p.written().complete(p.staged().size()));
        }
        open.put(pair, exchange);
        return exchange;
    }

    private static Map<String, String> hashes(Page page) {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (Change change : page.staged()) {
            hashes.put(change.recordId(), change.hash());
        }
        return hashes;
    }

    private Exchange get(CamelContext context, String pair) {
        Exchange cached = open.get(pair);
        if (cached != null) {
            return cached;
        }
        Window window = new Window(pair);
        store.open(pair).forEach(window::add);
        if (window.size() == 0) {
            return null;
        }
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(window);
        open.put(pair, exchange);
        return exchange;
    }

    private final class Repository implements AggregationRepository {
        private final String pair;

        Repository(String pair) {
            this.pair = pair;
        }

        @Override
        public Exchange add(CamelContext context, String key, Exchange exchange) {
            return WindowRepository.this.add(key, exchange);
        }

        @Override
        public Exchange get(CamelContext context, String key) {
            return WindowRepository.this.get(context, key);
        }

        @Override
        public void remove(CamelContext context, String key, Exchange exchange) {
            // a completion other than the interval (completionSize, a predicate) closes the window on a page that add() has
            // not stored: it is stored first, with its cursor, so that the window holds it durably as it holds the others
            WindowRepository.this.add(key, exchange);
            store.close(key, exchange.getExchangeId());
            exchange.getMessage().getBody(Window.class).closedAs(exchange.getExchangeId());
            open.remove(key);
        }

        @Override
        public void confirm(CamelContext context, String exchangeId) {
            store.forget(pair, exchangeId);
        }

        @Override
        public Set<String> getKeys() {
            return store.keys(pair);
        }
    }
}
