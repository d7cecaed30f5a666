package dev.turbojet.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The fields of one JSON request body, read by type: a known field of the wrong type is a 400 naming
 * it; unknown fields are ignored (clients send more than turbojet uses, such as OpenAI's "model" or
 * "quality"); JSON null reads as absent.
 */
final class JsonFields {
    static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode body;

    private JsonFields(ObjectNode body) {
        this.body = body;
    }

    /** {@code bytes} as a JSON object, or a 400 saying why not. */
    static JsonFields parse(byte[] bytes) {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiError.invalidBody("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiError.invalidBody("the body cannot be read: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) throw ApiError.invalidBody("the body is empty: send a JSON object");
        if (!(node instanceof ObjectNode object)) throw ApiError.invalidBody("the body must be a JSON object, got " + kind(node));
        return new JsonFields(object);
    }

    private Optional<JsonNode> field(String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
    }

    Optional<String> string(String name) {
        return field(name).map(n -> {
            if (!n.isTextual()) throw ApiError.invalid(name, "must be a string, got " + kind(n));
            return n.textValue();
        });
    }

    String requiredString(String name) {
        return string(name).orElseThrow(() -> ApiError.invalid(name, "is required"));
    }

    /** A whole number (2.0 counts; 2.5 and "2" do not). */
    OptionalLong integer(String name) {
        Optional<JsonNode> f = field(name);
        if (f.isEmpty()) return OptionalLong.empty();
        JsonNode n = f.get();
        if (n.isIntegralNumber() && n.canConvertToLong()) return OptionalLong.of(n.longValue());
        if (n.isNumber() && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 0x1p62) {
            return OptionalLong.of((long) n.doubleValue());
        }
        throw ApiError.invalid(name, "must be an integer, got " + kind(n));
    }

    /** A whole number in [min, max], {@code otherwise} when absent. */
    int intIn(String name, int otherwise, int min, int max) {
        OptionalLong v = integer(name);
        if (v.isEmpty()) return otherwise;
        if (v.getAsLong() < min || v.getAsLong() > max) {
            throw ApiError.invalid(name, "must be in " + min + ".." + max + ", got " + v.getAsLong());
        }
        return (int) v.getAsLong();
    }

    OptionalDouble number(String name) {
        Optional<JsonNode> f = field(name);
        if (f.isEmpty()) return OptionalDouble.empty();
        if (!f.get().isNumber()) throw ApiError.invalid(name, "must be a number, got " + kind(f.get()));
        return OptionalDouble.of(f.get().doubleValue());
    }

    /** A list of strings; a single string reads as a list of one. */
    Optional<List<String>> strings(String name) {
        return field(name).map(n -> {
            if (n.isTextual()) return List.of(n.textValue());
            if (!n.isArray()) throw ApiError.invalid(name, "must be a list of strings, got " + kind(n));
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                if (!n.get(i).isTextual()) throw ApiError.invalid(name, "item " + i + " must be a string, got " + kind(n.get(i)));
                out.add(n.get(i).textValue());
            }
            return out;
        });
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "the number " + n.asText();
            case BOOLEAN -> n.asText();
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
