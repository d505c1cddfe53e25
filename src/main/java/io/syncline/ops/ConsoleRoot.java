package io.syncline.ops;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** {@code /} leads to the console (which asks for the login). */
@Path("/")
@PermitAll
public class ConsoleRoot {

    @Operation(hidden = true)
    @GET
    public Response root() {
        return Response.seeOther(URI.create("/console")).build();
    }
}
