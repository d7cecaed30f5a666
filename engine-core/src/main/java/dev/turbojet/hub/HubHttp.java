package dev.turbojet.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP calls to the hub: a JDK {@link HttpClient} that never follows redirects by itself, so
 * that each hop is bounded and the token is sent only to the hub's own host, not to the CDN that
 * LFS downloads redirect to.
 */
final class HubHttp {
    static final int MAX_REDIRECTS = 10;

    private final HttpClient client;
    private final URI endpoint;
    private final Optional<String> token;
    private final Duration requestTimeout;

    HubHttp(URI endpoint, Optional<String> token, Duration connectTimeout, Duration requestTimeout) {
        this.endpoint = endpoint;
        this.token = token;
        this.requestTimeout = requestTimeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    URI endpoint() {
        return endpoint;
    }

    boolean hasToken() {
        return token.isPresent();
    }

    /**
     * {@code method} on {@code uri} with {@code headers}. Redirects are followed (at most
     * {@link #MAX_REDIRECTS}) unless {@code stopAtLinked} and the response carries the hub's
     * X-Linked-* headers (a HEAD on an LFS file: the metadata is on the redirect itself).
     */
    HttpResponse<InputStream> send(String method, URI uri, Map<String, String> headers, boolean stopAtLinked)
            throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(requestTimeout)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .header("User-Agent", "turbojet")
                    .header("Accept-Encoding", "identity");
            headers.forEach(b::header);
            if (token.isPresent() && sameHost(current)) b.header("Authorization", "Bearer " + token.get());
            HttpResponse<InputStream> r;
            try {
                r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            int status = r.statusCode();
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            Optional<String> location = r.headers().firstValue("Location");
            if (!redirect || location.isEmpty() || (stopAtLinked && isLinked(r.headers()))) return r;
            r.body().close();
            current = current.resolve(location.get());
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
    }

    static boolean isLinked(HttpHeaders h) {
        return h.firstValue("X-Linked-Etag").isPresent() || h.firstValue("X-Linked-Size").isPresent();
    }

    private boolean sameHost(URI uri) {
        return endpoint.getHost().equalsIgnoreCase(uri.getHost()) && port(endpoint) == port(uri);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
}
