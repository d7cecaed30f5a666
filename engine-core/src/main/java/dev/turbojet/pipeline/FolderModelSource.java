package dev.turbojet.pipeline;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.ModelComponent;
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

    /** The pipeline classes whose folders hold what turbojet runs: SDXL's components. */
    static final List<String> PIPELINES = List.of("StableDiffusionXLPipeline", "StableDiffusionXLImg2ImgPipeline");
    /** Each model component turbojet builds, and the class model_index.json must name for it. */
    static final Map<String, String> COMPONENTS = Map.of("unet", "UNet2DConditionModel", "vae", "AutoencoderKL",
            "text_encoder", "CLIPTextModel", "text_encoder_2", "CLIPTextModelWithProjection");

    FolderModelSource(ModelFolder folder, List<Variant> variants) {
        requireSdxl(folder);
        this.folder = folder;
        this.variants = variants.toArray(Variant[]::new);
        this.config = ModelConfig.fromFolder(folder);
    }

    /** A folder of another pipeline or with other model classes is refused, saying what is supported. */
    static void requireSdxl(ModelFolder folder) {
        String index = folder.root().resolve(ModelFolder.INDEX).toString();
        if (!PIPELINES.contains(folder.className())) {
            throw new CheckpointException(index + ": _class_name " + folder.className() + " is not supported: turbojet runs "
                    + String.join(" and ", PIPELINES) + " folders (SDXL, SDXL Turbo)");
        }
        for (ModelComponent c : folder.components()) {
            String expected = COMPONENTS.get(c.name());
            if (expected != null && !expected.equals(c.className())) {
                throw new CheckpointException(index + ": " + c.name() + " is " + c.className() + "; turbojet runs " + expected
                        + " there");
            }
        }
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
