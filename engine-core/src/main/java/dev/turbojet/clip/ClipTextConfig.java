package dev.turbojet.clip;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.ConfigJson;
import dev.turbojet.ops.Act;

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
    public ClipTextConfig {
        ConfigJson.requireWidth("hidden_size", hiddenSize);
        ConfigJson.requireWidth("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        if (numHiddenLayers > ConfigJson.MAX_LAYERS) {
            throw ConfigJson.unsupported("num_hidden_layers", numHiddenLayers, "at most " + ConfigJson.MAX_LAYERS);
        }
        positive("num_attention_heads", numAttentionHeads);
        ConfigJson.requireWidth("max_position_embeddings", maxPositionEmbeddings);
        ConfigJson.requireWidth("vocab_size", vocabSize);
        ConfigJson.requireWidth("projection_dim", projectionDim);
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
        return ConfigJson.read(configJson).build(ClipTextConfig::of);
    }

    /** Parses config.json text; {@code origin} names it in error messages. */
    public static ClipTextConfig parse(String json, String origin) {
        return ConfigJson.parse(json, origin).build(ClipTextConfig::of);
    }

    private static ClipTextConfig of(ConfigJson j) {
        j.requireText("model_type", "clip_text_model", "clip_text_model");
        return new ClipTextConfig(
                j.requiredInt("hidden_size"), j.requiredInt("intermediate_size"),
                j.requiredInt("num_hidden_layers"), j.requiredInt("num_attention_heads"),
                j.requiredInt("max_position_embeddings"), j.requiredInt("vocab_size"),
                activation(j.text("hidden_act", null)), (float) j.requiredDouble("layer_norm_eps"),
                j.requiredInt("projection_dim"), j.requiredInt("bos_token_id"),
                j.requiredInt("eos_token_id"), j.requiredInt("pad_token_id"),
                withProjection(j.get("architectures")));
    }

    private static Act activation(String act) {
        return switch (act) {
            case "quick_gelu" -> Act.QUICK_GELU;
            case "gelu" -> Act.GELU;
            default -> throw ConfigJson.unsupported("hidden_act", "\"" + act + "\"", "quick_gelu or gelu");
        };
    }

    private static boolean withProjection(JsonNode archs) {
        if (archs == null || !archs.isArray() || archs.size() != 1) {
            throw new CheckpointException("architectures " + archs
                    + " must name exactly one of CLIPTextModel, CLIPTextModelWithProjection");
        }
        String arch = archs.get(0).asText();
        return switch (arch) {
            case "CLIPTextModel" -> false;
            case "CLIPTextModelWithProjection" -> true;
            default -> throw ConfigJson.unsupported("architectures", "\"" + arch + "\"",
                    "CLIPTextModel or CLIPTextModelWithProjection");
        };
    }

    private static void positive(String key, int v) {
        if (v <= 0) throw new CheckpointException(key + " must be positive, got " + v);
    }
}
