package dev.turbojet.pipeline;

import dev.turbojet.io.Variant;
import dev.turbojet.ops.Ops;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * How {@link SdxlPipeline#load} loads a model.
 *
 * @param variants  weight files to use, in preference order, per component (fp32 first by default)
 * @param vaeOps    backend for the VAE when it should not run on the pipeline's own backend (the SDXL
 *                  VAE overflows in fp16: a GPU pipeline in half precision passes an fp32 backend here);
 *                  empty: the pipeline's backend
 * @param modelName how images name the model in their metadata ("stabilityai/sdxl-turbo"); empty: the folder
 * @param warnings  receives warnings (a truncated prompt, an ignored negative prompt); default: java.util.logging
 */
public record PipelineOptions(List<Variant> variants, Optional<Ops> vaeOps, Optional<String> modelName,
                              Consumer<String> warnings) {
    private static final Logger LOG = Logger.getLogger(SdxlPipeline.class.getName());

    public PipelineOptions {
        variants = List.copyOf(variants);
        if (variants.isEmpty()) throw new IllegalArgumentException("no weight variant to load");
        Objects.requireNonNull(vaeOps, "vaeOps");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(warnings, "warnings");
    }

    /** Any variant (fp32 preferred), the VAE on the pipeline's backend, warnings to java.util.logging. */
    public static PipelineOptions defaults() {
        return new PipelineOptions(Variant.ANY, Optional.empty(), Optional.empty(), LOG::warning);
    }

    public PipelineOptions withVariants(List<Variant> preference) {
        return new PipelineOptions(preference, vaeOps, modelName, warnings);
    }

    public PipelineOptions withVaeOps(Ops ops) {
        return new PipelineOptions(variants, Optional.of(ops), modelName, warnings);
    }

    public PipelineOptions withModelName(String name) {
        return new PipelineOptions(variants, vaeOps, Optional.of(name), warnings);
    }

    public PipelineOptions withWarnings(Consumer<String> listener) {
        return new PipelineOptions(variants, vaeOps, modelName, listener);
    }
}
