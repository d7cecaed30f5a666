package dev.turbojet.pipeline;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.Variant;
import dev.turbojet.io.singlefile.Component;
import dev.turbojet.taesd.TaesdFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link SdxlPipeline#load(ModelSource, dev.turbojet.ops.Ops, PipelineOptions)} loads from: the
 * configs and tokenizers ({@link #config()}) and, per model component, its tensors under diffusers'
 * names. Two layouts implement it: a diffusers folder ({@link #folder}) and an original single-file
 * checkpoint ({@link #singleFile}); the pipeline's loading code is the same for both. {@link #resolve}
 * finds either from a string, as {@code turbojet generate --model} does: a folder, a file, or a
 * Hugging Face repository id read from the hub cache and downloaded into it when missing.
 *
 * <p>The caller closes a source; the tensors it handed out are valid until then (a backend copies
 * what it binds, so a loaded pipeline does not need its source any more).
 */
public sealed interface ModelSource extends AutoCloseable permits FolderModelSource, SingleFileModelSource {
    /** Tokenizers, model configs, scheduler config. */
    ModelConfig config();

    /** The tensors of {@code component}, diffusers-named; opened on first use, valid until {@link #close()}. */
    TensorSource weights(Component component);

    /** The folder or file, as images name the model by default. */
    String name();

    /** Where the model and its configs are, for messages. */
    String description();

    /**
     * Where a TAESD decoder for this model is looked for, in order: the model folder's {@code taesd/}
     * subfolder, then the model folder (for a single file: the folder it is in).
     */
    List<Path> taesdPlaces();

    /**
     * The TAESD decoder ({@value TaesdFiles#DECODER}) for this model, for
     * {@link PipelineOptions#withTaesdDecoder} or a {@link dev.turbojet.taesd.TaesdPreviewer}:
     * {@code given} (the file, or a folder holding it) when present, else the first of
     * {@link #taesdPlaces()} holding it. Never the full VAE instead: when there is none, the error
     * names every place it looked.
     */
    default Path taesdDecoder(Optional<Path> given) {
        return TaesdFiles.decoder(given, taesdPlaces());
    }

    /** Releases every file opened for {@link #weights}. */
    @Override
    void close();

    /**
     * The model {@code modelOrRepoId} names, found as {@code turbojet generate --model} finds it:
     * <ul>
     * <li>a single-file checkpoint ({@code .safetensors}, {@link #singleFile}) with the configs of
     *     {@code options.configFolder()} when given, else the bundled SDXL Turbo ones;</li>
     * <li>a local diffusers folder ({@link #folder}), weights from the first of {@code variants} each
     *     component has;</li>
     * <li>else a Hugging Face repository id ("stabilityai/sdxl-turbo") at {@code options.revision()}:
     *     its snapshot in the hub cache, else, unless {@code options.offline()}, the repository
     *     downloaded into that cache (only the files the engine needs, fp16 weights where the repository
     *     has them: {@link dev.turbojet.hub.HubClient#download}).</li>
     * </ul>
     * A name that is none of these fails saying what is missing and where it looked.
     */
    static ModelSource resolve(String modelOrRepoId, List<Variant> variants, ResolveOptions options) {
        return ModelResolution.resolve(modelOrRepoId, variants, options);
    }

    /** A diffusers folder, each component's weights from the first variant in {@code variants} it has. */
    static ModelSource folder(ModelFolder folder, List<Variant> variants) {
        return new FolderModelSource(folder, variants);
    }

    /**
     * An original single-file SDXL checkpoint ({@code sd_xl_turbo_1.0_fp16.safetensors}, any SDXL
     * architecture), with configs and tokenizers from the diffusers folder {@code configFolder} when
     * given, else the bundled SDXL Turbo ones ({@link ModelConfig#bundledSdxlTurbo()}).
     */
    static ModelSource singleFile(Path file, Optional<Path> configFolder) {
        return SingleFileModelSource.open(file, configFolder.map(ModelFolder::open));
    }

    /**
     * {@code path} as a diffusers folder when it is a directory, as a single-file checkpoint when it
     * is a {@code .safetensors} file. {@code variants} apply to folders; {@code configFolder} only to
     * single files (a folder carries its own configs).
     */
    static ModelSource open(Path path, Optional<Path> configFolder, List<Variant> variants) {
        if (Files.isDirectory(path)) {
            if (configFolder.isPresent()) {
                throw new IllegalArgumentException(path + " is a diffusers folder with its own configs; configs from "
                        + configFolder.get() + " apply only to a single-file checkpoint");
            }
            return folder(ModelFolder.open(path), variants);
        }
        if (Files.isRegularFile(path)) {
            if (!path.getFileName().toString().endsWith(".safetensors")) {
                throw new CheckpointException(path + ": not a .safetensors file; a model is a diffusers folder or a"
                        + " single-file .safetensors checkpoint");
            }
            return singleFile(path, configFolder);
        }
        throw new CheckpointException(path + ": no such file or folder");
    }
}
