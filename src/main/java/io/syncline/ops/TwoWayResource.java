package io.syncline.ops;

import io.syncline.value.Values;
import io.syncline.value.RecordException;
import io.syncline.pair.Pair;
import io.syncline.pair.Role;
import io.syncline.pair.Pairs;
import io.syncline.reconcile.Reconciler;
import io.syncline.state.CanonicalJson;
import io.syncline.state.Conflicts;
import io.syncline.state.History;
import io.syncline.state.Links;
import io.syncline.write.TwoWayPlanner;
import io.syncline.write.TwoWayWriter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's levers of two-way pairs (conflicts waiting for review, the record history) and of every pair
 * (reconciliation, dry run, the mass-delete guard).
 */
@Path("/api/pairs/{pair}")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.OPERATOR})
public class TwoWayResource {

    @Inject
    Pairs pairs;

    @Inject
    Conflicts conflicts;

    @Inject
    Reconciler reconciler;

    @Inject
    TwoWayWriter writer;

    @Inject
    History history;

    @Inject
    Links links;

    public record ConflictView(String aId, String bId, List<String> fields, Map<String, Object> base, Map<String, Object> a,
            Map<String, Object> b, Instant detectedAt, Instant updatedAt) {
    }

    /** How an operator settles a conflict: {@code {"choose": "a"}}, {@code {"choose": "b"}} or {@code {"values": {...}}}. */
    public record Decision(String choose, Map<String, Object> values) {
    }

    @Operation(summary = "Conflicts waiting for an operator: fields, base, A and B values")
    @APIResponse(responseCode = "200", description = "the open conflicts")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @APIResponse(responseCode = "409", description = "the pair waits for a system that did not answer at start-up, or the conflict was settled meanwhile, or it is not that kind of pair")
    @GET
    @Path("conflicts")
    public List<ConflictView> conflicts(@PathParam("pair") String name, @QueryParam("limit") @DefaultValue("100") int limit) {
        Pair pair = twoWay(name);
        return conflicts.list(pair.name(), Math.max(1, Math.min(limit, 10_000))).stream()
                .map(c -> new ConflictView(c.aId(), c.bId(), c.fields(), c.base() == null ? null : CanonicalJson.plain(c.base()),
                        CanonicalJson.plain(c.a()), CanonicalJson.plain(c.b()), c.detectedAt(), c.updatedAt()))
                .toList();
    }

    /**
     * The operator's decision on the fields in conflict: those fields take the chosen side's values (or the
     * given ones) on both sides; every other field is resolved as usual, so an edit made meanwhile survives.
     * Values either side's mapping cannot write are refused (400) before anything is settled; a conflict
     * already resolved, or one whose record now conflicts on fields the decision leaves open, answers 409.
     */
    @Operation(summary = "Decide a conflict: {\"choose\": \"a\"|\"b\"} or {\"values\": {...}}; the decided fields are written to both sides")
    @APIResponse(responseCode = "200", description = "decided: the values written to both sides")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "400", description = "the decision is not valid, or a side's mapping cannot write a decided value (the conflict stays)")
    @APIResponse(responseCode = "403", description = "a viewer (operators act), or a browser request from another site")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @APIResponse(responseCode = "409", description = "the pair waits for a system that did not answer at start-up, or the conflict was settled meanwhile, or it is not that kind of pair")
    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("conflicts/{aId}/resolve")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> resolve(@PathParam("pair") String name, @PathParam("aId") String aId, Decision decision) {
        Pair pair = twoWay(name);
        Conflicts.Conflict conflict = conflicts.find(pair.name(), aId).orElseThrow(() -> notFound(
                "pair '" + pair.name() + "' has no conflict for record " + aId + " of side a"));
        if (decision == null || (decision.choose() == null) == (decision.values() == null)) {
            throw badRequest("send either {\"choose\": \"a\"} / {\"choose\": \"b\"} or {\"values\": {field: value, ...}}");
        }
        Map<String, Object> decided = new LinkedHashMap<>();
        if (decision.choose() != null) {
            Map<String, Object> chosen = switch (decision.choose()) {
                case "a" -> conflict.a();
                case "b" -> conflict.b();
                default -> throw badRequest("choose: '" + decision.choose() + "' is neither \"a\" nor \"b\"");
            };
            conflict.fields().forEach(field -> decided.put(field, chosen.get(field)));
        } else {
            decision.values().forEach((field, value) -> {
                if (!conflict.a().containsKey(field)) {
                    throw badRequest("values: '" + field + "' is not a canonical field of pair '" + pair.name() + "' " + conflict.a().keySet());
                }
                decided.put(field, like(field, value, conflict.a().get(field)));
            });
        }
        Map<String, Object> probe = new LinkedHashMap<>(conflict.a());
        probe.putAll(decided);
        try {
            pair.rules().values(Role.A, probe);
            pair.rules().values(Role.B, probe);
        } catch (RecordException e) {
            throw badRequest("values: " + e.getMessage() + "; the conflict stays open");
        }
        TwoWayWriter.Outcome outcome;
        try {
            outcome = writer.force(pair, aId, decided);
        } catch (TwoWayPlanner.NotSettled e) {
            throw new ClientErrorException(Response.status(409).type(MediaType.APPLICATION_JSON).entity(Map.of("error", e.getMessage())).build());
        }
        return Map.of("pair", pair.name(), "aId", aId, "bId", conflict.bId(), "values", CanonicalJson.plain(decided),
                "writtenA", outcome.writtenA(), "writtenB", outcome.writtenB());
    }

    /** A record's history: its link, what both sides agree on now, and the decisions that touched it, newest first. */
    public record HistoryView(String pair, String aId, String bId, Map<String, Object> agreed, List<History.Entry> decisions) {
    }

    /**
     * Why a field holds its value: the decisions about one record (by its id on side a, or on side b with
     * {@code side=b}), newest first, each with the fields it moved, the side that changed each, the rule that chose
     * and the sides written; {@code field} keeps the decisions about that field only. Sensitive fields show no values.
     */
    @Operation(summary = "A record's history: which side changed which fields, which rule decided, old and new values (newest first)")
    @APIResponse(responseCode = "200", description = "the record's link and decisions")
    @APIResponse(responseCode = "400", description = "side is neither a nor b, or the pair is one way")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "404", description = "no such pair, or the record has neither a link nor a history")
    @APIResponse(responseCode = "409", description = "the pair waits for a system that did not answer at start-up")
    @GET
    @Path("records/{id}/history")
    public HistoryView history(@PathParam("pair") String name, @PathParam("id") String id, @QueryParam("side") @DefaultValue("a") String side,
            @QueryParam("field") String field, @QueryParam("limit") @DefaultValue("50") int limit) {
        Pair pair = twoWay(name);
        if (!side.equals("a") && !side.equals("b")) {
            throw badRequest("side: '" + side + "' is neither a nor b");
        }
        Links.Link link = links.find(pair.name(), Role.of(side), List.of(id)).get(id);
        int most = Math.max(1, Math.min(limit, 1000));
        List<History.Entry> decisions = link != null ? history.of(pair.name(), Role.A, link.aId(), most) : history.of(pair.name(), Role.of(side), id, most);
        String aId = link != null ? link.aId() : decisions.isEmpty() ? null : decisions.get(0).aId();
        if (link == null && decisions.isEmpty()) {
            throw notFound("pair '" + pair.name() + "' has no link and no history for record " + id + " of side " + side);
        }
        if (field != null) {
            decisions = decisions.stream().map(d -> new History.Entry(d.aId(), d.bId(), d.at(), d.what(),
                    d.changes().stream().filter(c -> c.field().equals(field)).toList())).filter(d -> !d.changes().isEmpty()).toList();
        }
        Map<String, Object> agreed = null;
        if (link != null && link.base() != null) {
            agreed = new LinkedHashMap<>(CanonicalJson.plain(link.base()));
            agreed.replaceAll((f, v) -> pair.sensitiveFields().contains(f) && v != null ? History.SENSITIVE : v);
        }
        String bId = link != null ? link.bId() : decisions.isEmpty() ? null : decisions.get(0).bId();
        return new HistoryView(pair.name(), aId, bId, agreed, decisions);
    }

    @Operation(summary = "Compare both sides now (deletes, drift, unlinked records; one way: the source's deletes) and apply what is found")
    @APIResponse(responseCode = "200", description = "what it found and did")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "403", description = "a viewer (operators act), or a browser request from another site")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @APIResponse(responseCode = "409", description = "the pair waits for a system that did not answer at start-up, or the conflict was settled meanwhile, or it is not that kind of pair")
    @APIResponse(responseCode = "503", description = "a system does not answer")
    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("reconcile")
    public Reconciler.Report reconcile(@PathParam("pair") String name) {
        return reconciler.reconcile(ready(name).name());
    }

    @Operation(summary = "The same comparison without writing: what would be created, matched, updated, deleted")
    @APIResponse(responseCode = "200", description = "what it would do")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @APIResponse(responseCode = "409", description = "the pair waits for a system that did not answer at start-up, or the conflict was settled meanwhile, or it is not that kind of pair")
    @APIResponse(responseCode = "503", description = "a system does not answer")
    @GET
    @Path("dry-run")
    public Reconciler.Report dryRun(@PathParam("pair") String name) {
        return reconciler.dryRun(ready(name).name());
    }

    /** The operator has checked the systems: the deletes the guard held back are applied and the pair resumes. */
    @Operation(summary = "After the mass-delete guard paused the pair: apply the deletes it held back and resume")
    @APIResponse(responseCode = "200", description = "the deletes applied, the pair resumed")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "403", description = "a viewer (operators act), or a browser request from another site")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @APIResponse(responseCode = "409", description = "the pair waits for a system that did not answer at start-up, or the conflict was settled meanwhile, or it is not that kind of pair")
    @APIResponse(responseCode = "503", description = "a system does not answer")
    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("deletes/confirm")
    public Reconciler.Report confirmDeletes(@PathParam("pair") String name) {
        return reconciler.confirmDeletes(ready(name).name());
    }

    private Pair twoWay(String name) {
        Pair pair = ready(name);
        if (!pair.isTwoWay()) {
            throw badRequest("pair '" + name + "' is one way; conflicts and the record history belong to two-way pairs");
        }
        return pair;
    }

    /** A pair, one way or two way, that does not wait for its systems. */
    private Pair ready(String name) {
        String waitingFor = pairs.waitingFor(name);
        if (waitingFor != null) {
            throw PairResource.waits(name, waitingFor);
        }
        return pairs.find(name).orElseThrow(() -> notFound("unknown pair '" + name + "'"));
    }

    /** A JSON value in the canonical type of the field's current value. */
    private static Object like(String field, Object value, Object current) {
        if (value == null) {
            return null;
        }
        try {
            if (current instanceof Long && value instanceof Number n) {
                return n.longValue();
            }
            if (current instanceof BigDecimal && value instanceof Number n) {
                return new BigDecimal(n.toString());
            }
            if (current instanceof LocalDate && value instanceof String s) {
                return LocalDate.parse(s);
            }
            if (current instanceof LocalDateTime && value instanceof String s) {
                return LocalDateTime.parse(s);
            }
            if (current instanceof Instant && value instanceof String s) {
                return Instant.parse(s);
            }
        } catch (DateTimeParseException e) {
            throw badRequest("values: " + field + ": '" + value + "' is not a date or time like '" + current + "'");
        }
        return Values.canonical(value);
    }

    private static BadRequestException badRequest(String message) {
        return new BadRequestException(Response.status(400).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build());
    }

    private static NotFoundException notFound(String message) {
        return new NotFoundException(Response.status(404).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build());
    }
}
