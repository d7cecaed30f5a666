package dev.turbojet.pipeline;

import dev.turbojet.io.Variant;
import dev.turbojet.ops.Ops;
import dev.turbojet.vae.VaeTiling;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * How {@link SdxlPipeline#load} loads a model. Immutable; start from {@link #defaults()} and change
 * what differs with the {@code with...} methods.
 *
 * @param variants     weight files to use, in preference order, per component (fp32 first by default);
 *                     a diffusers folder only: a single-file checkpoint has one set of weights
 * @param vaeOps       backend for the VAE (and TAESD) when it should not run on the pipeline's own
 *                     backend; the caller keeps and closes it. Empty: the pipeline's backend, except
 *                     that an fp16 GPU backend gets a bf16 one beside it for the VAE (the SDXL VAE
 *                     overflows in fp16), which the pipeline opens and closes itself
 *                     ({@link dev.turbojet.ops.Backend#vaeBackendFor})
 * @param modelName    how images name the model in their metadata ("stabilityai/sdxl-turbo"); empty:
 *                     the folder or file
 * @param warnings     receives warnings (a truncated prompt, an ignored negative prompt); default: java.util.logging
 * @param taesdDecoder a {@code taesdxl_decoder.safetensors} file: the final decode runs this tiny
 *                     autoencoder instead of the full VAE (much faster, slightly softer images); empty:
 *                     the full VAE. The VAE still loads: img2img encodes with it.
 * @param checkEachOp  wait for every op and check its output for NaN and infinity, so a GPU fault or the
 *                     first non-finite value is pinned to the op that caused it ({@link dev.turbojet.ops.CheckedOps});
 *                     slow, for finding faults
 * @param progress     told, as the load goes, which component is being read from where ("unet from
 *                     .../unet/diffusion_pytorch_model.fp16.safetensors"); default: nothing
 * @param graphs       record the UNet's denoise once per shape and replay it at every step where the backend
 *                     can ({@link Ops#prepare}: CUDA graphs), instead of launching each of its kernels; off by
 *                     default until measured on a GPU, and ignored while each op is checked
 * @param vaeTiling    when the VAE decodes by tiles in bounded memory ({@link VaeTiling}): AUTO (the default)
 *                     when the latents are larger than one tile, as diffusers does after {@code enable_tiling()},
 *                     so a size that fits one tile (512 px for SDXL Turbo) decodes exactly as untiled; ON always;
 *                     OFF never (diffusers' default). Tiled images differ slightly from untiled ones, as in diffusers.
 *                     TAESD decodes untiled.
 * @param vaeTiles     the tile size and overlap; empty: diffusers' for the VAE ({@link VaeTiling#defaults}: its
 *                     sample_size, 512 px for SDXL, overlap 0.25)
 */
public record PipelineOptions(List<Variant> variants, Optional<Ops> vaeOps, Optional<String> modelName,
                              Consumer<String> warnings, Optional<Path> taesdDecoder, boolean checkEachOp,
                              boolean graphs, Consumer<String> progress,
                              VaeTiling.Mode vaeTiling, Optional<VaeTiling> vaeTiles) {
    private static final Logger LOG = Logger.getLogger(SdxlPipeline.class.getName());

    public PipelineOptions {
        variants = List.copyOf(variants);
        if (variants.isEmpty()) throw new IllegalArgumentException("no weight variant to load");
        Objects.requireNonNull(vaeOps, "vaeOps");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(warnings, "warnings");
        Objects.requireNonNull(taesdDecoder, "taesdDecoder");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(vaeTiling, "vaeTiling");
        Objects.requireNonNull(vaeTiles, "vaeTiles");
    }

    /** Any variant (fp32 preferred), the VAE's backend chosen by the pipeline, warnings to java.util.logging. */
    public static PipelineOptions defaults() {
        return new PipelineOptions(Variant.ANY, Optional.empty(), Optional.empty(), LOG::warning, Optional.empty(), false, false,
                line -> { }, VaeTiling.Mode.AUTO, Optional.empty());
    }

    public PipelineOptions withVariants(List<Variant> preference) {
        return new PipelineOptions(preference, vaeOps, modelName, warnings, taesdDecoder, checkEachOp, graphs, progress,
                vaeTiling, vaeTiles);
    }

    public PipelineOptions withVaeOps(Ops ops) {
        return new PipelineOptions(variants, Optional.of(ops), modelName, warnings, taesdDecoder, checkEachOp, graphs, progress,
                vaeTiling, vaeTiles);
    }

    public PipelineOptions withModelName(String name) {
        return new PipelineOptions(variants, vaeOps, Optional.of(name), warnings, taesdDecoder, checkEachOp, graphs, progress,
                vaeTiling, vaeTiles);
    }

    public PipelineOptions withWarnings(Consumer<String> listener) {
        return new PipelineOptions(variants, vaeOps, modelName, listener, taesdDecoder, checkEachOp, graphs, progress,
                vaeTiling, vaeTiles);
    }

    /** Final decode with the TAESD decoder in {@code decoderFile} ({@code taesdxl_decoder.safetensors}). */
    public PipelineOptions withTaesdDecoder(Path decoderFile) {
        return new PipelineOptions(variants, vaeOps, modelName, warnings, Optional.of(decoderFile), checkEachOp, graphs, progress,
                vaeTiling, vaeTiles);
    }

    /** Replays the UNet's denoise as a recorded graph where the backend can (see {@code graphs}). */
    public PipelineOptions withGraphs(boolean record) {
        return new PipelineOptions(variants, vaeOps, modelName, warnings, taesdDecoder, checkEachOp, record, progress,
                vaeTiling, vaeTiles);
    }

    /** Tells {@code listener} which component loads from where, as the load goes (see {@code progress}). */
    public PipelineOptions withProgress(Consumer<String> listener) {
        return new PipelineOptions(variants, vaeOps, modelName, warnings, taesdDecoder, checkEachOp, graphs, listener,
                vaeTiling, vaeTiles);
    }

    /** Waits for every op and checks its output for NaN and infinity (see {@code checkEachOp}). */
    public PipelineOptions withEachOpChecked(boolean check) {
        return new PipelineOptions(variants, vaeOps, modelName, warnings, taesdDecoder, check, graphs, progress,
                vaeTiling, vaeTiles);
    }

    /** Decodes by tiles as {@code mode} says (see {@code vaeTiling}). */
    public PipelineOptions withVaeTiling(VaeTiling.Mode mode) {
        return new PipelineOptions(variants, vaeOps, modelName, warnings, taesdDecoder, checkEachOp, graphs, progress,
                mode, vaeTiles);
    }

    /** Tiles of this size and overlap, when {@code vaeTiling} tiles (see {@code vaeTiles}). */
    public PipelineOptions withVaeTiles(VaeTiling tiles) {
        return new PipelineOptions(variants, vaeOps, modelName, warnings, taesdDecoder, checkEachOp, graphs, progress, vaeTiling,
                Optional.of(tiles));
    }
}
