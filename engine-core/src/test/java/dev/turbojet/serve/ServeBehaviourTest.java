package dev.turbojet.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turbojet.pipeline.GeneratedImage;
import dev.turbojet.pipeline.GenerationRequest;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operations side, over real HTTP: readiness, the bounded queue, latest-wins slots, timeouts,
 * cancellation when the client goes away, the API key, the size limit, graceful shutdown. A gated
 * engine holds each generation until the test lets it run, so the queue's states are exact.
 */
class ServeBehaviourTest {
    /** The tiny model behind a gate: each generation waits for a permit; {@link #started} counts those that began. */
    static final class GatedEngine implements Engine {
        final Semaphore permits = new Semaphore(0);
        final Semaphore started = new Semaphore(0);
        final List<String> prompts = Collections.synchronizedList(new ArrayList<>());

        @Override
        public List<GeneratedImage> generate(GenerationRequest request) {
            prompts.add(request.prompts().getFirst());
            started.release();
            permits.acquireUninterruptibly();
            return ServerFixture.PIPELINE.generate(request);
        }

        void awaitStarted(int n) throws InterruptedException {
            assertTrue(started.tryAcquire(n, 30, TimeUnit.SECONDS), "generations started");
        }
    }

    private static String realtime(String client, String prompt) {
        return """
                {"client": "%s", "prompt": "%s", "seed": 1, "width": 64, "height": 64}""".formatted(client, prompt);
    }

    private static CompletableFuture<HttpResponse<byte[]>> postAsync(ServerFixture f, String path, String json, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(f.uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (headers.length > 0) b.headers(headers);
        return f.http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 20 s: " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void healthIs503UntilTheModelIsLoadedAndGenerationsWaitForIt() {
        try (ServerFixture f = ServerFixture.loading(ServeOptions.defaults())) {
            HttpResponse<byte[]> health = f.get("/health");
            assertEquals(503, health.statusCode());
            assertEquals("loading", ServerFixture.json(health).get("status").textValue());
            HttpResponse<byte[]> early = f.post(OpenAiImages.ROUTE, "{\"prompt\": \"a\", \"size\": \"64x64\"}");
            assertEquals(503, early.statusCode());
            assertTrue(ServerFixture.headers(early).containsKey("retry-after"));
            assertEquals("server_busy", ServerFixture.json(early).get("error").get("type").textValue());

            f.server.ready(ServerFixture.PIPELINE.modelName(), ServerFixture.PIPELINE::generate);
            assertEquals(200, f.get("/health").statusCode());
            assertEquals(200, f.post(OpenAiImages.ROUTE, "{\"prompt\": \"a\", \"size\": \"64x64\"}").statusCode());
        }
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        GatedEngine engine = new GatedEngine();
        try (ServerFixture f = ServerFixture.ready(ServeOptions.defaults().withQueueCapacity(1), engine)) {
            var running = postAsync(f, OpenAiImages.ROUTE, "{\"prompt\": \"one\", \"size\": \"64x64\", \"seed\": 1}");
            engine.awaitStarted(1);
            var queued = postAsync(f, OpenAiImages.ROUTE, "{\"prompt\": \"two\", \"size\": \"64x64\", \"seed\": 2}");
            eventually("one job queued", () -> f.server.queueDepth() == 1);
            HttpResponse<byte[]> refused = f.post(OpenAiImages.ROUTE, "{\"prompt\": \"three\", \"size\": \"64x64\"}");
            assertEquals(503, refused.statusCode());
            assertTrue(Integer.parseInt(ServerFixture.headers(refused).get("retry-after")) >= 1);
            assertTrue(ServerFixture.json(refused).get("error").get("message").textValue().contains("queue is full"));
            engine.permits.release(2);
            assertEquals(200, running.get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(200, queued.get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(List.of("one", "two"), engine.prompts);
            assertTrue(new String(f.get("/metrics").body()).contains("turbojet_jobs_refused_total{reason=\"queue_full\"} 1"));
        }
    }

    @Test
    void theNewestRealtimeRequestOfAClientReplacesItsQueuedOne() throws Exception {
        GatedEngine engine = new GatedEngine();
        try (ServerFixture f = ServerFixture.ready(ServeOptions.defaults(), engine)) {
            var first = postAsync(f, "/realtime", realtime("page", "a"));
            engine.awaitStarted(1);
            var second = postAsync(f, "/realtime", realtime("page", "a b"));
            eventually("second queued", () -> f.server.queueDepth() == 1);
            var other = postAsync(f, "/realtime", realtime("another page", "x"));
            eventually("other client queued beside it", () -> f.server.queueDepth() == 2);
            var third = postAsync(f, "/realtime", realtime("page", "a b c"));
            HttpResponse<byte[]> superseded = second.get(30, TimeUnit.SECONDS);
            assertEquals(409, superseded.statusCode());
            assertEquals("superseded", ServerFixture.json(superseded).get("error").get("type").textValue());
            assertEquals(2, f.server.queueDepth(), "the third took the second's place");
            engine.permits.release(3);
            assertEquals(200, first.get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(200, other.get(30, TimeUnit.SECONDS).statusCode());
            HttpResponse<byte[]> newest = third.get(30, TimeUnit.SECONDS);
            assertEquals(200, newest.statusCode());
            assertArrayEquals(ServerFixture.library(GenerationRequest.builder("a b c").size(64, 64).seed(1).build()).getFirst(), newest.body());
            assertEquals(List.of("a", "x", "a b c"), engine.prompts, "the stale prompt never ran");
        }
    }

    @Test
    void aRequestPastItsTimeoutIs504AndItsJobIsDropped() throws Exception {
        GatedEngine engine = new GatedEngine();
        try (ServerFixture f = ServerFixture.ready(ServeOptions.defaults().withTimeout(Duration.ofMillis(300)), engine)) {
            var running = postAsync(f, OpenAiImages.ROUTE, "{\"prompt\": \"slow\", \"size\": \"64x64\"}");
            engine.awaitStarted(1);
            HttpResponse<byte[]> late = f.post(OpenAiImages.ROUTE, "{\"prompt\": \"late\", \"size\": \"64x64\"}");
            assertEquals(504, late.statusCode());
            assertEquals("timeout", ServerFixture.json(late).get("error").get("type").textValue());
            assertEquals(0, f.server.queueDepth(), "the timed-out job left the queue");
            engine.permits.release(10);
            assertEquals(504, running.get(30, TimeUnit.SECONDS).statusCode(), "the running one timed out too");
            eventually("the running job stopped", () -> new String(f.get("/metrics").body()).contains("turbojet_generation_seconds_count 1"));
            assertEquals(List.of("slow"), engine.prompts, "the late job never ran");
        }
    }

    @Test
    void aClientThatGoesAwayHasItsQueuedRequestCancelled() throws Exception {
        GatedEngine engine = new GatedEngine();
        try (ServerFixture f = ServerFixture.ready(ServeOptions.defaults(), engine)) {
            var running = postAsync(f, OpenAiImages.ROUTE, "{\"prompt\": \"first\", \"size\": \"64x64\"}");
            engine.awaitStarted(1);
            byte[] body = "{\"prompt\": \"abandoned\", \"size\": \"64x64\"}".getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("127.0.0.1", f.server.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + OpenAiImages.ROUTE + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                eventually("the request queued", () -> f.server.queueDepth() == 1);
            }
            eventually("the abandoned request left the queue", () -> f.server.queueDepth() == 0);
            engine.permits.release(10);
            assertEquals(200, running.get(30, TimeUnit.SECONDS).statusCode());
            assertTrue(new String(f.get("/metrics").body()).contains("turbojet_jobs_refused_total{reason=\"cancelled\"} 1"));
            assertEquals(List.of("first"), engine.prompts, "the abandoned request never ran");
        }
    }

    @Test
    void anApiKeyGuardsEverythingButHealthAndThePage() {
        try (ServerFixture f = ServerFixture.ready(ServeOptions.defaults().withApiKey(Optional.of("s3cret")))) {
            String body = "{\"prompt\": \"a\", \"size\": \"64x64\"}";
            HttpResponse<byte[]> none = f.post(OpenAiImages.ROUTE, body);
            assertEquals(401, none.statusCode());
            assertEquals("authentication_error", ServerFixture.json(none).get("error").get("type").textValue());
            assertEquals("Bearer", ServerFixture.headers(none).get("www-authenticate"));
            assertEquals(401, f.post(OpenAiImages.ROUTE, body, "Authorization", "Bearer wrong").statusCode());
            assertEquals(401, f.get("/metrics").statusCode());
            assertEquals(401, f.get("/sdapi/v1/sd-models").statusCode());
            assertEquals(401, f.post("/sdapi/v1/txt2img", "{}").statusCode());
            assertEquals(200, f.get("/health").statusCode());
            assertEquals(200, f.get("/").statusCode());
            assertEquals(200, f.post(OpenAiImages.ROUTE, body, "Authorization", "Bearer s3cret").statusCode());
            assertEquals(200, f.get("/metrics", "Authorization", "Bearer s3cret").statusCode());
        }
    }

    @Test
    void aBodyOverTheSizeLimitIs413() {
        try (ServerFixture f = ServerFixture.ready(ServeOptions.defaults().withMaxRequestBytes(4096))) {
            String big = "{\"prompt\": \"" + "a".repeat(10_000) + "\"}";
            HttpResponse<byte[]> r = f.post(OpenAiImages.ROUTE, big);
            assertEquals(413, r.statusCode());
            JsonNode error = ServerFixture.json(r).get("error");
            assertTrue(error.get("message").textValue().contains("4096-byte limit"), error::toString);
            assertTrue(f.log.isEmpty(), () -> f.log.toString());
        }
    }

    @Test
    void closingFinishesRunningAndQueuedWorkAndRefusesNewWork() throws Exception {
        GatedEngine engine = new GatedEngine();
        ServerFixture f = ServerFixture.ready(ServeOptions.defaults().withShutdownGrace(Duration.ofSeconds(30)), engine);
        var running = postAsync(f, OpenAiImages.ROUTE, "{\"prompt\": \"one\", \"size\": \"64x64\", \"seed\": 4}");
        engine.awaitStarted(1);
        var queued = postAsync(f, "/sdapi/v1/txt2img", "{\"prompt\": \"two\", \"width\": 64, \"height\": 64, \"seed\": 5}");
        eventually("queued", () -> f.server.queueDepth() == 1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(f::close);
        eventually("health says it is stopping", () -> f.get("/health").statusCode() == 503);
        assertEquals("shutting down", ServerFixture.json(f.get("/health")).get("status").textValue());
        HttpResponse<byte[]> refused = f.post(OpenAiImages.ROUTE, "{\"prompt\": \"late\", \"size\": \"64x64\"}");
        assertEquals(503, refused.statusCode());
        assertFalse(closing.isDone(), "close waits for the work in flight");
        engine.permits.release(2);
        HttpResponse<byte[]> one = running.get(30, TimeUnit.SECONDS);
        assertEquals(200, one.statusCode());
        assertArrayEquals(ServerFixture.library(GenerationRequest.builder("one").size(64, 64).seed(4).build()).getFirst(),
                java.util.Base64.getDecoder().decode(ServerFixture.json(one).get("data").get(0).get("b64_json").textValue()));
        assertEquals(200, queued.get(30, TimeUnit.SECONDS).statusCode());
        closing.get(30, TimeUnit.SECONDS);
        assertEquals(List.of("one", "two"), engine.prompts);
    }

    @Test
    void workLeftAfterTheGracePeriodIsRefusedCleanly() throws Exception {
        GatedEngine engine = new GatedEngine();
        ServerFixture f = ServerFixture.ready(ServeOptions.defaults().withShutdownGrace(Duration.ofMillis(300)), engine);
        var running = postAsync(f, OpenAiImages.ROUTE, "{\"prompt\": \"one\", \"size\": \"64x64\"}");
        engine.awaitStarted(1);
        var queued = postAsync(f, OpenAiImages.ROUTE, "{\"prompt\": \"two\", \"size\": \"64x64\"}");
        eventually("queued", () -> f.server.queueDepth() == 1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(f::close);
        HttpResponse<byte[]> refused = queued.get(30, TimeUnit.SECONDS);
        assertEquals(503, refused.statusCode());
        assertTrue(ServerFixture.json(refused).get("error").get("message").textValue().contains("shut down"));
        HttpResponse<byte[]> stopped = running.get(30, TimeUnit.SECONDS);
        assertEquals(503, stopped.statusCode(), "the one still running when the grace ran out");
        closing.get(30, TimeUnit.SECONDS);
        engine.permits.release(10);
        assertEquals(List.of("one"), engine.prompts);
    }
}
