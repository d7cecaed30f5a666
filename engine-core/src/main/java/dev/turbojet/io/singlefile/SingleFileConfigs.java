package dev.turbojet.io.singlefile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.CheckpointException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The diffusers configs that go with a single-file checkpoint, which carries none: one
 * {@code config.json} per component, from a diffusers-layout folder or from the SDXL Turbo configs
 * bundled with the engine. {@code origin} says where they came from, for messages.
 */
public record SingleFileConfigs(Map<Component, JsonNode> configs, String origin) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Classpath folder of the bundled SDXL Turbo configs. */
    public static final String BUNDLED_SDXL_TURBO = "/dev/turbojet/models/sdxl-turbo/";

    public SingleFileConfigs {
        configs = Map.copyOf(configs);
        for (Component c : Component.values()) {
            if (!configs.containsKey(c)) throw new IllegalArgumentException(origin + ": no config for " + c.folder());
        }
    }

    public JsonNode config(Component c) {
        return configs.get(c);
    }

    /** {@code folder/<component>/config.json} for every component. */
    public static SingleFileConfigs fromFolder(Path folder) {
        Map<Component, JsonNode> out = new EnumMap<>(Component.class);
        for (Component c : Component.values()) {
            Path file = folder.resolve(c.folder()).resolve("config.json");
            try {
                out.put(c, JSON.readTree(Files.readAllBytes(file)));
            } catch (IOException e) {
                throw new CheckpointException(file + ": cannot read the " + c.folder() + " config: " + e.getMessage(), e);
            }
        }
        return new SingleFileConfigs(out, folder.toString());
    }

    /** The SDXL Turbo configs shipped in the engine's resources. */
    public static SingleFileConfigs bundledSdxlTurbo() {
        Map<Component, JsonNode> out = new EnumMap<>(Component.class);
        for (Component c : Component.values()) {
            String resource = BUNDLED_SDXL_TURBO + c.folder() + "/config.json";
            try (InputStream in = SingleFileConfigs.class.getResourceAsStream(resource)) {
                if (in == null) throw new CheckpointException("bundled config " + resource + " is missing from the engine's jar");
                out.put(c, JSON.readTree(in));
            } catch (IOException e) {
                throw new CheckpointException("bundled config " + resource + ": " + e.getMessage(), e);
            }
        }
        return new SingleFileConfigs(out, "bundled SDXL Turbo configs");
    }

    /** The structural facts the name mapping needs, read from the UNet and VAE configs. */
    public SingleFileNames names() {
        JsonNode unet = config(Component.UNET);
        JsonNode vae = config(Component.VAE);
        int layers = intField(unet, "layers_per_block", Component.UNET);
        List<Boolean> upAttention = new ArrayList<>();
        JsonNode upTypes = unet.get("up_block_types");
        if (upTypes == null || !upTypes.isArray()) throw missing("up_block_types", Component.UNET);
        for (JsonNode t : upTypes) upAttention.add(t.asText().contains("CrossAttn"));
        JsonNode vaeBlocks = vae.get("block_out_channels");
        if (vaeBlocks == null || !vaeBlocks.isArray()) throw missing("block_out_channels", Component.VAE);
        return new SingleFileNames(layers, upAttention, vaeBlocks.size());
    }

    private int intField(JsonNode json, String field, Component c) {
        JsonNode v = json.get(field);
        if (v == null || !v.isInt()) throw missing(field, c);
        return v.intValue();
    }

    private CheckpointException missing(String field, Component c) {
        return new CheckpointException(origin + ": the " + c.folder() + " config has no usable \"" + field + "\"");
    }
}
