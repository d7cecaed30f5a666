package dev.turbojet.pipeline;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.Variant;
import dev.turbojet.io.singlefile.Component;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link SdxlPipeline#load(ModelSource, dev.turbojet.ops.Ops, PipelineOptions)} loads from: the
 * configs and tokenizers ({@link #config()}) and, per model component, its tensors under diffusers'
 * names. Two layouts implement it: a diffusers folder ({@link #folder}) and an original single-file
 * checkpoint ({@link #singleFile}); the pipeline's loading code is the same for both.
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

    /** Releases every file opened for {@link #weights}. */
    @Override
    void close();

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
