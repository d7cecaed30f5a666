package dev.turbojet.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turbojet.pipeline.GenerationRequest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bounded load test on loopback: 8 concurrent clients send 200 requests in all (tiny images: 64²,
 * 1 step), alternating the OpenAI and AUTOMATIC1111 routes; none may fail, and each image must be the
 * one the same request gives made alone through the library. Prints p50 / p99 latency.
 */
class ServeLoadTest {
    static final int CLIENTS = 8;
    static final int REQUESTS = 200;
    static final int DISTINCT = 25;

    @Test
    void eightClientsTwoHundredRequestsNoErrorsSameImages() throws Exception {
        List<byte[]> alone = new ArrayList<>();
        for (int d = 0; d < DISTINCT; d++) alone.add(ServerFixture.library(request(d)).getFirst());

        try (ServerFixture f = ServerFixture.ready(ServeOptions.defaults().withQueueCapacity(CLIENTS));
             ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
            AtomicInteger next = new AtomicInteger();
            long[] latencyNanos = new long[REQUESTS];
            List<Future<List<String>>> results = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                results.add(clients.submit(() -> {
                    List<String> errors = new ArrayList<>();
                    for (int i = next.getAndIncrement(); i < REQUESTS; i = next.getAndIncrement()) {
                        int d = i % DISTINCT;
                        long t0 = System.nanoTime();
                        byte[] got = i % 2 == 0 ? viaOpenAi(f, d, errors) : viaAutomatic1111(f, d, errors);
                        latencyNanos[i] = System.nanoTime() - t0;
                        if (got != null && !Arrays.equals(alone.get(d), got)) errors.add("request " + i + ": image differs from the library's");
                    }
                    return errors;
                }));
            }
            List<String> errors = new ArrayList<>();
            for (Future<List<String>> r : results) errors.addAll(r.get(5, TimeUnit.MINUTES));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(List.of(), errors, "errors under load");
            long[] sorted = latencyNanos.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "serve load: %d requests from %d clients in %.1f s (%.1f req/s); latency p50 %.1f ms, p99 %.1f ms%n",
                    REQUESTS, CLIENTS, seconds, REQUESTS / seconds, sorted[REQUESTS / 2] / 1e6, sorted[(int) Math.ceil(REQUESTS * 0.99) - 1] / 1e6);
            String metrics = new String(f.get("/metrics").body());
            assertTrue(metrics.contains("\nturbojet_images_generated_total " + REQUESTS + "\n"), metrics);
        }
    }

    private static GenerationRequest request(int d) {
        return GenerationRequest.builder("load prompt " + (d % 5)).size(64, 64).steps(1).seed(1000 + d).build();
    }

    private static byte[] viaOpenAi(ServerFixture f, int d, List<String> errors) {
        HttpResponse<byte[]> r = f.post(OpenAiImages.ROUTE, """
                {"prompt": "load prompt %d", "size": "64x64", "steps": 1, "seed": %d}""".formatted(d % 5, 1000 + d));
        if (r.statusCode() != 200) {
            errors.add("openai " + d + ": " + r.statusCode() + " " + new String(r.body()));
            return null;
        }
        return Base64.getDecoder().decode(ServerFixture.json(r).get("data").get(0).get("b64_json").textValue());
    }

    private static byte[] viaAutomatic1111(ServerFixture f, int d, List<String> errors) {
        HttpResponse<byte[]> r = f.post("/sdapi/v1/txt2img", """
                {"prompt": "load prompt %d", "width": 64, "height": 64, "steps": 1, "seed": %d}""".formatted(d % 5, 1000 + d));
        if (r.statusCode() != 200) {
            errors.add("txt2img " + d + ": " + r.statusCode() + " " + new String(r.body()));
            return null;
        }
        JsonNode images = ServerFixture.json(r).get("images");
        if (images.size() != 1) {
            errors.add("txt2img " + d + ": " + images.size() + " images for batch_size 1");
            return null;
        }
        return Base64.getDecoder().decode(images.get(0).textValue());
    }
}
