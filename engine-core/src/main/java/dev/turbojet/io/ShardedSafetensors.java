package dev.turbojet.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A checkpoint split over several safetensors files, described by an index
 * ({@code model.safetensors.index.json}: {@code {"metadata": {...}, "weight_map": {tensor: shard}}}).
 * Every shard is opened and every weight_map entry checked against its shard when the index opens.
 */
public final class ShardedSafetensors extends MappedTensors {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private final Path index;
    private final Map<String, String> metadata;
    private final List<SafetensorsFile> shards;

    private ShardedSafetensors(Path index, Map<String, String> metadata, List<SafetensorsFile> shards,
                               Map<String, TensorView> views) {
        super(views);
        this.index = index;
        this.metadata = metadata;
        this.shards = shards;
    }

    /** Opens the index and every shard it names (resolved beside the index). */
    public static ShardedSafetensors open(Path index) {
        JsonNode root = readIndex(index);
        JsonNode weightMap = root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsException(index, "index has no \"weight_map\" object");
        }
        Map<String, String> metadata = metadata(index, root.get("metadata"));

        Map<String, List<String>> tensorsByShard = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsException(index, "weight_map entry '" + e.getKey() + "' must name a shard file, found " + e.getValue());
            }
            tensorsByShard.computeIfAbsent(e.getValue().textValue(), k -> new ArrayList<>()).add(e.getKey());
        }

        List<SafetensorsFile> shards = new ArrayList<>();
        try {
            Map<String, TensorView> views = new TreeMap<>();
            for (Map.Entry<String, List<String>> e : tensorsByShard.entrySet()) {
                SafetensorsFile shard = openShard(index, e.getKey(), e.getValue());
                shards.add(shard);
                for (String name : e.getValue()) {
                    TensorView view = shard.find(name).orElseThrow(() -> new SafetensorsException(index,
                            "weight_map puts tensor '" + name + "' in shard " + e.getKey() + ", which has no such tensor"));
                    views.put(name, view);
                }
            }
            return new ShardedSafetensors(index, metadata, List.copyOf(shards), Collections.unmodifiableMap(views));
        } catch (RuntimeException e) {
            shards.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static JsonNode readIndex(Path index) {
        try {
            JsonNode root = JSON.readTree(Files.readAllBytes(index));
            if (root == null || !root.isObject()) throw new SafetensorsException(index, "index is not a JSON object");
            return root;
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(index, SafetensorsFile.missingFileMessage(index), e);
        } catch (JacksonException e) {
            throw new SafetensorsException(index, "index is not valid JSON: " + ConfigJson.problem(e), e);
        } catch (IOException e) {
            throw new SafetensorsException(index, "cannot read: " + e, e);
        }
    }

    /** The index's metadata; non-string values (total_size is a number) kept as their JSON text. */
    private static Map<String, String> metadata(Path index, JsonNode node) {
        if (node == null || node.isNull()) return Map.of();
        if (!node.isObject()) throw new SafetensorsException(index, "index \"metadata\" must be an object, found " + node);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
        }
        return Collections.unmodifiableMap(out);
    }

    private static SafetensorsFile openShard(Path index, String shardName, List<String> tensors) {
        Path folder = index.toAbsolutePath().getParent();
        Path shard = folder.resolve(shardName).normalize();
        if (!shard.getParent().equals(folder.normalize())) {
            throw new SafetensorsException(index, "shard '" + shardName + "' must be a file name beside the index");
        }
        if (!Files.exists(shard)) {
            throw new SafetensorsException(index, "shard " + shardName + " (holding " + tensors.size()
                    + " tensor(s), e.g. '" + tensors.getFirst() + "') is missing: " + shard + ": "
                    + SafetensorsFile.missingFileMessage(shard));
        }
        return SafetensorsFile.open(shard);
    }

    public Path index() {
        return index;
    }

    /** The opened shards, in file-name order. */
    public List<SafetensorsFile> shards() {
        return shards;
    }

    @Override
    public List<Path> files() {
        return shards.stream().map(SafetensorsFile::path).toList();
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String description() {
        return index.toString();
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
