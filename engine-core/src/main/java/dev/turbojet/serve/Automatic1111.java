package dev.turbojet.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turbojet.image.PngFormatException;
import dev.turbojet.image.PngReader;
import dev.turbojet.image.RgbImage;
import dev.turbojet.pipeline.GeneratedImage;
import dev.turbojet.pipeline.GenerationRequest;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The subset of AUTOMATIC1111's web UI API that front-ends such as Open WebUI call:
 * {@code POST /sdapi/v1/txt2img} and {@code /sdapi/v1/img2img} (prompt, negative_prompt, steps,
 * cfg_scale, width, height, seed with -1 for a random one, batch_size, n_iter; img2img adds
 * init_images as base64 PNG and denoising_strength), {@code GET /sdapi/v1/sd-models} and
 * {@code /sdapi/v1/options}. As in A1111, image i of a request has seed {@code seed + i}; each is the
 * image a batch-1 request with that seed gives. Defaults suit SDXL Turbo (steps 1, cfg_scale 0), not
 * A1111's (20, 7). Sampler and scheduler fields are ignored: turbojet runs Euler Ancestral.
 */
final class Automatic1111 {
    static final String TXT2IMG = "/sdapi/v1/txt2img";
    static final String IMG2IMG = "/sdapi/v1/img2img";
    static final String MODELS = "/sdapi/v1/sd-models";
    static final String OPTIONS = "/sdapi/v1/options";

    /** One request: its images' requests (one per seed) and the values it ran with. */
    record Parsed(List<GenerationRequest> requests, ObjectNode parameters) {
    }

    private Automatic1111() {
    }

    static Parsed parse(JsonFields f, boolean img2img) {
        String prompt = f.string("prompt").orElse("");
        String negative = f.string("negative_prompt").orElse("");
        int steps = Limits.steps(f, "steps");
        double cfg = Limits.guidance("cfg_scale", f.number("cfg_scale"), 0);
        int width = Limits.side("width", "width", f.integer("width").orElse(512));
        int height = Limits.side("height", "height", f.integer("height").orElse(512));
        long seed = Limits.seed("seed", f.integer("seed"), OptionalLong.of(-1));
        int batch = f.intIn("batch_size", 1, 1, GenerationRequest.MAX_BATCH);
        int iterations = f.intIn("n_iter", 1, 1, GenerationRequest.MAX_BATCH);
        if (batch * iterations > GenerationRequest.MAX_BATCH) {
            throw ApiError.invalid("batch_size", "batch_size x n_iter must be at most " + GenerationRequest.MAX_BATCH
                    + ", got " + batch + " x " + iterations);
        }
        Optional<RgbImage> init = Optional.empty();
        double strength = 0.75;
        if (img2img) {
            init = Optional.of(initImage(f));
            strength = f.number("denoising_strength").orElse(0.75);
            if (!(strength > 0 && strength <= 1)) throw ApiError.invalid("denoising_strength", "must be in (0, 1], got " + strength);
        }
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < batch * iterations; i++) {
            GenerationRequest.Builder b = GenerationRequest.builder(prompt).negativePrompt(negative).steps(steps)
                    .guidanceScale(cfg).size(width, height).seed(seed + i);
            if (init.isPresent()) b.initImage(init.get(), strength);
            requests.add(Limits.build(b));
        }
        ObjectNode parameters = JsonFields.JSON.createObjectNode();
        parameters.put("prompt", prompt).put("negative_prompt", negative).put("steps", steps).put("cfg_scale", cfg)
                .put("width", width).put("height", height).put("seed", seed).put("batch_size", batch).put("n_iter", iterations)
                .put("sampler_name", "Euler a");
        if (img2img) parameters.put("denoising_strength", strength);
        return new Parsed(requests, parameters);
    }

    /** The first of init_images: base64 PNG bytes, with or without a "data:image/png;base64," prefix. */
    private static RgbImage initImage(JsonFields f) {
        List<String> images = f.strings("init_images").orElseThrow(() -> ApiError.invalid("init_images", "is required for img2img"));
        if (images.isEmpty()) throw ApiError.invalid("init_images", "must hold one base64 PNG image, got an empty list");
        String text = images.getFirst();
        int comma = text.indexOf(',');
        if (text.startsWith("data:") && comma > 0) text = text.substring(comma + 1);
        byte[] png;
        try {
            png = Base64.getDecoder().decode(text.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("init_images", "item 0 is not base64: " + e.getMessage());
        }
        try {
            return PngReader.read(png, "init_images[0]").image();
        } catch (PngFormatException e) {
            throw ApiError.invalid("init_images", "item 0 is not a PNG image turbojet can read: " + e.getMessage());
        }
    }

    /** {"images": [base64 png...], "parameters": {...}, "info": "{json with seed, all_seeds, ...}"}. */
    static ObjectNode response(Parsed parsed, List<GeneratedImage> images, String modelName) {
        ObjectNode out = JsonFields.JSON.createObjectNode();
        ArrayNode list = out.putArray("images");
        for (GeneratedImage image : images) list.add(OpenAiImages.base64Png(image));
        out.set("parameters", parsed.parameters());
        ObjectNode info = JsonFields.JSON.createObjectNode();
        GenerationRequest first = parsed.requests().getFirst();
        info.put("prompt", first.prompts().getFirst());
        ArrayNode prompts = info.putArray("all_prompts");
        ArrayNode negatives = info.putArray("all_negative_prompts");
        ArrayNode seeds = info.putArray("all_seeds");
        for (GenerationRequest r : parsed.requests()) {
            prompts.add(r.prompts().getFirst());
            negatives.add(r.negativePrompt(0));
            seeds.add(r.seed());
        }
        info.put("negative_prompt", first.negativePrompt(0)).put("seed", first.seed()).put("steps", first.steps())
                .put("cfg_scale", first.guidanceScale()).put("width", first.width()).put("height", first.height())
                .put("sampler_name", "Euler a").put("batch_size", parsed.parameters().get("batch_size").intValue())
                .put("n_iter", parsed.parameters().get("n_iter").intValue()).put("sd_model_name", modelName);
        if (first.initImage().isPresent()) info.put("denoising_strength", first.strength());
        try {
            out.put("info", JsonFields.JSON.writeValueAsString(info));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The one model loaded, as A1111 lists checkpoints. */
    static ArrayNode models(String modelName) {
        ArrayNode out = JsonFields.JSON.createArrayNode();
        out.addObject().put("title", modelName).put("model_name", modelName).putNull("hash").putNull("sha256")
                .put("filename", modelName).putNull("config");
        return out;
    }

    /** The options a front-end reads to show the current checkpoint. */
    static ObjectNode options(String modelName) {
        ObjectNode out = JsonFields.JSON.createObjectNode();
        out.put("sd_model_checkpoint", modelName);
        return out;
    }

    /** A1111's error shape: {"error": type, "detail": message, "param": field or null}. */
    static ObjectNode error(String message, String type, String param) {
        ObjectNode out = JsonFields.JSON.createObjectNode();
        out.put("error", type).put("detail", message);
        if (param == null) out.putNull("param");
        else out.put("param", param);
        return out;
    }
}
