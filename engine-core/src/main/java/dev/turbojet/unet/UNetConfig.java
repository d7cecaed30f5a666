package dev.turbojet.unet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.CheckpointException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The subset of diffusers' UNet2DConditionModel config (unet/config.json) that an SDXL UNet uses.
 * Every key that would change the computation is read; a value this engine cannot honour (another
 * block type, activation, embedding kind...) fails at load naming the key and the value. Keys with
 * no effect on inference (dropout, _class_name, ...) are ignored.
 *
 * <p>{@code attentionHeads} holds head COUNTS per down block: SDXL configs carry them under
 * {@code attention_head_dim} with {@code num_attention_heads} null (diffusers' naming quirk), and
 * every head is {@code channels / heads} wide.
 *
 * @param layersPerBlock            resnets per down block (up blocks have one more)
 * @param transformerLayersPerBlock BasicTransformerBlocks per Transformer2DModel, per down block;
 *                                  the up blocks use the list reversed, the mid block the last entry
 * @param upcastAttention           diffusers' upcast_attention (null = false): softmax in fp32 for fp16 models;
 *                                  every backend already computes the softmax in fp32, so it changes nothing here
 * @param sampleSize                the latent size the model was trained at (64 for SDXL Turbo's 512 px); informational
 */
public record UNetConfig(int inChannels, int outChannels, List<Integer> blockOutChannels,
                         List<DownBlockType> downBlockTypes, List<UpBlockType> upBlockTypes,
                         List<Integer> layersPerBlock, List<Integer> transformerLayersPerBlock,
                         List<Integer> attentionHeads, int crossAttentionDim,
                         int normNumGroups, float normEps,
                         int additionTimeEmbedDim, int projectionClassEmbeddingsInputDim,
                         boolean flipSinToCos, float freqShift, boolean useLinearProjection,
                         boolean upcastAttention, int sampleSize) {

    /** Number of time ids of the text_time embedding: (orig_h, orig_w, crop_top, crop_left, target_h, target_w). */
    public static final int TIME_IDS = 6;

    public enum DownBlockType {
        DOWN_BLOCK_2D("DownBlock2D"), CROSS_ATTN_DOWN_BLOCK_2D("CrossAttnDownBlock2D");
        final String diffusersName;

        DownBlockType(String diffusersName) {
            this.diffusersName = diffusersName;
        }

        public boolean hasCrossAttention() {
            return this == CROSS_ATTN_DOWN_BLOCK_2D;
        }
    }

    public enum UpBlockType {
        UP_BLOCK_2D("UpBlock2D"), CROSS_ATTN_UP_BLOCK_2D("CrossAttnUpBlock2D");
        final String diffusersName;

        UpBlockType(String diffusersName) {
            this.diffusersName = diffusersName;
        }

        public boolean hasCrossAttention() {
            return this == CROSS_ATTN_UP_BLOCK_2D;
        }
    }

    public UNetConfig {
        blockOutChannels = List.copyOf(blockOutChannels);
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        layersPerBlock = List.copyOf(layersPerBlock);
        transformerLayersPerBlock = List.copyOf(transformerLayersPerBlock);
        attentionHeads = List.copyOf(attentionHeads);
        int n = blockOutChannels.size();
        if (n == 0) throw bad("block_out_channels", blockOutChannels, "at least one block is needed");
        requireSize("down_block_types", downBlockTypes, n);
        requireSize("up_block_types", upBlockTypes, n);
        requireSize("layers_per_block", layersPerBlock, n);
        requireSize("transformer_layers_per_block", transformerLayersPerBlock, n);
        requireSize("attention_head_dim", attentionHeads, n);
        for (int i = 0; i < n; i++) {
            int c = blockOutChannels.get(i);
            if (c <= 0 || c % normNumGroups != 0) {
                throw bad("norm_num_groups", normNumGroups, "block_out_channels entry " + c + " does not split into that many groups");
            }
            int heads = attentionHeads.get(i);
            if (heads <= 0 || c % heads != 0) {
                throw bad("attention_head_dim", attentionHeads, "block " + i + ": " + c + " channels do not split into " + heads + " heads");
            }
            if (layersPerBlock.get(i) <= 0) throw bad("layers_per_block", layersPerBlock, "must be positive");
            if (transformerLayersPerBlock.get(i) <= 0) {
                throw bad("transformer_layers_per_block", transformerLayersPerBlock, "must be positive");
            }
        }
        if (projectionClassEmbeddingsInputDim <= TIME_IDS * additionTimeEmbedDim) {
            throw bad("projection_class_embeddings_input_dim", projectionClassEmbeddingsInputDim,
                    "must exceed 6 * addition_time_embed_dim = " + TIME_IDS * additionTimeEmbedDim + " (text_embeds width > 0)");
        }
        if (additionTimeEmbedDim <= 0 || additionTimeEmbedDim % 2 != 0) {
            throw bad("addition_time_embed_dim", additionTimeEmbedDim, "the sinusoidal embedding width must be even and positive");
        }
        if (blockOutChannels.get(0) % 2 != 0) {
            throw bad("block_out_channels", blockOutChannels, "the first width is the sinusoidal timestep embedding width and must be even");
        }
    }

    public int blocks() {
        return blockOutChannels.size();
    }

    /** Width of the timestep embedding fed to every resnet: 4 * block_out_channels[0]. */
    public int timeEmbedDim() {
        return 4 * blockOutChannels.get(0);
    }

    /** Width of text_embeds (the pooled text embedding) implied by the add_embedding input. */
    public int pooledDim() {
        return projectionClassEmbeddingsInputDim - TIME_IDS * additionTimeEmbedDim;
    }

    public static UNetConfig read(Path configJson) {
        try (InputStream in = Files.newInputStream(configJson)) {
            return parse(in, configJson.toString());
        } catch (IOException e) {
            throw new CheckpointException("cannot read UNet config " + configJson + ": " + e.getMessage(), e);
        }
    }

    public static UNetConfig parse(InputStream json, String origin) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new CheckpointException(origin + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new CheckpointException(origin + ": the UNet config is not a JSON object");
        try {
            return fromJson(root);
        } catch (CheckpointException e) {
            throw new CheckpointException(origin + ": " + e.getMessage(), e);
        }
    }

    /** The config from its parsed JSON; missing optional keys take diffusers' defaults. */
    public static UNetConfig fromJson(JsonNode j) {
        // Keys whose only supported value is diffusers' SDXL one; an absent key means the diffusers default.
        requireText(j, "act_fn", "silu", "silu");
        requireText(j, "mid_block_type", "UNetMidBlock2DCrossAttn", "UNetMidBlock2DCrossAttn");
        requireText(j, "addition_embed_type", null, "text_time");
        requireText(j, "resnet_time_scale_shift", "default", "default");
        requireText(j, "time_embedding_type", "positional", "positional");
        requireText(j, "attention_type", "default", "default");
        for (String key : List.of("class_embed_type", "num_class_embeds", "encoder_hid_dim", "encoder_hid_dim_type",
                "time_cond_proj_dim", "time_embedding_act_fn", "time_embedding_dim", "timestep_post_act",
                "cross_attention_norm", "reverse_transformer_layers_per_block")) {
            requireNull(j, key);
        }
        requireNull(j, "num_attention_heads",
                "diffusers rejects it too: SDXL configs give head counts as attention_head_dim");
        requireFalse(j, "only_cross_attention");
        requireFalse(j, "dual_cross_attention");
        requireFalse(j, "center_input_sample");
        requireFalse(j, "resnet_skip_time_act");
        requireFalse(j, "class_embeddings_concat");
        requireFalse(j, "mid_block_only_cross_attention");
        requireNumber(j, "conv_in_kernel", 3);
        requireNumber(j, "conv_out_kernel", 3);
        requireNumber(j, "downsample_padding", 1);
        requireNumber(j, "mid_block_scale_factor", 1);
        requireNumber(j, "resnet_out_scale_factor", 1);

        List<Integer> blockOut = intList(j, "block_out_channels", -1, null);
        int n = blockOut.size();
        List<DownBlockType> downs = new ArrayList<>();
        for (String s : textList(j, "down_block_types")) downs.add(downType(s));
        List<UpBlockType> ups = new ArrayList<>();
        for (String s : textList(j, "up_block_types")) ups.add(upType(s));
        JsonNode cross = j.get("cross_attention_dim");
        if (cross == null || !cross.canConvertToExactIntegral()) {
            throw bad("cross_attention_dim", cross, "a single integer is required (per-block lists are not supported)");
        }
        return new UNetConfig(
                requiredInt(j, "in_channels"), requiredInt(j, "out_channels"), blockOut, downs, ups,
                intList(j, "layers_per_block", n, 2), intList(j, "transformer_layers_per_block", n, 1),
                intList(j, "attention_head_dim", n, 8), cross.intValue(),
                optionalInt(j, "norm_num_groups", 32), (float) optionalDouble(j, "norm_eps", 1e-5),
                requiredInt(j, "addition_time_embed_dim"), requiredInt(j, "projection_class_embeddings_input_dim"),
                optionalBool(j, "flip_sin_to_cos", true), (float) optionalDouble(j, "freq_shift", 0),
                optionalBool(j, "use_linear_projection", false), optionalBool(j, "upcast_attention", false),
                optionalInt(j, "sample_size", 0));
    }

    private static DownBlockType downType(String s) {
        for (DownBlockType t : DownBlockType.values()) if (t.diffusersName.equals(s)) return t;
        throw bad("down_block_types", s, "supported: DownBlock2D, CrossAttnDownBlock2D");
    }

    private static UpBlockType upType(String s) {
        for (UpBlockType t : UpBlockType.values()) if (t.diffusersName.equals(s)) return t;
        throw bad("up_block_types", s, "supported: UpBlock2D, CrossAttnUpBlock2D");
    }

    // ---- JSON helpers: each failure names the key and the offending value ------------------------

    static CheckpointException bad(String key, Object value, String why) {
        return new CheckpointException("UNet config key '" + key + "' = " + value + " is not supported: " + why);
    }

    private static boolean absent(JsonNode j, String key) {
        return !j.has(key) || j.get(key).isNull();
    }

    private static void requireText(JsonNode j, String key, String defaultValue, String supported) {
        String v = absent(j, key) ? defaultValue : j.get(key).isTextual() ? j.get(key).textValue() : j.get(key).toString();
        if (!supported.equals(v)) throw bad(key, v == null ? "null" : "\"" + v + "\"", "only \"" + supported + "\" is implemented");
    }

    private static void requireNull(JsonNode j, String key) {
        requireNull(j, key, "only null is implemented");
    }

    private static void requireNull(JsonNode j, String key, String why) {
        if (!absent(j, key)) throw bad(key, j.get(key), why);
    }

    /** false, null, absent, or a list of falses. */
    private static void requireFalse(JsonNode j, String key) {
        if (absent(j, key)) return;
        JsonNode v = j.get(key);
        boolean ok = v.isBoolean() ? !v.booleanValue() : v.isArray();
        if (v.isArray()) for (JsonNode e : v) ok &= e.isBoolean() && !e.booleanValue();
        if (!ok) throw bad(key, v, "only false is implemented");
    }

    private static void requireNumber(JsonNode j, String key, double supported) {
        if (absent(j, key)) return;
        JsonNode v = j.get(key);
        if (!v.isNumber() || v.doubleValue() != supported) throw bad(key, v, "only " + supported + " is implemented");
    }

    private static int requiredInt(JsonNode j, String key) {
        if (absent(j, key)) throw new CheckpointException("UNet config key '" + key + "' is missing");
        return toInt(key, j.get(key));
    }

    private static int optionalInt(JsonNode j, String key, int defaultValue) {
        return absent(j, key) ? defaultValue : toInt(key, j.get(key));
    }

    private static double optionalDouble(JsonNode j, String key, double defaultValue) {
        if (absent(j, key)) return defaultValue;
        JsonNode v = j.get(key);
        if (!v.isNumber()) throw bad(key, v, "a number is required");
        return v.doubleValue();
    }

    private static boolean optionalBool(JsonNode j, String key, boolean defaultValue) {
        if (absent(j, key)) return defaultValue;
        JsonNode v = j.get(key);
        if (!v.isBoolean()) throw bad(key, v, "true or false is required");
        return v.booleanValue();
    }

    private static int toInt(String key, JsonNode v) {
        if (!v.canConvertToExactIntegral() || !v.canConvertToInt()) throw bad(key, v, "an integer is required");
        return v.intValue();
    }

    /** An int list of length n, or one int repeated n times; n < 0: a required list of any length. */
    private static List<Integer> intList(JsonNode j, String key, int n, Integer defaultValue) {
        if (absent(j, key)) {
            if (defaultValue == null || n < 0) throw new CheckpointException("UNet config key '" + key + "' is missing");
            return Collections.nCopies(n, defaultValue);
        }
        JsonNode v = j.get(key);
        if (v.isArray()) {
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : v) out.add(toInt(key, e));
            if (n >= 0 && out.size() != n) throw bad(key, v, "needs one entry per block (" + n + ")");
            return out;
        }
        if (n < 0) throw bad(key, v, "a list is required");
        return Collections.nCopies(n, toInt(key, v));
    }

    private static List<String> textList(JsonNode j, String key) {
        if (absent(j, key)) throw new CheckpointException("UNet config key '" + key + "' is missing");
        JsonNode v = j.get(key);
        if (!v.isArray()) throw bad(key, v, "a list of block type names is required");
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) throw bad(key, e, "block types are strings");
            out.add(e.textValue());
        }
        return out;
    }

    private static void requireSize(String key, List<?> list, int n) {
        if (list.size() != n) throw bad(key, list, "needs one entry per block_out_channels entry (" + n + ")");
    }
}
