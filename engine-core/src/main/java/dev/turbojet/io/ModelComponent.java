package dev.turbojet.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One entry of a diffusers {@code model_index.json} ({@code "unet": ["diffusers", "UNet2DConditionModel"]})
 * and its folder.
 */
public record ModelComponent(String name, String library, String className, Path folder) {
    /** Schedulers, tokenizers and image processors are configuration only; everything else has weights. */
    public boolean hasWeights() {
        return !(className.endsWith("Scheduler") || className.contains("Tokenizer")
                || className.endsWith("Processor") || className.endsWith("FeatureExtractor"));
    }

    /** The config file's name: scheduler_config.json, tokenizer_config.json, preprocessor_config.json or config.json. */
    public String configFileName() {
        if (className.endsWith("Scheduler")) return "scheduler_config.json";
        if (className.contains("Tokenizer")) return "tokenizer_config.json";
        if (className.endsWith("Processor") || className.endsWith("FeatureExtractor")) return "preprocessor_config.json";
        return "config.json";
    }

    /** The config file, which must exist. */
    public Path config() {
        Path config = folder.resolve(configFileName());
        if (!Files.isRegularFile(config)) {
            throw new CheckpointException("component " + name + " (" + className + "): config " + config
                    + " " + (Files.isSymbolicLink(config) ? SafetensorsFile.missingFileMessage(config) : "does not exist"));
        }
        return config;
    }

    /** The weight file for the first available variant in {@code preference} (FP32 when empty). */
    public WeightFile weights(List<Variant> preference) {
        if (!hasWeights()) throw new CheckpointException("component " + name + " (" + className + ") has no weights");
        try {
            return WeightFile.locate(folder, preference);
        } catch (CheckpointException e) {
            throw new CheckpointException("component " + name + " (" + className + "): " + e.getMessage(), e);
        }
    }

    public WeightFile weights(Variant... preference) {
        return weights(List.of(preference));
    }

    /** Opens the weights ({@link #weights(List)}); the caller closes them. */
    public SafetensorsSource openWeights(Variant... preference) {
        return weights(preference).open();
    }
}
