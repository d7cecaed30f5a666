package dev.turbojet.pipeline;

import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.SafetensorsSource;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.Variant;
import dev.turbojet.io.singlefile.Component;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** A diffusers folder as a {@link ModelSource}: configs read at construction, weight files opened on demand. */
final class FolderModelSource implements ModelSource {
    private final ModelFolder folder;
    private final Variant[] variants;
    private final ModelConfig config;
    private final Map<Component, SafetensorsSource> open = new EnumMap<>(Component.class);

    FolderModelSource(ModelFolder folder, List<Variant> variants) {
        this.folder = folder;
        this.variants = variants.toArray(Variant[]::new);
        this.config = ModelConfig.fromFolder(folder);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public synchronized TensorSource weights(Component component) {
        return open.computeIfAbsent(component, c -> folder.openWeights(c.folder(), variants));
    }

    @Override
    public String name() {
        return folder.root().toString();
    }

    @Override
    public String description() {
        return folder.root().toString();
    }

    @Override
    public List<Path> taesdPlaces() {
        return List.of(folder.root().resolve("taesd"), folder.root());
    }

    @Override
    public synchronized void close() {
        open.values().forEach(SafetensorsSource::close);
        open.clear();
    }
}
