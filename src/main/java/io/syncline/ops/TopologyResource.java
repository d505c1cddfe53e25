package io.syncline.ops;

import io.syncline.pair.Pair;
import io.syncline.pair.Pairs;
import io.syncline.pair.Topology;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** How the pairs join the systems: what start-up told (the tables several pairs sync, cycles, and their warnings). */
@Path("/api/topology")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.OPERATOR})
public class TopologyResource {

    @Inject
    Pairs pairs;

    /**
     * @param sharedTables each table ({@code system.table}) that more than one pair syncs -> those pairs
     * @param cycles       each cycle of pairs
     * @param warnings     cycles whose pairs' policies could decide a conflict differently
     */
    public record TopologyView(Map<String, List<String>> sharedTables, List<List<String>> cycles, List<String> warnings) {
    }

    @Operation(summary = "The tables that more than one pair syncs (stars, chains), the cycles of pairs, and warnings for cycles whose policies could disagree")
    @APIResponse(responseCode = "200", description = "the topology")
    @APIResponse(responseCode = "401", description = "no login")
    @GET
    public TopologyView topology() {
        Topology topology = pairs.topology();
        Map<String, Pair> ready = new LinkedHashMap<>();
        pairs.all().forEach(p -> ready.put(p.name(), p));
        return new TopologyView(new java.util.TreeMap<>(topology.pairsByTable()), topology.cycles(), topology.warnings(ready));
    }
}
