package dev.turbojet.vae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.CheckpointException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers AutoencoderKL config (vae/config.json) restricted to what SDXL's VAE uses: every down
 * block DownEncoderBlock2D, every up block UpDecoderBlock2D, SiLU, group norms. Other values fail at
 * load naming the key and value; keys without effect on inference are ignored.
 *
 * @param scalingFactor latents are divided by it before decoding (0.13025 for SDXL)
 * @param forceUpcast   the VAE overflows in fp16: run it in fp32 or bf16
 */
public record VaeConfig(int inChannels, int outChannels, int latentChannels, List<Integer> blockOutChannels,
                        int layersPerBlock, int normNumGroups, float scalingFactor, boolean forceUpcast,
                        int sampleSize, boolean midBlockAddAttention, boolean useQuantConv, boolean usePostQuantConv) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public VaeConfig {
        blockOutChannels = List.copyOf(blockOutChannels);
        if (blockOutChannels.isEmpty()) throw new CheckpointException("block_out_channels is empty");
        for (int c : blockOutChannels) {
            if (c <= 0 || normNumGroups <= 0 || c % normNumGroups != 0) {
                throw new CheckpointException("block_out_channels " + blockOutChannels
                        + " do not all split into norm_num_groups " + normNumGroups);
            }
        }
        positive("in_channels", inChannels);
        positive("out_channels", outChannels);
        positive("latent_channels", latentChannels);
        positive("layers_per_block", layersPerBlock);
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
        try {
            return parse(Files.readString(configJson), configJson.toString());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + configJson + ": " + e.getMessage(), e);
        }
    }

    /** Parses config.json text; {@code origin} names it in error messages. */
    public static VaeConfig parse(String json, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new CheckpointException(origin + ": not valid JSON: " + e.getMessage(), e);
        }
        try {
            if (root.has("_class_name") && !root.get("_class_name").asText().equals("AutoencoderKL")) {
                throw new CheckpointException("_class_name \"" + root.get("_class_name").asText() + "\" is not AutoencoderKL");
            }
            List<Integer> blocks = intList(root, "block_out_channels");
            requireAll(root, "down_block_types", "DownEncoderBlock2D", blocks.size());
            requireAll(root, "up_block_types", "UpDecoderBlock2D", blocks.size());
            String act = root.path("act_fn").asText("silu");
            if (!act.equals("silu")) throw new CheckpointException("act_fn \"" + act + "\" is not supported (silu)");
            for (String key : List.of("shift_factor", "latents_mean", "latents_std")) {
                JsonNode v = root.get(key);
                if (v != null && !v.isNull()) {
                    throw new CheckpointException(key + " " + v + " is not supported (SDXL's VAE has none)");
                }
            }
            return new VaeConfig(
                    intKey(root, "in_channels", 3), intKey(root, "out_channels", 3),
                    intKey(root, "latent_channels", 4), blocks,
                    intKey(root, "layers_per_block", 1), intKey(root, "norm_num_groups", 32),
                    (float) numberKey(root, "scaling_factor", 0.18215), boolKey(root, "force_upcast", true),
                    intKey(root, "sample_size", 512), boolKey(root, "mid_block_add_attention", true),
                    boolKey(root, "use_quant_conv", true), boolKey(root, "use_post_quant_conv", true));
        } catch (CheckpointException e) {
            throw new CheckpointException(origin + ": " + e.getMessage(), e);
        }
    }

    private static void requireAll(JsonNode root, String key, String only, int count) {
        JsonNode v = root.get(key);
        if (v == null || !v.isArray()) throw new CheckpointException("missing key " + key);
        if (v.size() != count) {
            throw new CheckpointException(key + " has " + v.size() + " entries but block_out_channels has " + count);
        }
        for (JsonNode t : v) {
            if (!t.asText().equals(only)) {
                throw new CheckpointException(key + " entry \"" + t.asText() + "\" is not supported (only " + only + ")");
            }
        }
    }

    private static List<Integer> intList(JsonNode root, String key) {
        JsonNode v = root.get(key);
        if (v == null || !v.isArray()) throw new CheckpointException("missing key " + key);
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isIntegralNumber()) throw new CheckpointException(key + " " + v + " is not a list of integers");
            out.add(e.intValue());
        }
        return out;
    }

    private static int intKey(JsonNode root, String key, int dflt) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new CheckpointException(key + " " + v + " is not an integer");
        return v.intValue();
    }

    private static double numberKey(JsonNode root, String key, double dflt) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw new CheckpointException(key + " " + v + " is not a number");
        return v.doubleValue();
    }

    private static boolean boolKey(JsonNode root, String key, boolean dflt) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw new CheckpointException(key + " " + v + " is not a boolean");
        return v.booleanValue();
    }

    private static void positive(String key, int v) {
        if (v <= 0) throw new CheckpointException(key + " must be positive, got " + v);
    }
}
