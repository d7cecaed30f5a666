package dev.turbojet.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One golden safetensors file: its tensors by name, and the cases found in their names
 * ({@code <case>.<field>}). Read-only; closed by the verifier.
 */
public record GoldenFile(Path path, SafetensorsFile file) implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static GoldenFile open(Path path) {
        return new GoldenFile(path, SafetensorsFile.open(path));
    }

    public String fileName() {
        return path.getFileName().toString();
    }

    public SortedSet<String> names() {
        return file.names();
    }

    public boolean has(String name) {
        return file.find(name).isPresent();
    }

    public TensorView view(String name) {
        return file.find(name).orElseThrow(() -> new CheckpointException(path + ": no golden tensor '" + name + "'"));
    }

    public HostTensor host(String name) {
        return view(name).toHost();
    }

    public long[] longs(String name) {
        return view(name).toLongArray();
    }

    /** Case prefixes of every tensor named {@code <case><suffix>}, sorted ("sq16_t999_b2" for ".in.sample"). */
    public List<String> cases(String suffix) {
        SortedSet<String> out = new TreeSet<>();
        for (String n : names()) {
            if (n.endsWith(suffix) && n.length() > suffix.length()) out.add(n.substring(0, n.length() - suffix.length()));
        }
        return new ArrayList<>(out);
    }

    /** Names under {@code prefix} ("sq16_t999_b2.hook."), with the prefix removed. */
    public List<String> under(String prefix) {
        return names().stream().filter(n -> n.startsWith(prefix)).map(n -> n.substring(prefix.length())).toList();
    }

    /**
     * The prompts list that accompanies the goldens: a JSON file in the same folder with a top-level
     * {@code prompts} array of objects holding a {@code prompt} string (tokenizer_prompts.json).
     */
    public Optional<List<String>> prompts() {
        try (Stream<Path> files = Files.list(path.getParent())) {
            for (Path json : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode root = JSON.readTree(json.toFile());
                JsonNode prompts = root == null ? null : root.get("prompts");
                if (prompts == null || !prompts.isArray()) continue;
                List<String> out = new ArrayList<>();
                for (JsonNode p : prompts) out.add(p.path("prompt").asText());
                return Optional.of(out);
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new CheckpointException(path.getParent() + ": cannot read the prompts file: " + e.getMessage(), e);
        }
    }

    /** A JSON file beside this golden with the same stem ("torch_randn.json" for torch_randn.safetensors). */
    public Optional<JsonNode> companionJson() {
        String stem = fileName().replaceFirst("\\.safetensors$", "");
        Path json = path.resolveSibling(stem + ".json");
        if (!Files.isRegularFile(json)) return Optional.empty();
        try {
            return Optional.ofNullable(JSON.readTree(json.toFile()));
        } catch (IOException e) {
            throw new CheckpointException(json + ": not valid JSON: " + dev.turbojet.io.ConfigJson.problem(e), e);
        }
    }

    @Override
    public void close() {
        file.close();
    }
}
