package dev.turbojet.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turbojet.image.PngReader;
import dev.turbojet.image.RgbImage;
import dev.turbojet.pipeline.GenerationRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The APIs over real HTTP on a loopback port, the tiny model behind them: each image is the one the
 * library gives for the same request; each bad request is a 400 naming its field and rule.
 */
class ServeApiTest {
    private static ServerFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ServerFixture.ready(ServeOptions.defaults());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void openAiImagesAreTheLibrarysImagesInOpenAisShape() {
        HttpResponse<byte[]> r = fixture.post(OpenAiImages.ROUTE, """
                {"model": "sdxl-turbo", "prompt": "a red fox in the snow", "n": 2, "size": "64x48",
                 "response_format": "b64_json", "seed": 7, "steps": 2, "quality": "standard"}""");
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        assertEquals("application/json", ServerFixture.headers(r).get("content-type"));
        JsonNode body = ServerFixture.json(r);
        assertTrue(body.get("created").isIntegralNumber());
        assertTrue(Math.abs(body.get("created").longValue() - System.currentTimeMillis() / 1000) < 600);
        List<byte[]> want = ServerFixture.library(GenerationRequest.builder(Collections.nCopies(2, "a red fox in the snow"))
                .size(64, 48).seed(7).steps(2).build());
        assertEquals(2, body.get("data").size());
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(want.get(i), Base64.getDecoder().decode(body.get("data").get(i).get("b64_json").textValue()), "image " + i);
            assertEquals(7, body.get("data").get(i).get("seed").longValue());
        }
    }

    @Test
    void openAiWithoutASeedUsesARandomOneAndSaysWhich() {
        JsonNode body = ServerFixture.json(fixture.post(OpenAiImages.ROUTE, """
                {"prompt": "a lighthouse", "size": "64x64"}"""));
        long seed = body.get("data").get(0).get("seed").longValue();
        byte[] got = Base64.getDecoder().decode(body.get("data").get(0).get("b64_json").textValue());
        assertArrayEquals(ServerFixture.library(GenerationRequest.builder("a lighthouse").size(64, 64).seed(seed).build()).getFirst(), got);
    }

    @Test
    void txt2imgImagesHaveSeedsSeedPlusIAndMatchTheLibrary() throws Exception {
        HttpResponse<byte[]> r = fixture.post("/sdapi/v1/txt2img", """
                {"prompt": "a harbour", "negative_prompt": "blurry", "steps": 1, "cfg_scale": 2.5, "width": 64,
                 "height": 64, "seed": 11, "batch_size": 2, "sampler_name": "Euler a"}""");
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        JsonNode body = ServerFixture.json(r);
        assertEquals(2, body.get("images").size());
        for (int i = 0; i < 2; i++) {
            byte[] want = ServerFixture.library(GenerationRequest.builder("a harbour").negativePrompt("blurry").guidanceScale(2.5)
                    .size(64, 64).seed(11 + i).build()).getFirst();
            assertArrayEquals(want, Base64.getDecoder().decode(body.get("images").get(i).textValue()), "image " + i);
        }
        JsonNode info = JsonFields.JSON.readTree(body.get("info").textValue());
        assertEquals(11, info.get("seed").longValue());
        assertEquals("[11,12]", info.get("all_seeds").toString());
        assertEquals("tiny-sdxl", info.get("sd_model_name").textValue());
        assertEquals(2.5, body.get("parameters").get("cfg_scale").doubleValue());
        assertEquals(2, body.get("parameters").get("batch_size").intValue());
    }

    @Test
    void txt2imgSeedMinusOneIsRandomAndReportedInInfo() throws Exception {
        JsonNode body = ServerFixture.json(fixture.post("/sdapi/v1/txt2img", """
                {"prompt": "a cat", "width": 64, "height": 64, "seed": -1}"""));
        long seed = JsonFields.JSON.readTree(body.get("info").textValue()).get("seed").longValue();
        assertTrue(seed >= 0, "seed " + seed);
        assertArrayEquals(ServerFixture.library(GenerationRequest.builder("a cat").size(64, 64).seed(seed).build()).getFirst(),
                Base64.getDecoder().decode(body.get("images").get(0).textValue()));
    }

    @Test
    void img2imgStartsFromTheInitImageAsTheLibraryDoes() throws Exception {
        byte[] source = ServerFixture.library(GenerationRequest.builder("a house").size(64, 64).seed(3).build()).getFirst();
        RgbImage init = PngReader.read(source, "source").image();
        HttpResponse<byte[]> r = fixture.post("/sdapi/v1/img2img", """
                {"prompt": "a castle", "init_images": ["data:image/png;base64,%s"], "denoising_strength": 0.5,
                 "steps": 2, "width": 64, "height": 64, "seed": 5}""".formatted(Base64.getEncoder().encodeToString(source)));
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        JsonNode body = ServerFixture.json(r);
        byte[] want = ServerFixture.library(GenerationRequest.builder("a castle").initImage(init, 0.5).steps(2).size(64, 64)
                .seed(5).build()).getFirst();
        assertArrayEquals(want, Base64.getDecoder().decode(body.get("images").get(0).textValue()));
        assertEquals(0.5, JsonFields.JSON.readTree(body.get("info").textValue()).get("denoising_strength").doubleValue());
    }

    @Test
    void sdModelsAndOptionsNameTheLoadedModel() {
        JsonNode models = ServerFixture.json(fixture.get("/sdapi/v1/sd-models"));
        assertEquals(1, models.size());
        assertEquals("tiny-sdxl", models.get(0).get("model_name").textValue());
        assertEquals("tiny-sdxl", models.get(0).get("title").textValue());
        assertEquals("tiny-sdxl", ServerFixture.json(fixture.get("/sdapi/v1/options")).get("sd_model_checkpoint").textValue());
    }

    @Test
    void realtimeAnswersOnePngWithItsSeedAndTime() {
        HttpResponse<byte[]> r = fixture.post("/realtime", """
                {"client": "c1", "prompt": "a boat", "seed": 9, "steps": 1, "width": 64, "height": 64}""");
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        assertEquals("image/png", ServerFixture.headers(r).get("content-type"));
        assertEquals("9", ServerFixture.headers(r).get("x-turbojet-seed"));
        assertTrue(Long.parseLong(ServerFixture.headers(r).get("x-turbojet-generation-ms")) >= 0);
        assertArrayEquals(ServerFixture.library(GenerationRequest.builder("a boat").size(64, 64).seed(9).build()).getFirst(), r.body());
    }

    @Test
    void healthIsOkOnceReadyAndThePageIsServed() {
        HttpResponse<byte[]> health = fixture.get("/health");
        assertEquals(200, health.statusCode());
        assertEquals("ok", ServerFixture.json(health).get("status").textValue());
        HttpResponse<byte[]> page = fixture.get("/");
        assertEquals(200, page.statusCode());
        assertTrue(ServerFixture.headers(page).get("content-type").startsWith("text/html"));
        String html = new String(page.body());
        assertTrue(html.contains("id=\"prompt\"") && html.contains("fetch(\"realtime\"") && html.contains("AbortController"), html);
        assertFalse(html.contains("https://"), "the page loads nothing from elsewhere");
    }

    @ParameterizedTest(name = "{0} {1}: {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            /v1/images/generations | {"prompt": "a", "size": "64x64"             |            | not valid JSON
            /v1/images/generations | [1, 2]                                      |            | must be a JSON object
            /v1/images/generations | {"size": "64x64"}                           | prompt     | is required
            /v1/images/generations | {"prompt": 5}                               | prompt     | must be a string, got the number 5
            /v1/images/generations | {"prompt": "  "}                            | prompt     | must not be empty
            /v1/images/generations | {"prompt": "a", "n": "2"}                   | n          | must be an integer, got a string
            /v1/images/generations | {"prompt": "a", "n": 0}                     | n          | must be in 1..64
            /v1/images/generations | {"prompt": "a", "n": 1.5}                   | n          | must be an integer
            /v1/images/generations | {"prompt": "a", "size": "500x512"}          | size       | width 500 is not a multiple of 8
            /v1/images/generations | {"prompt": "a", "size": "512x8192"}         | size       | height 8192 is outside 8..4096
            /v1/images/generations | {"prompt": "a", "size": "large"}            | size       | must be "WIDTHxHEIGHT"
            /v1/images/generations | {"prompt": "a", "size": 512}                | size       | must be a string
            /v1/images/generations | {"prompt": "a", "steps": 0}                 | steps      | must be in 1..1000, got 0
            /v1/images/generations | {"prompt": "a", "steps": 1001}              | steps      | must be in 1..1000, got 1001
            /v1/images/generations | {"prompt": "a", "seed": -5}                 | seed       | must be >= 0
            /v1/images/generations | {"prompt": "a", "guidance": "high"}         | guidance   | must be a number
            /v1/images/generations | {"prompt": "a", "response_format": "url"}   | response_format | only "b64_json" is supported
            /sdapi/v1/txt2img      | {"prompt": "a", "width": 100}               | width      | width 100 is not a multiple of 8
            /sdapi/v1/txt2img      | {"prompt": "a", "height": 4104}             | height     | outside 8..4096
            /sdapi/v1/txt2img      | {"prompt": "a", "steps": "many"}            | steps      | must be an integer
            /sdapi/v1/txt2img      | {"prompt": "a", "seed": -2}                 | seed       | (or -1 for a random seed)
            /sdapi/v1/txt2img      | {"prompt": "a", "batch_size": 65}           | batch_size | must be in 1..64
            /sdapi/v1/txt2img      | {"prompt": "a", "batch_size": 8, "n_iter": 9} | batch_size | at most 64
            /sdapi/v1/txt2img      | {"prompt": "a", "cfg_scale": -1}            | cfg_scale  | must be a finite number >= 0
            /sdapi/v1/txt2img      | not json                                    |            | not valid JSON
            /sdapi/v1/img2img      | {"prompt": "a"}                             | init_images | is required for img2img
            /sdapi/v1/img2img      | {"prompt": "a", "init_images": []}          | init_images | empty list
            /sdapi/v1/img2img      | {"prompt": "a", "init_images": "%%%"}       | init_images | is not base64
            /sdapi/v1/img2img      | {"prompt": "a", "init_images": ["aGVsbG8gd29ybGQ="]} | init_images | is not a PNG image
            /sdapi/v1/img2img      | {"prompt": "a", "init_images": [7]}         | init_images | item 0 must be a string
            /sdapi/v1/img2img      | {"prompt": "a", "init_images": ["iVBORw0KGgo="], "denoising_strength": 0} | init_images | is not a PNG image
            /realtime              | {"prompt": "a"}                             | client     | is required
            /realtime              | {"client": "c", "prompt": "a", "width": 12} | width      | not a multiple of 8
            """)
    void aBadRequestIs400NamingTheFieldAndTheRule(String route, String body, String param, String rule) {
        int logged = fixture.log.size();
        int severe = ServerFixture.SEVERE.size();
        HttpResponse<byte[]> r = fixture.post(route, body);
        assertEquals(400, r.statusCode(), () -> new String(r.body()));
        JsonNode json = ServerFixture.json(r);
        String message;
        JsonNode field;
        if (route.startsWith("/sdapi/")) {
            assertEquals("invalid_request_error", json.get("error").textValue(), json::toString);
            message = json.get("detail").textValue();
            field = json.get("param");
        } else {
            JsonNode error = json.get("error");
            assertEquals("invalid_request_error", error.get("type").textValue(), json::toString);
            message = error.get("message").textValue();
            field = error.get("param");
        }
        if (param == null) assertTrue(field.isNull(), json::toString);
        else assertEquals(param, field.textValue(), json::toString);
        assertTrue(message.contains(rule), () -> "message '" + message + "' lacks '" + rule + "'");
        assertFalse(message.contains("\tat "), "no stack trace in an answer");
        assertEquals(logged, fixture.log.size(), () -> "a client's mistake is not logged: " + fixture.log);
        assertEquals(severe, ServerFixture.SEVERE.size(), () -> "a client's mistake is not logged at SEVERE: " + ServerFixture.SEVERE);
    }

    @Test
    void anUnknownRouteIs404InJson() {
        HttpResponse<byte[]> r = fixture.get("/v1/nothing");
        assertEquals(404, r.statusCode());
        assertEquals("invalid_request_error", ServerFixture.json(r).get("error").get("type").textValue());
    }

    @Test
    void metricsCountRequestsImagesAndLatencyInPrometheusText() {
        fixture.post("/realtime", """
                {"client": "metrics", "prompt": "a boat", "seed": 1, "width": 64, "height": 64}""");
        fixture.post(OpenAiImages.ROUTE, "{\"prompt\": 3}");
        HttpResponse<byte[]> r = fixture.get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(ServerFixture.headers(r).get("content-type").startsWith("text/plain; version=0.0.4"));
        String text = new String(r.body());
        assertTrue(text.matches("(?s).*\nturbojet_http_requests_total\\{route=\"/realtime\",status=\"200\"} [1-9]\\d*\n.*"), text);
        assertTrue(text.matches("(?s).*\nturbojet_http_requests_total\\{route=\"/v1/images/generations\",status=\"400\"} [1-9]\\d*\n.*"), text);
        assertTrue(text.contains("\nturbojet_queue_depth 0\n"), text);
        assertTrue(text.matches("(?s).*\nturbojet_images_generated_total [1-9]\\d*\n.*"), text);
        assertTrue(text.matches("(?s).*\nturbojet_generation_seconds_count [1-9]\\d*\n.*"), text);
        assertTrue(text.contains("turbojet_generation_seconds_bucket{le=\"+Inf\"}"), text);
        assertTrue(text.contains("# TYPE turbojet_generation_seconds histogram"), text);
    }
}
