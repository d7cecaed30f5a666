package dev.turbojet.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turbojet.image.PngWriter;
import dev.turbojet.io.Variant;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.pipeline.GeneratedImage;
import dev.turbojet.pipeline.GenerationRequest;
import dev.turbojet.pipeline.PipelineOptions;
import dev.turbojet.pipeline.SdxlPipeline;
import dev.turbojet.testing.ReferenceKit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A server on a loopback ephemeral port in front of the tiny reference model, a real HTTP client,
 * and the library's own answer to compare with.
 */
final class ServerFixture implements AutoCloseable {
    /** One pipeline for every test of a JVM: the library side of each comparison, and the engine behind each server. */
    static final SdxlPipeline PIPELINE = SdxlPipeline.load(ReferenceKit.tiny(), new CpuOps(),
            PipelineOptions.defaults().withVariants(List.of(Variant.FP32)).withModelName("tiny-sdxl"));

    /** Every java.util.logging record at SEVERE (where Jetty's and Javalin's errors go) since the class loaded. */
    static final List<java.util.logging.LogRecord> SEVERE = Collections.synchronizedList(new ArrayList<>());

    static {
        java.util.logging.Logger.getLogger("").addHandler(new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) SEVERE.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    final TurbojetServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private ServerFixture(ServeOptions options) {
        server = TurbojetServer.start(options.withAddress("127.0.0.1", 0), log::add);
    }

    /** Started and ready on {@code engine}. */
    static ServerFixture ready(ServeOptions options, Engine engine) {
        ServerFixture f = new ServerFixture(options);
        f.server.ready(PIPELINE.modelName(), engine);
        return f;
    }

    static ServerFixture ready(ServeOptions options) {
        return ready(options, PIPELINE::generate);
    }

    /** Started, no model yet. */
    static ServerFixture loading(ServeOptions options) {
        return new ServerFixture(options);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<byte[]> post(String path, String json, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (headers.length > 0) b.headers(headers);
        return send(b.build());
    }

    HttpResponse<byte[]> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET();
        if (headers.length > 0) b.headers(headers);
        return send(b.build());
    }

    private HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JsonFields.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (status " + response.statusCode() + "): " + new String(response.body()), e);
        }
    }

    /** The PNG bytes the library alone gives for {@code request}, one per image. */
    static List<byte[]> library(GenerationRequest request) {
        List<byte[]> out = new ArrayList<>();
        for (GeneratedImage image : PIPELINE.generate(request)) out.add(PngWriter.toBytes(image.image(), image.info().toText()));
        return out;
    }

    static Map<String, String> headers(HttpResponse<?> r) {
        Map<String, String> out = new java.util.TreeMap<>();
        r.headers().map().forEach((k, v) -> out.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        return out;
    }

    @Override
    public void close() {
        server.close();
    }
}
