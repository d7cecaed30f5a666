package dev.turbojet.vae;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.ConfigJson;

import java.nio.file.Path;
import java.util.List;

/**
 * diffusers AutoencoderKL config (vae/config.json) restricted to what SDXL's VAE uses: every down
 * block DownEncoderBlock2D, every up block UpDecoderBlock2D, SiLU, group norms. Other values fail at
 * load naming the key and value; keys without effect on inference are ignored.
 *
 * @param scalingFactor latents are divided by it before decoding (0.13025 for SDXL)
 * @param forceUpcast   the VAE overflows in fp16: run it in fp32 or bf16
 * @param sampleSize    the image side it was trained at, in pixels: diffusers' default decode tile ({@link VaeTiling#defaults})
 */
public record VaeConfig(int inChannels, int outChannels, int latentChannels, List<Integer> blockOutChannels,
                        int layersPerBlock, int normNumGroups, float scalingFactor, boolean forceUpcast,
                        int sampleSize, boolean midBlockAddAttention, boolean useQuantConv, boolean usePostQuantConv) {
    public VaeConfig {
        blockOutChannels = List.copyOf(blockOutChannels);
        if (blockOutChannels.isEmpty()) throw new CheckpointException("block_out_channels is empty");
        for (int c : blockOutChannels) {
            if (c <= 0 || c > ConfigJson.MAX_WIDTH) {
                throw new CheckpointException("block_out_channels " + blockOutChannels + ": every width must be in 1.." + ConfigJson.MAX_WIDTH);
            }
        }
        positive("norm_num_groups", normNumGroups);
        for (int c : blockOutChannels) {
            if (c % normNumGroups != 0) {
                throw new CheckpointException("block_out_channels " + blockOutChannels
                        + " do not all split into norm_num_groups " + normNumGroups);
            }
        }
        ConfigJson.requireWidth("in_channels", inChannels);
        ConfigJson.requireWidth("out_channels", outChannels);
        ConfigJson.requireWidth("latent_channels", latentChannels);
        positive("layers_per_block", layersPerBlock);
        if (layersPerBlock > ConfigJson.MAX_LAYERS) {
            throw new CheckpointException("layers_per_block " + layersPerBlock + " is not supported (at most " + ConfigJson.MAX_LAYERS + ")");
        }
        positive("sample_size", sampleSize);
        if (!(scalingFactor > 0)) throw new CheckpointException("scaling_factor must be positive, got " + scalingFactor);
    }

    /** Spatial downsampling factor between image and latents (8 for SDXL). */
    public int downscale() {
        return 1 << (blockOutChannels.size() - 1);
    }

    public int channels(int block) {
        return blockOutChannels.get(block);
    }

    public int blocks() {
        return blockOutChannels.size();
    }

    public static VaeConfig read(Path configJson) {
        return ConfigJson.read(configJson).build(VaeConfig::of);
    }

    /** Parses config.json text; {@code origin} names it in error messages. */
    public static VaeConfig parse(String json, String origin) {
        return ConfigJson.parse(json, origin).build(VaeConfig::of);
    }

    private static VaeConfig of(ConfigJson j) {
        j.requireText("_class_name", "AutoencoderKL", "AutoencoderKL");
        List<Integer> blocks = j.intList("block_out_channels");
        requireAll(j, "down_block_types", "DownEncoderBlock2D", blocks.size());
        requireAll(j, "up_block_types", "UpDecoderBlock2D", blocks.size());
        j.requireText("act_fn", "silu", "silu");
        for (String key : List.of("shift_factor", "latents_mean", "latents_std")) {
            j.requireAbsent(key, "SDXL's VAE has none");
        }
        return new VaeConfig(
                j.optionalInt("in_channels", 3), j.optionalInt("out_channels", 3),
                j.optionalInt("latent_channels", 4), blocks,
                j.optionalInt("layers_per_block", 1), j.optionalInt("norm_num_groups", 32),
                (float) j.optionalDouble("scaling_factor", 0.18215), j.optionalBool("force_upcast", true),
                j.optionalInt("sample_size", 512), j.optionalBool("mid_block_add_attention", true),
                j.optionalBool("use_quant_conv", true), j.optionalBool("use_post_quant_conv", true));
    }

    private static void requireAll(ConfigJson j, String key, String only, int count) {
        List<String> types = j.textList(key);
        if (types.size() != count) {
            throw new CheckpointException(key + " has " + types.size() + " entries but block_out_channels has " + count);
        }
        for (String t : types) {
            if (!t.equals(only)) {
                throw new CheckpointException(key + " entry \"" + t + "\" is not supported (only " + only + ")");
            }
        }
    }

    private static void positive(String key, int v) {
        if (v <= 0) throw new CheckpointException(key + " must be positive, got " + v);
    }
}
