package io.syncline.ops;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses state-changing calls (anything but GET, HEAD and OPTIONS) that a browser sends on behalf
 * of another site: a form post from a page elsewhere would otherwise carry an operator's stored
 * credentials. Browsers say where a request comes from ({@code Sec-Fetch-Site}, {@code Origin});
 * clients that are not browsers (curl, scripts) send neither and are let through to authentication.
 */
public class CrossSiteGuard {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    @ServerRequestFilter
    public Response refuseCrossSite(ContainerRequestContext request) {
        if (SAFE_METHODS.contains(request.getMethod())) {
            return null;
        }
        String fetchSite = request.getHeaderString("Sec-Fetch-Site");
        if (fetchSite != null && !fetchSite.equalsIgnoreCase("same-origin") && !fetchSite.equalsIgnoreCase("none")) {
            return refused("the request comes from another site (Sec-Fetch-Site: " + fetchSite + ")");
        }
        String origin = request.getHeaderString("Origin");
        if (origin != null && !sameOrigin(origin, request.getHeaderString("Host"))) {
            return refused("the request comes from another origin (" + origin + ")");
        }
        return null;
    }

    private static boolean sameOrigin(String origin, String host) {
        if (host == null || origin.equals("null")) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return authority != null && authority.toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Response refused(String why) {
        return Response.status(Response.Status.FORBIDDEN).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "cross-site request refused: " + why)).build();
    }
}
