package dev.turbojet.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turbojet.image.PngWriter;
import dev.turbojet.pipeline.GeneratedImage;
import dev.turbojet.pipeline.GenerationRequest;

import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenAI's Images API, {@code POST /v1/images/generations}: prompt, n, size "WxH", response_format
 * b64_json (the only one: turbojet keeps no images to link to); turbojet's extensions seed, steps,
 * guidance and negative_prompt. Other OpenAI fields (model, quality, style, user, ...) are accepted and
 * ignored. The n images are one batch from one seed.
 */
final class OpenAiImages {
    static final String ROUTE = "/v1/images/generations";
    private static final Pattern SIZE = Pattern.compile("(\\d{1,6})x(\\d{1,6})");

    private OpenAiImages() {
    }

    static GenerationRequest parse(JsonFields f) {
        String prompt = f.requiredString("prompt");
        if (prompt.isBlank()) throw ApiError.invalid("prompt", "must not be empty");
        int n = f.intIn("n", 1, 1, GenerationRequest.MAX_BATCH);
        String size = f.string("size").orElse("512x512").trim().toLowerCase(Locale.ROOT);
        int width = 512, height = 512;
        if (!size.equals("auto")) {
            Matcher m = SIZE.matcher(size);
            if (!m.matches()) throw ApiError.invalid("size", "must be \"WIDTHxHEIGHT\" in pixels, such as \"512x512\", got \"" + size + "\"");
            width = Limits.side("size", "width", Long.parseLong(m.group(1)));
            height = Limits.side("size", "height", Long.parseLong(m.group(2)));
        }
        String format = f.string("response_format").orElse("b64_json");
        if (!format.equals("b64_json")) {
            throw ApiError.invalid("response_format", "only \"b64_json\" is supported (turbojet keeps no images to link to), got \"" + format + "\"");
        }
        String output = f.string("output_format").orElse("png");
        if (!output.equals("png")) throw ApiError.invalid("output_format", "only \"png\" is supported, got \"" + output + "\"");
        long seed = Limits.seed("seed", f.integer("seed"), java.util.OptionalLong.empty());
        int steps = Limits.steps(f, "steps");
        double guidance = Limits.guidance("guidance", f.number("guidance"), 0);
        String negative = f.string("negative_prompt").orElse("");
        return Limits.build(GenerationRequest.builder(Collections.nCopies(n, prompt)).size(width, height).seed(seed)
                .steps(steps).guidanceScale(guidance).negativePrompt(negative));
    }

    /** {"created": unix seconds, "data": [{"b64_json": png, "seed": seed}, ...]}. */
    static ObjectNode response(List<GeneratedImage> images, long createdEpochSeconds) {
        ObjectNode out = JsonFields.JSON.createObjectNode();
        out.put("created", createdEpochSeconds);
        ArrayNode data = out.putArray("data");
        for (GeneratedImage image : images) {
            data.addObject().put("b64_json", base64Png(image)).put("seed", image.seed());
        }
        return out;
    }

    /** {"error": {"message", "type", "param", "code"}}, OpenAI's error shape. */
    static ObjectNode error(String message, String type, String param) {
        ObjectNode out = JsonFields.JSON.createObjectNode();
        ObjectNode e = out.putObject("error");
        e.put("message", message).put("type", type);
        if (param == null) e.putNull("param");
        else e.put("param", param);
        e.putNull("code");
        return out;
    }

    static String base64Png(GeneratedImage image) {
        return Base64.getEncoder().encodeToString(PngWriter.toBytes(image.image(), image.info().toText()));
    }
}
