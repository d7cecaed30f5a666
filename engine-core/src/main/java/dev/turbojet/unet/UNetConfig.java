package dev.turbojet.unet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turbojet.io.ConfigJson;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static dev.turbojet.io.ConfigJson.unsupported;

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
        if (n == 0) throw unsupported("block_out_channels", blockOutChannels, "at least one block is needed");
        requireSize("down_block_types", downBlockTypes, n);
        requireSize("up_block_types", upBlockTypes, n);
        requireSize("layers_per_block", layersPerBlock, n);
        requireSize("transformer_layers_per_block", transformerLayersPerBlock, n);
        requireSize("attention_head_dim", attentionHeads, n);
        for (int c : blockOutChannels) {
            if (c <= 0 || c > ConfigJson.MAX_WIDTH) {
                throw unsupported("block_out_channels", blockOutChannels, "every width must be in 1.." + ConfigJson.MAX_WIDTH);
            }
        }
        if (normNumGroups <= 0) throw unsupported("norm_num_groups", normNumGroups, "must be positive");
        ConfigJson.requireWidth("in_channels", inChannels);
        ConfigJson.requireWidth("out_channels", outChannels);
        ConfigJson.requireWidth("cross_attention_dim", crossAttentionDim);
        ConfigJson.requireWidth("addition_time_embed_dim", additionTimeEmbedDim);
        ConfigJson.requireWidth("projection_class_embeddings_input_dim", projectionClassEmbeddingsInputDim);
        for (int i = 0; i < n; i++) {
            int c = blockOutChannels.get(i);
            if (c % normNumGroups != 0) {
                throw unsupported("norm_num_groups", normNumGroups, "block_out_channels entry " + c + " does not split into that many groups");
            }
            int heads = attentionHeads.get(i);
            if (heads <= 0 || c % heads != 0) {
                throw unsupported("attention_head_dim", attentionHeads, "block " + i + ": " + c + " channels do not split into " + heads + " heads");
            }
            if (layersPerBlock.get(i) <= 0 || layersPerBlock.get(i) > ConfigJson.MAX_LAYERS) {
                throw unsupported("layers_per_block", layersPerBlock, "must be in 1.." + ConfigJson.MAX_LAYERS);
            }
            if (transformerLayersPerBlock.get(i) <= 0 || transformerLayersPerBlock.get(i) > ConfigJson.MAX_LAYERS) {
                throw unsupported("transformer_layers_per_block", transformerLayersPerBlock, "must be in 1.." + ConfigJson.MAX_LAYERS);
            }
        }
        if (projectionClassEmbeddingsInputDim <= TIME_IDS * additionTimeEmbedDim) {
            throw unsupported("projection_class_embeddings_input_dim", projectionClassEmbeddingsInputDim,
                    "must exceed 6 * addition_time_embed_dim = " + TIME_IDS * additionTimeEmbedDim + " (text_embeds width > 0)");
        }
        if (additionTimeEmbedDim <= 0 || additionTimeEmbedDim % 2 != 0) {
            throw unsupported("addition_time_embed_dim", additionTimeEmbedDim, "the sinusoidal embedding width must be even and positive");
        }
        if (blockOutChannels.get(0) % 2 != 0) {
            throw unsupported("block_out_channels", blockOutChannels, "the first width is the sinusoidal timestep embedding width and must be even");
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
        return ConfigJson.read(configJson).build(UNetConfig::of);
    }

    public static UNetConfig parse(InputStream json, String origin) {
        return ConfigJson.parse(json, origin).build(UNetConfig::of);
    }

    /** The config from its parsed JSON; missing optional keys take diffusers' defaults. */
    public static UNetConfig fromJson(JsonNode j) {
        return new ConfigJson(j, "UNet config").build(UNetConfig::of);
    }

    private static UNetConfig of(ConfigJson j) {
        // Keys whose only supported value is diffusers' SDXL one; an absent key means the diffusers default.
        j.requireText("act_fn", "silu", "silu");
        j.requireText("mid_block_type", "UNetMidBlock2DCrossAttn", "UNetMidBlock2DCrossAttn");
        j.requireText("addition_embed_type", null, "text_time");
        j.requireText("resnet_time_scale_shift", "default", "default");
        j.requireText("time_embedding_type", "positional", "positional");
        j.requireText("attention_type", "default", "default");
        for (String key : List.of("class_embed_type", "num_class_embeds", "encoder_hid_dim", "encoder_hid_dim_type",
                "time_cond_proj_dim", "time_embedding_act_fn", "time_embedding_dim", "timestep_post_act",
                "cross_attention_norm", "reverse_transformer_layers_per_block")) {
            j.requireAbsent(key, "only null is implemented");
        }
        j.requireAbsent("num_attention_heads",
                "diffusers rejects it too: SDXL configs give head counts as attention_head_dim");
        j.requireFalse("only_cross_attention");
        j.requireFalse("dual_cross_attention");
        j.requireFalse("center_input_sample");
        j.requireFalse("resnet_skip_time_act");
        j.requireFalse("class_embeddings_concat");
        j.requireFalse("mid_block_only_cross_attention");
        j.requireNumber("conv_in_kernel", 3);
        j.requireNumber("conv_out_kernel", 3);
        j.requireNumber("downsample_padding", 1);
        j.requireNumber("mid_block_scale_factor", 1);
        j.requireNumber("resnet_out_scale_factor", 1);

        List<Integer> blockOut = j.intList("block_out_channels");
        int n = blockOut.size();
        List<DownBlockType> downs = new ArrayList<>();
        for (String s : j.textList("down_block_types")) {
            downs.add(ConfigJson.oneOf("down_block_types", s, DownBlockType.values(), t -> t.diffusersName));
        }
        List<UpBlockType> ups = new ArrayList<>();
        for (String s : j.textList("up_block_types")) {
            ups.add(ConfigJson.oneOf("up_block_types", s, UpBlockType.values(), t -> t.diffusersName));
        }
        JsonNode cross = j.get("cross_attention_dim");
        if (cross != null && cross.isArray()) {
            throw unsupported("cross_attention_dim", cross, "a single integer is required (per-block lists are not supported)");
        }
        return new UNetConfig(
                j.requiredInt("in_channels"), j.requiredInt("out_channels"), blockOut, downs, ups,
                perBlock(j, "layers_per_block", n, 2), perBlock(j, "transformer_layers_per_block", n, 1),
                perBlock(j, "attention_head_dim", n, 8), j.requiredInt("cross_attention_dim"),
                j.optionalInt("norm_num_groups", 32), (float) j.optionalDouble("norm_eps", 1e-5),
                j.requiredInt("addition_time_embed_dim"), j.requiredInt("projection_class_embeddings_input_dim"),
                j.optionalBool("flip_sin_to_cos", true), (float) j.optionalDouble("freq_shift", 0),
                j.optionalBool("use_linear_projection", false), j.optionalBool("upcast_attention", false),
                j.optionalInt("sample_size", 0));
    }

    /** An int list with one entry per block, or one int repeated for every block; absent: {@code dflt} for every block. */
    private static List<Integer> perBlock(ConfigJson j, String key, int n, int dflt) {
        JsonNode v = j.get(key);
        if (v == null) return Collections.nCopies(n, dflt);
        if (!v.isArray()) return Collections.nCopies(n, j.requiredInt(key));
        List<Integer> out = j.intList(key);
        if (out.size() != n) throw unsupported(key, v, "needs one entry per block (" + n + ")");
        return out;
    }

    private static void requireSize(String key, List<?> list, int n) {
        if (list.size() != n) throw unsupported(key, list, "needs one entry per block_out_channels entry (" + n + ")");
    }
}
