package io.syncline.flow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.change.Page;
import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.pair.Side;
import io.syncline.read.JdbcReader;
import io.syncline.state.Inbox;
import io.syncline.state.PairStatus;
import io.syncline.state.SyncState;
import io.syncline.system.http.HttpSystem;
import io.syncline.system.http.Webhooks;
import io.syncline.value.Redaction;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.jboss.logging.Logger;

/**
 * Takes the webhooks of a pair's HTTP side (the {@code syncline-webhook} Kamelet): a one-way pair's source, or the
 * side of a two-way pair whose API has webhook settings. It checks the signature,
 * stores the delivery in the inbox, and only then lets the sender be answered 202; the records it names are
 * read from the API as it holds them now (a late or repeated delivery never brings an older state back) and
 * handed to the pair's apply route as a page that leaves the poll cursor where it is (a two-way pair's window takes
 * it like a poll's page). A delivery that is
 * stored but cannot be applied now (the API or the target down, the pair paused) is applied by the pair's
 * next poll. Answers: 401 signature, 400 body, 413 size, 404 a pair that takes no webhooks, 503 a pair
 * whose systems do not answer yet (nothing stored: the sender delivers again), 200 a redelivery.
 */
@ApplicationScoped
@Named("webhooks")
public class WebhookReceiver {

    private static final Logger LOG = Logger.getLogger(WebhookReceiver.class);
    private static final String DELIVERY = "SynclineDelivery";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Pairs pairs;

    @Inject
    Inbox inbox;

    @Inject
    JdbcReader reader;

    @Inject
    SyncState state;

    @Inject
    CamelContext camel;

    /** Deliveries written, to be marked applied in the inbox: in batches, off the pair's write thread. */
    private record Applied(String pair, String side, String delivery) {
    }

    private final ConcurrentLinkedQueue<Applied> applied = new ConcurrentLinkedQueue<>();
    private ScheduledExecutorService marker;

    @PostConstruct
    void start() {
        marker = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "syncline-webhook-inbox");
        marker.scheduleWithFixedDelay(this::markApplied, 200, 200, TimeUnit.MILLISECONDS);
    }

    /**
     * Marks the deliveries written since the last time applied. One that is written but not marked yet (a stop in
     * between) is applied again by the next poll: its records are read as they are, unchanged, skipped.
     */
    private void markApplied() {
        Map<List<String>, List<String>> bySide = new java.util.HashMap<>();
        for (Applied a = applied.poll(); a != null; a = applied.poll()) {
            bySide.computeIfAbsent(List.of(a.pair(), a.side()), k -> new java.util.ArrayList<>()).add(a.delivery());
        }
        bySide.forEach((pairSide, deliveries) -> {
            try {
                inbox.applied(pairSide.get(0), pairSide.get(1), deliveries);
            } catch (RuntimeException e) {
                LOG.warnf("pair '%s': %d webhook deliveries written but not marked applied (%s); the next poll reads them again",
                        pairSide.get(0), deliveries.size(), Redaction.firstLine(e));
            }
        });
    }

    /** Checks and stores a delivery; leaves the page to apply as the body, or answers and stops the route. */
    public void receive(String pairName, Exchange exchange) {
        Message in = exchange.getMessage();
        Optional<Pair> declared = pairs.declared(pairName);
        if (declared.isEmpty()) {
            answer(exchange, 404, json("error", "no pair '" + pairName + "'"));
            return;
        }
        Pair pair = declared.get();
        try {
            pairs.ensureReady(pair);
        } catch (RuntimeException e) {
            answer(exchange, 503, json("error", "pair '" + pairName + "' is not ready: its systems do not answer yet; deliver again later"));
            return;
        }
        List<Side> taking = webhookSides(pair);
        if (taking.size() != 1) {
            answer(exchange, 404, json("error", taking.isEmpty() ? "pair '" + pairName + "' takes no webhooks: a pair whose source (one way)"
                    + " or one of whose sides (two way) is an HTTP system with webhook settings does"
                    : "pair '" + pairName + "' has two sides that take webhooks; one endpoint takes one side's: set webhook settings on one"));
            return;
        }
        Side side = taking.get(0);
        HttpSystem api = (HttpSystem) side.system();
        byte[] body = in.getBody(byte[].class);
        Webhooks.Delivery delivery;
        try {
            delivery = api.receive(side.reference().substring(side.reference().indexOf('.') + 1), name -> in.getHeader(name, String.class),
                    body == null ? new byte[0] : body);
        } catch (Webhooks.Refused refused) {
            LOG.warnf("pair '%s': a webhook refused (%d): %s", pairName, refused.status(), refused.getMessage());
            answer(exchange, refused.status(), json("error", refused.getMessage()));
            return;
        }
        if (!inbox.store(pair.name(), side.name(), delivery.id(), delivery.recordIds())) {
            answer(exchange, 200, json(Map.of("delivery", delivery.id(), "duplicate", true)));
            return;
        }
        exchange.setProperty(DELIVERY, delivery);
        if (state.status(pair.name()).state() == PairStatus.State.PAUSED) {
            answer(exchange, 202, accepted(delivery, "stored; the pair is paused: applied by its first poll once resumed"));
            return;
        }
        Page page;
        try {
            page = reader.delivered(pair, side, delivery.recordIds());
        } catch (RuntimeException e) {
            LOG.warnf("pair '%s': webhook delivery %s stored, not applied now (%s); the next poll applies it", pairName, delivery.id(),
                    Redaction.firstLine(e));
            answer(exchange, 202, accepted(delivery, "stored; applied by the next poll"));
            return;
        }
        page.written().thenRun(() -> applied.add(new Applied(pair.name(), side.name(), delivery.id())));
        in.setBody(page);
    }

    /** The sides whose API's webhooks the pair's endpoint takes: a one-way pair's source, either side of a two-way pair. */
    private static List<Side> webhookSides(Pair pair) {
        List<Side> sides = pair.isTwoWay() ? List.of(pair.side("a"), pair.side("b")) : List.of(pair.source());
        return sides.stream().filter(s -> s.system() instanceof HttpSystem api && api.takesWebhooks()).toList();
    }

    /** The answer to a delivery that went on to the apply route. */
    public void answer(Exchange exchange) {
        Webhooks.Delivery delivery = exchange.getProperty(DELIVERY, Webhooks.Delivery.class);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(accepted(delivery, "stored; being applied"));
    }

    private static String accepted(Webhooks.Delivery delivery, String what) {
        return json(Map.of("delivery", delivery.id(), "records", delivery.recordIds().size(), "status", what));
    }

    private static void answer(Exchange exchange, int status, String body) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(body);
        exchange.setRouteStop(true);
    }

    private static String json(String field, String value) {
        return json(Map.of(field, value));
    }

    private static String json(Map<String, Object> answer) {
        try {
            return JSON.writeValueAsString(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
