package dev.turbojet.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A Hugging Face hub on 127.0.0.1 serving a folder as one repository: the model API (sha and
 * siblings), resolve URLs answering like the hub (small files: 200 with the git blob SHA-1 as
 * ETag; *.safetensors: a 302 to an LFS URL carrying X-Linked-Etag (SHA-256) and X-Linked-Size),
 * Range requests, and faults on demand: a connection dropped after N bytes, corrupt bytes, a
 * required token. Public for the tests that resolve models through the library ({@code ModelResolutionTest}).
 */
public final class FakeHub implements AutoCloseable {
    public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    final String repo;
    final Map<String, byte[]> files = new TreeMap<>();
    public final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    /** file → bytes to send before dropping the connection, once. */
    final Map<String, Integer> dropOnce = new ConcurrentHashMap<>();
    final Set<String> corrupt = ConcurrentHashMap.newKeySet();
    volatile String requiredToken;
    private final HttpServer server;

    public FakeHub(String repo, Path folder, Map<String, byte[]> extra) throws IOException {
        this.repo = repo;
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(folder.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        files.putAll(extra);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Requests for one file name (resolve and LFS URLs). */
    List<String> requestsFor(String file) {
        String sha = lfs(file) ? sha256(files.get(file)) : "\0";
        return requests.stream().filter(r -> r.contains("/resolve/" + COMMIT + "/" + file + " ") || r.endsWith("/resolve/" + COMMIT + "/" + file)
                || r.contains("/lfs/" + sha)).toList();
    }

    static boolean lfs(String file) {
        return file.endsWith(".safetensors");
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String range = ex.getRequestHeaders().getFirst("Range");
            requests.add(ex.getRequestMethod() + " " + path + (range == null ? "" : " " + range));
            String token = requiredToken;
            if (token != null && !path.startsWith("/lfs/")
                    && !("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.sendResponseHeaders(401, -1);
                return;
            }
            String api = "/api/models/" + repo + "/revision/";
            String resolve = "/" + repo + "/resolve/";
            if (path.startsWith(api)) {
                StringBuilder json = new StringBuilder("{\"id\":\"" + repo + "\",\"sha\":\"" + COMMIT + "\",\"siblings\":[");
                int i = 0;
                for (String f : files.keySet()) json.append(i++ == 0 ? "" : ",").append("{\"rfilename\":\"").append(f).append("\"}");
                send(ex, 200, json.append("]}").toString().getBytes(StandardCharsets.UTF_8), null);
            } else if (path.startsWith(resolve)) {
                String rest = path.substring(resolve.length());
                String file = rest.substring(rest.indexOf('/') + 1);
                byte[] data = files.get(file);
                if (data == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                if (lfs(file)) {
                    String sha = sha256(data);
                    ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
                    ex.getResponseHeaders().add("X-Linked-Size", Long.toString(data.length));
                    ex.getResponseHeaders().add("ETag", "\"" + gitSha1(data) + "\"");
                    ex.getResponseHeaders().add("Location", "/lfs/" + sha);
                    ex.sendResponseHeaders(302, -1);
                } else {
                    ex.getResponseHeaders().add("ETag", "\"" + gitSha1(data) + "\"");
                    serve(ex, file, data, range);
                }
            } else if (path.startsWith("/lfs/")) {
                String sha = path.substring(5);
                String file = files.keySet().stream().filter(f -> lfs(f) && sha256(files.get(f)).equals(sha)).findFirst().orElse(null);
                if (file == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                serve(ex, file, files.get(file), range);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        } catch (IOException e) {
            // a deliberately dropped connection ends here
        }
    }

    private void serve(HttpExchange ex, String file, byte[] data, String range) throws IOException {
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", Integer.toString(data.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        byte[] body = data;
        if (corrupt.contains(file)) {
            body = data.clone();
            body[body.length / 2] ^= 0x55;
        }
        int from = 0;
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            if (from >= data.length) {
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
        }
        int status = from > 0 ? 206 : 200;
        Integer drop = dropOnce.remove(file);
        ex.sendResponseHeaders(status, data.length - from);
        OutputStream out = ex.getResponseBody();
        if (drop != null) {
            out.write(body, from, drop);
            out.flush();
            throw new IOException("dropping the connection after " + drop + " bytes");   // the exchange closes short
        }
        out.write(body, from, data.length - from);
    }

    private static void send(HttpExchange ex, int status, byte[] body, String type) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type == null ? "application/json" : type);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String gitSha1(byte[] data) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-1");
            d.update(("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d.digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
