package dev.turbojet.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Stand-in safetensors reader for the golden files until {@code dev.turbojet.io.SafetensorsFile}
 * lands: 8-byte little-endian header length, JSON header, raw data; whole file read into memory.
 */
final class GoldenReader implements TensorSource {
    static final Path GOLDENS = Path.of("src/test/resources/reference/goldens");

    private final String description;
    private final Map<String, TensorView> tensors = new TreeMap<>();

    private GoldenReader(Path file) {
        this.description = file.getFileName().toString();
        try {
            byte[] bytes = Files.readAllBytes(file);
            long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, Math.toIntExact(headerLen),
                    java.nio.charset.StandardCharsets.UTF_8));
            MemorySegment data = MemorySegment.ofArray(bytes).asSlice(8 + headerLen);
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) continue;
                JsonNode t = e.getValue();
                DType dtype = DType.fromSafetensors(t.get("dtype").asText()).orElseThrow(
                        () -> new IllegalStateException(description + ": unknown dtype " + t.get("dtype")));
                long[] dims = new long[t.get("shape").size()];
                for (int i = 0; i < dims.length; i++) dims[i] = t.get("shape").get(i).asLong();
                long b = t.get("data_offsets").get(0).asLong();
                long end = t.get("data_offsets").get(1).asLong();
                tensors.put(e.getKey(), new TensorView(e.getKey(), dtype, Shape.of(dims), data.asSlice(b, end - b), description));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static GoldenReader open(String fileName) {
        return new GoldenReader(GOLDENS.resolve(fileName));
    }

    @Override
    public SortedSet<String> names() {
        return new TreeSet<>(tensors.keySet());
    }

    @Override
    public Optional<TensorView> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    TensorView get(String name) {
        return find(name).orElseThrow(() -> new AssertionError(description + " has no tensor " + name));
    }

    @Override
    public String description() {
        return description;
    }
}
