package dev.turbojet.pipeline;

import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.singlefile.Component;
import dev.turbojet.io.singlefile.SingleFileCheckpoint;
import dev.turbojet.io.singlefile.SingleFileConfigs;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A single-file checkpoint as a {@link ModelSource}: the file's tensors under the name mapping
 * numbered by the configs' block layout, with configs and tokenizers from a folder or bundled.
 */
final class SingleFileModelSource implements ModelSource {
    private final SingleFileCheckpoint checkpoint;
    private final ModelConfig config;

    private SingleFileModelSource(SingleFileCheckpoint checkpoint, ModelConfig config) {
        this.checkpoint = checkpoint;
        this.config = config;
    }

    static SingleFileModelSource open(Path file, Optional<ModelFolder> configFolder) {
        ModelConfig config = ModelConfig.forSingleFile(configFolder);
        SingleFileConfigs layout = configFolder.map(f -> SingleFileConfigs.fromFolder(f.root()))
                .orElseGet(SingleFileConfigs::bundledSdxlTurbo);
        return new SingleFileModelSource(SingleFileCheckpoint.open(file, layout), config);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public TensorSource weights(Component component) {
        return checkpoint.component(component);
    }

    @Override
    public String name() {
        return checkpoint.path().toString();
    }

    @Override
    public String description() {
        return checkpoint.path() + " (single file, configs: " + config.origin() + ")";
    }

    @Override
    public List<Path> taesdPlaces() {
        Path dir = checkpoint.path().toAbsolutePath().getParent();
        return List.of(dir.resolve("taesd"), dir);
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
