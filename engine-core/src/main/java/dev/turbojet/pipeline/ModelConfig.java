package dev.turbojet.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turbojet.clip.ClipTextConfig;
import dev.turbojet.clip.ClipTokenizer;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.singlefile.Component;
import dev.turbojet.io.singlefile.SingleFileConfigs;
import dev.turbojet.schedule.SchedulerConfig;
import dev.turbojet.unet.UNetConfig;
import dev.turbojet.vae.VaeConfig;

import java.util.Objects;
import java.util.Optional;

/**
 * Everything of an SDXL model but its weights: both tokenizers, the four model configs, the
 * scheduler config and the pipeline's {@code force_zeros_for_empty_prompt}. A diffusers folder
 * carries all of it; a single-file checkpoint carries none, so it takes them from a folder or from
 * the SDXL Turbo files bundled with the engine.
 *
 * @param origin where the configs come from, for messages ("bundled SDXL Turbo configs", a folder)
 */
public record ModelConfig(ClipTokenizer tokenizer, ClipTokenizer tokenizer2, ClipTextConfig textEncoder,
                          ClipTextConfig textEncoder2, UNetConfig unet, VaeConfig vae, SchedulerConfig scheduler,
                          boolean forceZerosForEmptyPrompt, String origin) {
    public ModelConfig {
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(tokenizer2, "tokenizer2");
        Objects.requireNonNull(textEncoder, "textEncoder");
        Objects.requireNonNull(textEncoder2, "textEncoder2");
        Objects.requireNonNull(unet, "unet");
        Objects.requireNonNull(vae, "vae");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(origin, "origin");
    }

    /** The configs and tokenizers of a diffusers folder (its weights are not touched). */
    public static ModelConfig fromFolder(ModelFolder folder) {
        return new ModelConfig(
                ClipTokenizer.load(folder.component("tokenizer").folder()),
                ClipTokenizer.load(folder.component("tokenizer_2").folder()),
                ClipTextConfig.read(folder.config("text_encoder")),
                ClipTextConfig.read(folder.config("text_encoder_2")),
                UNetConfig.read(folder.config("unet")),
                VaeConfig.read(folder.config("vae")),
                SchedulerConfig.load(folder.config("scheduler")),
                folder.forceZerosForEmptyPrompt(),
                folder.root().toString());
    }

    /**
     * stabilityai/sdxl-turbo's configs and tokenizers as bundled with the engine
     * ({@value SingleFileConfigs#BUNDLED_SDXL_TURBO}, with the bundled CLIP vocabulary): what an
     * SDXL single-file checkpoint is read with unless a folder is given.
     */
    public static ModelConfig bundledSdxlTurbo() {
        SingleFileConfigs models = SingleFileConfigs.bundledSdxlTurbo();
        String root = SingleFileConfigs.BUNDLED_SDXL_TURBO;
        return new ModelConfig(
                ClipTokenizer.bundled(root + "tokenizer/"),
                ClipTokenizer.bundled(root + "tokenizer_2/"),
                ClipTextConfig.parse(json(models, Component.TEXT_ENCODER), root + "text_encoder/config.json"),
                ClipTextConfig.parse(json(models, Component.TEXT_ENCODER_2), root + "text_encoder_2/config.json"),
                UNetConfig.fromJson(models.config(Component.UNET)),
                VaeConfig.parse(json(models, Component.VAE), root + "vae/config.json"),
                SchedulerConfig.sdxlTurbo(),
                true,                                    // sdxl-turbo's model_index.json (and diffusers' default)
                models.origin());
    }

    /**
     * The configs for a single-file checkpoint: those of the diffusers folder {@code folder} when
     * given (its tokenizers too; its weights are not read), else {@link #bundledSdxlTurbo()}.
     */
    public static ModelConfig forSingleFile(Optional<ModelFolder> folder) {
        return folder.map(ModelConfig::fromFolder).orElseGet(ModelConfig::bundledSdxlTurbo);
    }

    private static String json(SingleFileConfigs configs, Component c) {
        JsonNode node = configs.config(c);
        return node.toString();
    }
}
