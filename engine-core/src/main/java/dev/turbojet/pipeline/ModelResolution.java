package dev.turbojet.pipeline;

import dev.turbojet.hub.HubClient;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.HfCache;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.Variant;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@link ModelSource#resolve}: a single file, a local folder, a snapshot in the hub cache, or a download into it. */
final class ModelResolution {
    private ModelResolution() {
    }

    static ModelSource resolve(String model, List<Variant> variants, ResolveOptions options) {
        Path local = Path.of(model);
        if (Files.isRegularFile(local)) return ModelSource.open(local, options.configFolder(), variants);
        if (options.configFolder().isPresent()) {
            throw new IllegalArgumentException("configs from " + options.configFolder().get() + " apply only to a single-file"
                    + " checkpoint; " + model + " is not a file");
        }
        return ModelSource.folder(folder(model, options), variants);
    }

    /**
     * A local folder, else the repository's snapshot in the hub cache, else (unless offline) the
     * repository downloaded from the hub into that cache.
     */
    private static ModelFolder folder(String model, ResolveOptions options) {
        try {
            return ModelFolder.resolve(model, options.revision(), options.hfCache());
        } catch (CheckpointException notFound) {
            if (Files.exists(Path.of(model)) || !HfCache.isRepoId(model)) throw notFound;
            if (options.offline()) {
                throw new CheckpointException(notFound.getMessage() + "; --offline downloads nothing: run once without it, "
                        + "or pass a local diffusers folder or single file with --model /path", notFound);
            }
            options.notices().accept(model + " is not in the hub cache; downloading it");
            Path snapshot = new HubClient(options.hubSettings()).download(model, options.revision().orElse("main"),
                    options.progress());
            return ModelFolder.open(snapshot);
        }
    }
}
