package io.syncline.ops;

import io.syncline.system.SystemException;
import io.syncline.value.Redaction;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A system that fails while the API works on it (a reconciliation, a decision, a dry run) answers
 * 503 with the reason, redacted as the log is: never the driver's full message with hosts or values.
 */
public class ApiErrors {

    private static final Logger LOG = Logger.getLogger(ApiErrors.class);

    @ServerExceptionMapper
    public Response systemFailed(SystemException e) {
        String reason = Redaction.firstLine(e);
        LOG.warnf("API: %s", reason);
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).type(MediaType.APPLICATION_JSON).entity(Map.of("error", reason)).build();
    }
}
