package dev.turbojet.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A diffusers pipeline folder: {@code model_index.json} names the pipeline class and its components
 * ({@code "unet": ["diffusers", "UNet2DConditionModel"]}), each in a sub-folder of the same name
 * ({@code unet/}, {@code vae/}, {@code text_encoder/}, ..., {@code scheduler/}). Found at a local path
 * or as a snapshot in the Hugging Face cache.
 */
public final class ModelFolder {
    public static final String INDEX = "model_index.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final String className;
    private final List<ModelComponent> components;
    private final Map<String, JsonNode> attributes;

    private ModelFolder(Path root, String className, List<ModelComponent> components, Map<String, JsonNode> attributes) {
        this.root = root;
        this.className = className;
        this.components = components;
        this.attributes = attributes;
    }

    /** Reads {@code root/model_index.json}; every component it names must have its folder. */
    public static ModelFolder open(Path root) {
        Path index = root.resolve(INDEX);
        JsonNode json = readIndex(root, index);
        JsonNode cls = json.get("_class_name");
        if (cls == null || !cls.isTextual()) throw new CheckpointException(index + ": no \"_class_name\"");
        List<ModelComponent> components = new ArrayList<>();
        Map<String, JsonNode> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : json.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (!name.startsWith("_") && !v.isArray()) attributes.put(name, v);
            if (name.startsWith("_") || !v.isArray()) continue;          // attributes: _class_name, force_zeros_for_empty_prompt, ...
            if (v.size() != 2) throw new CheckpointException(index + ": component \"" + name + "\" must be [library, class], found " + v);
            if (v.get(0).isNull() && v.get(1).isNull()) continue;        // an optional component left out ([null, null])
            if (!v.get(0).isTextual() || !v.get(1).isTextual()) {
                throw new CheckpointException(index + ": component \"" + name + "\" must be [library, class], found " + v);
            }
            if (name.contains("/") || name.contains("\\") || name.equals("..")) {
                throw new CheckpointException(index + ": component name \"" + name + "\" is not a folder name");
            }
            Path folder = root.resolve(name);
            if (!Files.isDirectory(folder)) {
                throw new CheckpointException("component " + name + " (" + v.get(1).textValue() + "), listed in " + index
                        + ": folder " + folder + " does not exist");
            }
            components.add(new ModelComponent(name, v.get(0).textValue(), v.get(1).textValue(), folder));
        }
        return new ModelFolder(root, cls.textValue(), List.copyOf(components), Collections.unmodifiableMap(attributes));
    }

    /** The snapshot of {@code repoId} ("stabilityai/sdxl-turbo") at {@code revision} (main when empty) in {@code cache}. */
    public static ModelFolder fromCache(HfCache cache, String repoId, Optional<String> revision) {
        return open(cache.snapshot(repoId, revision));
    }

    /**
     * {@code location} as a local folder when one exists there, else as a repository id in the
     * Hugging Face cache the environment points to.
     */
    public static ModelFolder resolve(String location, Optional<String> revision) {
        return resolve(location, revision, HfCache.fromEnvironment());
    }

    /**
     * {@code location} as a local folder when one exists there, else as a repository id at
     * {@code revision} (main when empty) in {@code cache}; nothing is downloaded.
     */
    public static ModelFolder resolve(String location, Optional<String> revision, HfCache cache) {
        Path local = Path.of(location);
        if (Files.isDirectory(local)) return open(local);
        if (Files.exists(local)) throw new CheckpointException(location + ": not a folder");
        if (!HfCache.isRepoId(location)) {
            throw new CheckpointException(location + ": no such folder, and not a repository id (owner/name)");
        }
        try {
            return fromCache(cache, location, revision);
        } catch (CheckpointException e) {
            throw new CheckpointException(location + ": no such local folder; as a repository id: " + e.getMessage(), e);
        }
    }

    /** Whether {@code folder} looks like a pipeline folder (has a model_index.json). */
    public static boolean isModelFolder(Path folder) {
        return Files.isRegularFile(folder.resolve(INDEX));
    }

    private static JsonNode readIndex(Path root, Path index) {
        try {
            JsonNode json = JSON.readTree(Files.readAllBytes(index));
            if (json == null || !json.isObject()) throw new CheckpointException(index + ": not a JSON object");
            return json;
        } catch (NoSuchFileException e) {
            throw new CheckpointException(root + ": no " + INDEX + ", so not a diffusers model folder"
                    + (Files.isDirectory(root) ? " (it holds " + WeightFile.listing(root) + ")" : " (no such folder)"), e);
        } catch (JacksonException e) {
            throw new CheckpointException(index + ": not valid JSON: " + ConfigJson.problem(e), e);
        } catch (IOException e) {
            throw new CheckpointException(index + ": cannot read: " + e, e);
        }
    }

    public Path root() {
        return root;
    }

    /** The pipeline class ("StableDiffusionXLPipeline"). */
    public String className() {
        return className;
    }

    /**
     * The pipeline's own settings in model_index.json: every key that is neither a component nor
     * starts with "_" ({@code force_zeros_for_empty_prompt}, {@code requires_aesthetics_score}, ...).
     */
    public Map<String, JsonNode> attributes() {
        return attributes;
    }

    /**
     * {@code force_zeros_for_empty_prompt}: under guidance with no negative prompt, whether the
     * unconditional embeddings are zeros rather than the encoded empty prompt (diffusers' default, true).
     */
    public boolean forceZerosForEmptyPrompt() {
        JsonNode v = attributes.get("force_zeros_for_empty_prompt");
        if (v == null || v.isNull()) return true;
        if (!v.isBoolean()) {
            throw new CheckpointException(root.resolve(INDEX) + ": force_zeros_for_empty_prompt must be true or false, found " + v);
        }
        return v.booleanValue();
    }

    /** The components present, in model_index.json order. */
    public List<ModelComponent> components() {
        return components;
    }

    /** The component {@code name}; a clear error listing the others when there is none. */
    public ModelComponent component(String name) {
        return components.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() ->
                new CheckpointException(root + ": no component \"" + name + "\" in " + INDEX + " (it has "
                        + components.stream().map(ModelComponent::name).collect(Collectors.joining(", ")) + ")"));
    }

    /** The config file of component {@code name} (config.json, scheduler_config.json, ...). */
    public Path config(String name) {
        return component(name).config();
    }

    /** The weights of component {@code name} for the first available variant in {@code preference} (FP32 when empty). */
    public WeightFile weights(String name, Variant... preference) {
        return component(name).weights(preference);
    }

    public WeightFile weights(String name, List<Variant> preference) {
        return component(name).weights(preference);
    }

    /** Opens the weights of component {@code name}; the caller closes them. */
    public SafetensorsSource openWeights(String name, Variant... preference) {
        return weights(name, preference).open();
    }

    @Override
    public String toString() {
        return "ModelFolder[" + root + ", " + className + "]";
    }
}
