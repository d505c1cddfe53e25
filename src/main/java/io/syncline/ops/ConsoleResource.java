package io.syncline.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.syncline.reconcile.Reconciler;
import io.syncline.state.DeadLetter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The web console: the ops API as pages (Qute templates, plain forms, no script needed). The pairs with state,
 * reason, lag, counters and progress; a pair's cursors, dead letters (retry, discard), conflicts (base, A and B
 * side by side, resolve), dry run, record history, and pause, resume, resync and the mass-delete guard's
 * confirmation, each asked for again before it is done. Behind the API's login: viewers see, operators act
 * (each action calls the API's own method, with its role check). An action answers 303 back to the page it came
 * from, with what it did.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Roles.VIEWER, Roles.OPERATOR})
public class ConsoleResource {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    @Inject
    PairResource pairs;

    @Inject
    TwoWayResource twoWay;

    @Inject
    SecurityIdentity identity;

    /** One field of a conflict, side by side. */
    public record ConflictField(String field, Object base, Object a, Object b, boolean inConflict) {
    }

    /** An action the console asks about before doing it. */
    public record Confirmation(String action, String title, String consequence) {
    }

    private static final Map<String, Confirmation> CONFIRMATIONS = Map.of(
            "pause", new Confirmation("pause", "Pause the pair", "Its polls stop, here and after a restart, until it is resumed. Changes wait in the systems; nothing is lost."),
            "resume", new Confirmation("resume", "Resume the pair", "Its polls start again and catch up with what changed while it was paused."),
            "resync", new Confirmation("resync", "Resync the pair", "One way: the next poll reads the whole source again and rewrites every record. "
                    + "Two way: both sides are read again and every record is compared with its link; links and bases are kept."),
            "confirm-deletes", new Confirmation("confirm-deletes", "Apply the held-back deletes",
                    "The deletes the mass-delete guard held back are applied to the other side, and the pair resumes. Check the systems first."));

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance pairs(List<PairResource.PairView> pairs, boolean operator, String done);

        static native TemplateInstance pair(PairResource.PairView pair, boolean twoWay, List<DeadLetter> deadLetters,
                List<TwoWayResource.ConflictView> conflicts, boolean operator, String done);

        static native TemplateInstance conflict(String pair, TwoWayResource.ConflictView conflict, List<ConflictField> fields, boolean operator);

        static native TemplateInstance confirm(String pair, Confirmation confirmation);

        static native TemplateInstance dryRun(String pair, String report);

        static native TemplateInstance history(String pair, String id, String side, String field, TwoWayResource.HistoryView history, String missing);
    }

    private boolean operator() {
        return identity.hasRole(Roles.OPERATOR);
    }

    @Operation(hidden = true)
    @GET
    public TemplateInstance pairs(@QueryParam("done") String done) {
        return Templates.pairs(pairs.list(), operator(), done);
    }

    @Operation(hidden = true)
    @GET
    @Path("pairs/{pair}")
    public TemplateInstance pair(@PathParam("pair") String name, @QueryParam("done") String done) {
        PairResource.PairView view = pairs.get(name);
        boolean isTwoWay = view.twoWay() != null;
        List<DeadLetter> letters = "WAITING".equals(view.state()) ? List.of() : pairs.deadLetters(name, 100);
        List<TwoWayResource.ConflictView> open = isTwoWay && !"WAITING".equals(view.state()) ? twoWay.conflicts(name, 100) : List.of();
        return Templates.pair(view, isTwoWay, letters, open, operator(), done);
    }

    @Operation(hidden = true)
    @GET
    @Path("pairs/{pair}/conflicts/{aId}")
    public TemplateInstance conflict(@PathParam("pair") String name, @PathParam("aId") String aId) {
        TwoWayResource.ConflictView conflict = twoWay.conflicts(name, 10_000).stream().filter(c -> c.aId().equals(aId)).findFirst()
                .orElseThrow(() -> new WebApplicationException(Response.seeOther(page(name, "conflict " + aId + " is settled")).build()));
        Set<String> fields = new TreeSet<>(conflict.a().keySet());
        fields.addAll(conflict.b().keySet());
        List<ConflictField> rows = new ArrayList<>();
        for (String field : fields) {
            rows.add(new ConflictField(field, conflict.base() == null ? null : conflict.base().get(field), conflict.a().get(field),
                    conflict.b().get(field), conflict.fields().contains(field)));
        }
        return Templates.conflict(name, conflict, rows, operator());
    }

    @Operation(hidden = true)
    @POST
    @Path("pairs/{pair}/conflicts/{aId}/resolve")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response resolve(@PathParam("pair") String name, @PathParam("aId") String aId, @FormParam("choose") String choose) {
        twoWay.resolve(name, aId, new TwoWayResource.Decision(choose, null));
        return Response.seeOther(page(name, "conflict of record " + aId + " resolved: side " + choose + "'s values written to both sides")).build();
    }

    @Operation(hidden = true)
    @POST
    @Path("pairs/{pair}/dead-letters/{side}/{id}/retry")
    public Response retry(@PathParam("pair") String name, @PathParam("side") String side, @PathParam("id") String id) {
        return onDeadLetter(name, side, id, () -> pairs.retryDeadLetter(name, side, id), "tried again");
    }

    @Operation(hidden = true)
    @POST
    @Path("pairs/{pair}/dead-letters/{side}/{id}/discard")
    public Response discard(@PathParam("pair") String name, @PathParam("side") String side, @PathParam("id") String id) {
        return onDeadLetter(name, side, id, () -> pairs.discardDeadLetter(name, side, id), "discarded");
    }

    /** Acts on a dead letter and goes back to the pair's page saying what happened (also when it was gone already). */
    private static Response onDeadLetter(String pair, String side, String id, Runnable action, String done) {
        String letter = "dead letter " + side + "/" + id;
        try {
            action.run();
        } catch (jakarta.ws.rs.NotFoundException e) {
            return Response.seeOther(page(pair, letter + " is gone already: the record synced meanwhile")).build();
        }
        return Response.seeOther(page(pair, letter + " " + done)).build();
    }

    /** The question before an action: what it does, and a button that does it. */
    @Operation(hidden = true)
    @GET
    @Path("pairs/{pair}/confirm/{action}")
    public TemplateInstance confirm(@PathParam("pair") String name, @PathParam("action") String action) {
        pairs.get(name); // 404 for an unknown pair
        Confirmation confirmation = CONFIRMATIONS.get(action);
        if (confirmation == null) {
            throw new WebApplicationException(Response.status(404).type(MediaType.TEXT_PLAIN).entity("no action '" + action + "'").build());
        }
        return Templates.confirm(name, confirmation);
    }

    @Operation(hidden = true)
    @POST
    @Path("pairs/{pair}/{action: pause|resume|resync|confirm-deletes}")
    public Response act(@PathParam("pair") String name, @PathParam("action") String action) {
        String done = switch (action) {
            case "pause" -> {
                pairs.pause(name);
                yield "paused";
            }
            case "resume" -> {
                pairs.resume(name);
                yield "resumed";
            }
            case "resync" -> {
                pairs.resync(name);
                yield "resync started";
            }
            default -> {
                twoWay.confirmDeletes(name);
                yield "held-back deletes applied, the pair resumed";
            }
        };
        return Response.seeOther(page(name, done)).build();
    }

    @Operation(hidden = true)
    @GET
    @Path("pairs/{pair}/dry-run")
    public TemplateInstance dryRun(@PathParam("pair") String name) {
        Reconciler.Report report = twoWay.dryRun(name);
        try {
            return Templates.dryRun(name, JSON.writeValueAsString(report));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Operation(hidden = true)
    @GET
    @Path("pairs/{pair}/history")
    public TemplateInstance history(@PathParam("pair") String name, @QueryParam("id") String id, @QueryParam("side") @DefaultValue("a") String side,
            @QueryParam("field") String field) {
        if (id == null || id.isBlank()) {
            return Templates.history(name, "", side, field, null, null);
        }
        String only = field == null || field.isBlank() ? null : field.trim();
        try {
            return Templates.history(name, id.trim(), side, only, twoWay.history(name, id.trim(), side, only, 50), null);
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404) {
                return Templates.history(name, id.trim(), side, only, null, "no link and no history for record " + id.trim() + " of side " + side);
            }
            throw e;
        }
    }

    private static URI page(String pair, String done) {
        return UriBuilder.fromPath("/console/pairs/{pair}").queryParam("done", done).build(pair);
    }
}
