package dev.turbojet.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SequencedMap;

/**
 * The parsed and validated JSON header of a safetensors file: every entry's dtype, shape and byte
 * range checked against each other and against the data section, ranges checked for overlaps, and
 * {@code __metadata__} as a string map. Nothing here touches the tensor bytes.
 */
public record SafetensorsHeader(List<SafetensorsEntry> entries, Map<String, String> metadata) {
    /** The name under which safetensors stores its string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public SafetensorsHeader {
        entries = List.copyOf(entries);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Parses {@code json} (the header bytes, UTF-8) of {@code file}, whose data section holds
     * {@code dataSize} bytes. Entries come back sorted by name.
     */
    public static SafetensorsHeader parse(Path file, byte[] json, long dataSize) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new SafetensorsException(file, "header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new SafetensorsException(file, "header cannot be read: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new SafetensorsException(file, "header must be a JSON object, found "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        Map<String, String> metadata = Map.of();
        List<SafetensorsEntry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, field.getValue());
            } else {
                entries.add(entry(file, field.getKey(), field.getValue(), dataSize));
            }
        }
        checkNoOverlap(file, entries);
        entries.sort(Comparator.comparing(SafetensorsEntry::name));
        return new SafetensorsHeader(entries, metadata);
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw new SafetensorsException(file, METADATA_KEY + " must be an object of strings, found "
                    + node.getNodeType().toString().toLowerCase());
        }
        SequencedMap<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw new SafetensorsException(file, METADATA_KEY + " entry '" + field.getKey()
                        + "' must be a string, found " + field.getValue());
            }
            out.put(field.getKey(), field.getValue().textValue());
        }
        return out;
    }

    private static SafetensorsEntry entry(Path file, String name, JsonNode node, long dataSize) {
        if (!node.isObject()) {
            throw bad(file, name, "must be an object {dtype, shape, data_offsets}, found " + node);
        }
        JsonNode dtypeNode = required(file, name, node, "dtype");
        if (!dtypeNode.isTextual()) throw bad(file, name, "dtype must be a string, found " + dtypeNode);
        DType dtype = DType.fromSafetensors(dtypeNode.textValue()).orElseThrow(() -> bad(file, name,
                "unknown dtype \"" + dtypeNode.textValue() + "\" (known: " + Arrays.toString(DType.values()) + ")"));

        JsonNode shapeNode = required(file, name, node, "shape");
        if (!shapeNode.isArray()) throw bad(file, name, "shape must be an array, found " + shapeNode);
        long[] dims = new long[shapeNode.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = nonNegativeLong(shapeNode.get(i)).orElseThrow(() ->
                    bad(file, name, "shape " + shapeNode + " must hold non-negative integers"));
        }
        Shape shape = Shape.of(dims);

        JsonNode offsets = required(file, name, node, "data_offsets");
        if (!offsets.isArray() || offsets.size() != 2) {
            throw bad(file, name, "data_offsets must be [begin, end], found " + offsets);
        }
        long begin = nonNegativeLong(offsets.get(0)).orElseThrow(() ->
                bad(file, name, "data_offsets " + offsets + " must hold two non-negative integers"));
        long end = nonNegativeLong(offsets.get(1)).orElseThrow(() ->
                bad(file, name, "data_offsets " + offsets + " must hold two non-negative integers"));
        if (begin > end) throw bad(file, name, "data_offsets " + offsets + " begin after end");
        if (end > dataSize) {
            throw bad(file, name, "data_offsets " + offsets + " run past the data section (" + dataSize
                    + " bytes after the header)");
        }
        long expected;
        try {
            expected = Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw bad(file, name, "shape " + shape + " has more elements than a long can count");
        }
        if (expected != end - begin) {
            throw bad(file, name, dtype + " " + shape + " needs " + expected + " bytes but data_offsets "
                    + offsets + " hold " + (end - begin));
        }
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    /** Sorted by begin, each non-empty range must start at or after the furthest end seen so far. */
    private static void checkNoOverlap(Path file, List<SafetensorsEntry> entries) {
        List<SafetensorsEntry> byBegin = new ArrayList<>(entries);
        byBegin.sort(Comparator.comparingLong(SafetensorsEntry::begin).thenComparingLong(SafetensorsEntry::end));
        SafetensorsEntry furthest = null;
        for (SafetensorsEntry cur : byBegin) {
            if (cur.byteSize() == 0) continue;
            if (furthest != null && cur.begin() < furthest.end()) {
                throw new SafetensorsException(file, "tensor '" + cur.name() + "' bytes [" + cur.begin() + ", "
                        + cur.end() + ") overlap tensor '" + furthest.name() + "' bytes [" + furthest.begin()
                        + ", " + furthest.end() + ")");
            }
            if (furthest == null || cur.end() > furthest.end()) furthest = cur;
        }
    }

    private static JsonNode required(Path file, String name, JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null) throw bad(file, name, "has no \"" + key + "\"");
        return value;
    }

    private static OptionalLong nonNegativeLong(JsonNode n) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(n.longValue());
    }

    private static SafetensorsException bad(Path file, String name, String what) {
        return new SafetensorsException(file, "tensor '" + name + "': " + what);
    }
}
