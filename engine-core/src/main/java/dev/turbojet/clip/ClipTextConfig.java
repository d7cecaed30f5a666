package dev.turbojet.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.ops.Act;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * transformers CLIPTextConfig, as read from a text encoder's config.json. Keys the engine does not
 * need (dropout, initializer_range, torch_dtype, ...) are ignored; values it cannot honour fail at
 * load with the key and value named.
 *
 * @param withProjection true for CLIPTextModelWithProjection (text_encoder_2), which adds
 *                       {@code text_projection} [projectionDim, hiddenSize] without bias
 */
public record ClipTextConfig(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                             int maxPositionEmbeddings, int vocabSize, Act hiddenAct, float layerNormEps,
                             int projectionDim, int bosTokenId, int eosTokenId, int padTokenId,
                             boolean withProjection) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ClipTextConfig {
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("max_position_embeddings", maxPositionEmbeddings);
        positive("vocab_size", vocabSize);
        positive("projection_dim", projectionDim);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new CheckpointException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (hiddenAct != Act.QUICK_GELU && hiddenAct != Act.GELU) {
            throw new CheckpointException("hidden_act " + hiddenAct + " is not supported (quick_gelu or gelu)");
        }
        if (!(layerNormEps > 0)) throw new CheckpointException("layer_norm_eps must be positive, got " + layerNormEps);
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    public static ClipTextConfig read(Path configJson) {
        try {
            return parse(Files.readString(configJson), configJson.toString());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + configJson + ": " + e.getMessage(), e);
        }
    }

    /** Parses config.json text; {@code origin} names it in error messages. */
    public static ClipTextConfig parse(String json, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new CheckpointException(origin + ": not valid JSON: " + e.getMessage(), e);
        }
        try {
            if (root.has("model_type") && !root.get("model_type").asText().equals("clip_text_model")) {
                throw new CheckpointException("model_type \"" + root.get("model_type").asText() + "\" is not clip_text_model");
            }
            return new ClipTextConfig(
                    intKey(root, "hidden_size"), intKey(root, "intermediate_size"),
                    intKey(root, "num_hidden_layers"), intKey(root, "num_attention_heads"),
                    intKey(root, "max_position_embeddings"), intKey(root, "vocab_size"),
                    activation(root), (float) numberKey(root, "layer_norm_eps"),
                    intKey(root, "projection_dim"), intKey(root, "bos_token_id"),
                    intKey(root, "eos_token_id"), intKey(root, "pad_token_id"),
                    withProjection(root));
        } catch (CheckpointException e) {
            throw new CheckpointException(origin + ": " + e.getMessage(), e);
        }
    }

    private static Act activation(JsonNode root) {
        String act = textKey(root, "hidden_act");
        return switch (act) {
            case "quick_gelu" -> Act.QUICK_GELU;
            case "gelu" -> Act.GELU;
            default -> throw new CheckpointException("hidden_act \"" + act + "\" is not supported (quick_gelu or gelu)");
        };
    }

    private static boolean withProjection(JsonNode root) {
        JsonNode archs = root.get("architectures");
        if (archs == null || !archs.isArray() || archs.size() != 1) {
            throw new CheckpointException("architectures " + archs
                    + " must name exactly one of CLIPTextModel, CLIPTextModelWithProjection");
        }
        String arch = archs.get(0).asText();
        return switch (arch) {
            case "CLIPTextModel" -> false;
            case "CLIPTextModelWithProjection" -> true;
            default -> throw new CheckpointException("architectures \"" + arch
                    + "\" is not supported (CLIPTextModel or CLIPTextModelWithProjection)");
        };
    }

    private static JsonNode key(JsonNode root, String key) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) throw new CheckpointException("missing key " + key);
        return v;
    }

    private static int intKey(JsonNode root, String key) {
        JsonNode v = key(root, key);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new CheckpointException(key + " " + v + " is not an integer");
        return v.intValue();
    }

    private static double numberKey(JsonNode root, String key) {
        JsonNode v = key(root, key);
        if (!v.isNumber()) throw new CheckpointException(key + " " + v + " is not a number");
        return v.doubleValue();
    }

    private static String textKey(JsonNode root, String key) {
        JsonNode v = key(root, key);
        if (!v.isTextual()) throw new CheckpointException(key + " " + v + " is not a string");
        return v.textValue();
    }

    private static void positive(String key, int v) {
        if (v <= 0) throw new CheckpointException(key + " must be positive, got " + v);
    }
}
