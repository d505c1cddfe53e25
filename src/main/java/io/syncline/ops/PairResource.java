package io.syncline.ops;

import io.syncline.pair.Deletes;
import io.syncline.pair.Role;
import io.syncline.pair.Side;
import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.state.Conflicts;
import io.syncline.change.Window;
import io.syncline.state.DeadLetter;
import io.syncline.state.Inbox;
import io.syncline.write.TwoWayWriter;
import io.syncline.state.PendingChanges;
import io.syncline.state.References;
import io.syncline.state.PairStatus;
import io.syncline.state.DeadLetters;
import io.syncline.state.SyncState;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.DELETE;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The status API: what each pair is doing, its dead letters, and the operator's levers. */
@Path("/api/pairs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.OPERATOR})
public class PairResource {

    @Inject
    Pairs pairs;

    @Inject
    SyncState state;

    @Inject
    DeadLetters deadLetters;

    @Inject
    Conflicts conflicts;

    @Inject
    PendingChanges pendingChanges;

    @Inject
    References references;

    @Inject
    Inbox inbox;

    @Inject
    TwoWayWriter twoWayWriter;

    /**
     * @param stalenessSeconds how old a change may be that is not synced yet (since the start of the oldest of the sides' last
     *                         successful polls); null before the first
     * @param deleteGuard      why the mass-delete guard paused the pair, until an operator confirms the deletes; else null
     */
    public record PairView(String name, String source, String target, String file, String state, Instant lastPollStarted,
            Instant lastSuccessfulPoll, String lastError, Instant nextAttempt, String cursor, long rowsSynced, long links,
            long deadLetters, Long stalenessSeconds, String deleteGuard, FullLoad fullLoad, TwoWay twoWay) {
    }

    /**
     * A two-way pair's counters since start-up, and what waits for an operator.
     *
     * @param changesFromUsers per side ("a", "b"): the changes read there that users made
     * @param changesRelayed   per side: the changes read there that another pair wrote (a table that several pairs sync)
     * @param recordsAppliedAgain records applied again at once because they changed while their window applied them
     * @param chunksLockedAgain  chunks read again with both sides locked: rows read without locks changed or were held
     */
    public record TwoWay(String policy, String cursorB, long writtenA, long writtenB, long echoesSuppressed, long conflictsResolved,
            long conflictsOpen, long deleted, long pendingWindows, long parked, String applyError, int applyFailures, Instant nextApply,
            List<PairStatus.AppliedWindow> recentWindows, Map<String, Long> changesFromUsers,
            Map<String, Long> changesRelayed, long recordsAppliedAgain, long chunksLockedAgain) {
    }

    public record FullLoad(long done, long total) {
    }

    /** Every pair, those waiting for their systems too (state WAITING, the reason in lastError). */
    @Operation(summary = "Every pair: state, last poll, last error, cursor, counters, full-load progress (pairs waiting for their systems too)")
    @APIResponse(responseCode = "200", description = "the pairs")
    @APIResponse(responseCode = "401", description = "no login")
    @GET
    public List<PairView> list() {
        return pairs.allDeclared().stream().map(this::view).toList();
    }

    @Operation(summary = "One pair's state and counters (two way: also writes per side, echoes, conflicts, windows, parked records)")
    @APIResponse(responseCode = "200", description = "the pair")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @GET
    @Path("{pair}")
    public PairView get(@PathParam("pair") String name) {
        return view(declared(name));
    }

    @Operation(summary = "The pair's dead letters, newest first: side, record id, reason, the record, attempts")
    @APIResponse(responseCode = "200", description = "the dead letters")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @APIResponse(responseCode = "409", description = "the pair waits for a system that did not answer at start-up, or the conflict was settled meanwhile, or it is not that kind of pair")
    @GET
    @Path("{pair}/dead-letters")
    public List<DeadLetter> deadLetters(@PathParam("pair") String name, @QueryParam("limit") @DefaultValue("100") int limit) {
        return deadLetters.list(pair(name).name(), Math.max(1, Math.min(limit, 10_000)));
    }

    /**
     * Tries a pair's dead letters again, the records as their side holds them now (once their data, the
     * target's rule or the mapping is fixed). One way: read again from the source with the pair's next poll
     * (202). Two way: applied now, as a window of these records (200 with what it did). A record refused
     * again stays a dead letter, with the new reason.
     */
    @Operation(summary = "Try every dead letter of the pair again, as the records are now (one way: with the next poll, 202; two way: now, 200)")
    @APIResponse(responseCode = "200", description = "two way: applied now; what was written and how many are still dead letters")
    @APIResponse(responseCode = "202", description = "one way: read again with the next poll")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "403", description = "a viewer (operators act), or a browser request from another site")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @APIResponse(responseCode = "409", description = "the pair waits for a system that did not answer at start-up, or the conflict was settled meanwhile, or it is not that kind of pair")
    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("{pair}/dead-letters/retry")
    public Response retryDeadLetters(@PathParam("pair") String name) {
        Pair pair = pair(name);
        return retry(pair, deadLetters.list(pair.name(), 10_000));
    }

    @Operation(summary = "Try one dead letter again (side: the system's name, as the dead letter shows it)")
    @APIResponse(responseCode = "200", description = "two way: applied now; what was written and whether it is still a dead letter")
    @APIResponse(responseCode = "202", description = "one way: read again with the next poll")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "403", description = "a viewer (operators act), or a browser request from another site")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @APIResponse(responseCode = "409", description = "the pair waits for a system that did not answer at start-up, or the conflict was settled meanwhile, or it is not that kind of pair")
    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("{pair}/dead-letters/{side}/{id}/retry")
    public Response retryDeadLetter(@PathParam("pair") String name, @PathParam("side") String side, @PathParam("id") String id) {
        Pair pair = pair(name);
        return retry(pair, List.of(deadLetter(pair, side, id)));
    }

    /**
     * Discards a dead letter: the record is no longer tried (two way: no longer parked); it syncs again when it
     * changes.
     */
    @Operation(summary = "Discard a dead letter: the record is no longer tried until it changes")
    @APIResponse(responseCode = "200", description = "discarded")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "403", description = "a viewer (operators act), or a browser request from another site")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @APIResponse(responseCode = "409", description = "the pair waits for a system that did not answer at start-up, or the conflict was settled meanwhile, or it is not that kind of pair")
    @DELETE
    @RolesAllowed(Roles.OPERATOR)
    @Path("{pair}/dead-letters/{side}/{id}")
    public Map<String, Object> discardDeadLetter(@PathParam("pair") String name, @PathParam("side") String side, @PathParam("id") String id) {
        Pair pair = pair(name);
        DeadLetter letter = deadLetter(pair, side, id);
        deadLetters.discard(pair.name(), letter.side(), letter.recordId());
        if (pair.isTwoWay()) {
            references.unpark(pair.name(), role(pair, letter.side()).key(), letter.recordId());
        }
        return Map.of("pair", pair.name(), "side", letter.side(), "recordId", letter.recordId(), "discarded", true);
    }

    private Response retry(Pair pair, List<DeadLetter> letters) {
        if (!pair.isTwoWay()) {
            Map<String, List<String>> bySide = new java.util.TreeMap<>();
            letters.forEach(l -> bySide.computeIfAbsent(l.side(), k -> new java.util.ArrayList<>()).add(l.recordId()));
            bySide.forEach((side, ids) -> inbox.readAgain(pair.name(), side, ids));
            return Response.accepted(Map.of("pair", pair.name(), "retrying", letters.size(),
                    "message", "read again from " + pair.source().reference() + " with the pair's next poll")).build();
        }
        Window window = new Window(pair.name());
        letters.forEach(l -> window.add(role(pair, l.side()), List.of(l.recordId())));
        TwoWayWriter.Outcome outcome = twoWayWriter.apply(window);
        java.util.Set<String> still = new java.util.HashSet<>();
        deadLetters.list(pair.name(), 10_000).forEach(d -> still.add(d.side() + "/" + d.recordId()));
        long left = letters.stream().filter(l -> still.contains(l.side() + "/" + l.recordId())).count();
        return Response.ok(Map.of("pair", pair.name(), "retried", letters.size(), "writtenA", outcome.writtenA(), "writtenB", outcome.writtenB(),
                "stillDeadLetters", left)).build();
    }

    /** The pair's dead letter of a record of a side (named by its system), or 404. */
    private DeadLetter deadLetter(Pair pair, String side, String id) {
        return deadLetters.list(pair.name(), 10_000).stream().filter(l -> l.side().equals(side) && l.recordId().equals(id)).findFirst()
                .orElseThrow(() -> new NotFoundException(Response.status(404).type(MediaType.APPLICATION_JSON)
                        .entity(Map.of("error", "pair '" + pair.name() + "' has no dead letter for record " + id + " of side '" + side + "'"))
                        .build()));
    }

    private static Role role(Pair pair, String sideName) {
        return pair.side(Role.A).name().equals(sideName) ? Role.A : Role.B;
    }

    /**
     * One way: forgets cursor and hashes, the next poll reads the whole source and rewrites every record; the links go too,
     * unless the pair has deletes (reconciliation must still know the records deleted before).
     * Two way: both sides are read again from the start and every record compared with its link; links,
     * bases and tombstones are kept, so nothing deleted comes back and nothing is matched twice.
     */
    @Operation(summary = "One way: read the whole source again and rewrite every record. Two way: compare every record with its link again")
    @APIResponse(responseCode = "202", description = "the resync starts with the next poll(s)")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "403", description = "a viewer (operators act), or a browser request from another site")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @APIResponse(responseCode = "409", description = "the pair waits for a system that did not answer at start-up, or the conflict was settled meanwhile, or it is not that kind of pair")
    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("{pair}/resync")
    public Response resync(@PathParam("pair") String name) {
        Pair pair = pair(name);
        state.resetForResync(pair.name(), pair.isTwoWay() ? SyncState.Forget.NOTHING
                : pair.deletes().kind() == Deletes.Kind.IGNORE ? SyncState.Forget.LINKS : SyncState.Forget.HASHES);
        return Response.accepted(Map.of("pair", pair.name(), "message", pair.isTwoWay()
                ? "both sides are read again with the next polls and compared with the links" : "full resync starts with the next poll")).build();
    }

    @Operation(summary = "Stop the pair's polls (durable across restarts); a waiting pair too")
    @APIResponse(responseCode = "200", description = "the pair, paused")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "403", description = "a viewer (operators act), or a browser request from another site")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("{pair}/pause")
    public PairView pause(@PathParam("pair") String name) {
        Pair pair = declared(name); // a pair waiting for its systems too: it stays paused once they answer
        state.setPaused(pair.name(), pair.declaredSourceSystem(), true);
        return view(pair);
    }

    @Operation(summary = "Restart the pair's polls")
    @APIResponse(responseCode = "200", description = "the pair, polling again")
    @APIResponse(responseCode = "401", description = "no login")
    @APIResponse(responseCode = "403", description = "a viewer (operators act), or a browser request from another site")
    @APIResponse(responseCode = "404", description = "no such pair (or record, or dead letter)")
    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("{pair}/resume")
    public PairView resume(@PathParam("pair") String name) {
        Pair pair = declared(name); // a waiting pair left paused by the last run would otherwise never poll, nor get ready
        state.setPaused(pair.name(), pair.declaredSourceSystem(), false);
        return view(pair);
    }

    /** A pair that is ready: 404 for an unknown one, 409 for one that waits for its systems. */
    private Pair pair(String name) {
        String waitingFor = pairs.waitingFor(name);
        if (waitingFor != null) {
            throw waits(name, waitingFor);
        }
        return pairs.find(name).orElseThrow(() -> new NotFoundException(
                Response.status(404).type(MediaType.APPLICATION_JSON)
                        .entity(Map.of("error", "unknown pair '" + name + "'", "pairs", pairs.all().stream().map(Pair::name).toList()))
                        .build()));
    }

    /** A pair, ready or waiting for its systems; 404 for an unknown one. */
    private Pair declared(String name) {
        return pairs.declared(name).orElseGet(() -> pair(name));
    }

    /** 409: the pair cannot act before its systems answer. */
    static ClientErrorException waits(String pair, String reason) {
        return new ClientErrorException(Response.status(409).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "pair '" + pair + "' waits: " + reason)).build());
    }

    private PairView view(Pair pair) {
        PairStatus s = state.status(pair.name());
        if (pairs.waitingFor(pair.name()) != null) {
            return new PairView(pair.name(), pair.declaredSource(), pair.declaredTarget(), pair.file(), "WAITING", s.lastPollStarted(),
                    s.lastSuccess(), s.lastError(), s.nextAttempt(), null, 0, state.linkCount(pair.name()), deadLetters.count(pair.name()),
                    staleness(s, pair), s.deleteGuard(), null, null);
        }
        return new PairView(pair.name(), pair.source().reference(), pair.target().reference(), pair.file(), s.state().name(),
                s.lastPollStarted(), s.lastSuccess(), s.lastError(), s.nextAttempt(),
                cursor(pair, Role.A), state.rowsSynced(pair.name()),
                state.linkCount(pair.name()), deadLetters.count(pair.name()), staleness(s, pair), s.deleteGuard(),
                s.loadTotal() > 0 ? new FullLoad(s.loadDone(), s.loadTotal()) : null,
                pair.isTwoWay() ? new TwoWay(pair.policy().toString(), cursor(pair, Role.B),
                        s.written(Role.A), s.written(Role.B), s.echoes(), s.resolved(), conflicts.count(pair.name()), s.deleted(),
                        pendingChanges.pending(pair.name()), references.parkedCount(pair.name()), s.applyError(), s.applyFailures(),
                        s.nextApply(), s.recentWindows(), bySide(s::changesFromUsers), bySide(s::changesRelayed),
                        s.recordsAppliedAgain(), s.chunksLockedAgain()) : null);
    }

    /** Where the side's polls stand; a side without change marker has no cursor: each poll reads it whole. */
    private String cursor(Pair pair, Role role) {
        Side side = pair.side(role);
        return side.cursor() == null ? "none: read whole on every poll" : state.cursor(pair.name(), side.name()).toString();
    }

    private static Map<String, Long> bySide(java.util.function.ToLongFunction<Role> count) {
        return Map.of(Role.A.key(), count.applyAsLong(Role.A), Role.B.key(), count.applyAsLong(Role.B));
    }

    private static Long staleness(PairStatus s, Pair pair) {
        return s.lastSuccess() == null ? null : s.staleness(pair.polledSides()).toSeconds();
    }
}
