package dev.turbojet.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;

/**
 * Builds a safetensors file the way the reference files are written: compact JSON header with
 * {@code __metadata__} first and tensors sorted by name, laid out in that order, header padded with
 * spaces to a multiple of 8. Tensors are added as raw little-endian bytes or as floats that are
 * stored in F32, F16 or BF16 (rounded to nearest even, as torch's {@code .half()} and
 * {@code .bfloat16()} do).
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pending(DType dtype, Shape shape, byte[] bytes) {}

    private final SequencedMap<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Pending> tensors = new TreeMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter metadata(Map<String, String> entries) {
        metadata.putAll(entries);
        return this;
    }

    /** A tensor from raw little-endian bytes; their count must match dtype and shape. */
    public SafetensorsWriter add(String name, DType dtype, Shape shape, byte[] bytes) {
        if (name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is reserved for metadata");
        }
        long expected = Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
        if (bytes.length != expected) {
            throw new IllegalArgumentException("tensor '" + name + "' " + dtype + shape + " needs " + expected
                    + " bytes, given " + bytes.length);
        }
        if (tensors.putIfAbsent(name, new Pending(dtype, shape, bytes.clone())) != null) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        return this;
    }

    /** A floating-point tensor stored as {@code dtype} (F32, F16, BF16 or F64). */
    public SafetensorsWriter add(String name, DType dtype, Shape shape, float[] values) {
        if (values.length != shape.numel()) {
            throw new IllegalArgumentException("tensor '" + name + "' " + shape + " needs " + shape.numel()
                    + " values, given " + values.length);
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> buf.putFloat(v);
                case F16 -> buf.putShort(Float.floatToFloat16(v));
                case BF16 -> buf.putShort(toBfloat16(v));
                case F64 -> buf.putDouble(v);
                default -> throw new IllegalArgumentException("tensor '" + name + "': floats cannot be stored as " + dtype);
            }
        }
        return add(name, dtype, shape, buf.array());
    }

    /** An integer tensor (I64, I32, I16, I8, U8 or BOOL) from longs, each of which must fit. */
    public SafetensorsWriter add(String name, DType dtype, Shape shape, long[] values) {
        if (values.length != shape.numel()) {
            throw new IllegalArgumentException("tensor '" + name + "' " + shape + " needs " + shape.numel()
                    + " values, given " + values.length);
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (dtype) {
                case I64 -> buf.putLong(v);
                case I32 -> buf.putInt(checkRange(name, dtype, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
                case I16 -> buf.putShort((short) checkRange(name, dtype, v, Short.MIN_VALUE, Short.MAX_VALUE));
                case I8 -> buf.put((byte) checkRange(name, dtype, v, Byte.MIN_VALUE, Byte.MAX_VALUE));
                case U8 -> buf.put((byte) checkRange(name, dtype, v, 0, 255));
                case BOOL -> buf.put((byte) checkRange(name, dtype, v, 0, 1));
                default -> throw new IllegalArgumentException("tensor '" + name + "': longs cannot be stored as " + dtype);
            }
        }
        return add(name, dtype, shape, buf.array());
    }

    /** A copy of {@code view} (dtype, shape and bytes) under its own name. */
    public SafetensorsWriter add(TensorView view) {
        return add(view.name(), view.dtype(), view.shape(), view.toByteArray());
    }

    /** The header as written: JSON padded with spaces to a multiple of 8 bytes. */
    public byte[] header() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Pending> e : tensors.entrySet()) {
            Pending t = e.getValue();
            ObjectNode node = root.putObject(e.getKey());
            node.put("dtype", t.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long d : t.shape().dims()) shape.add(d);
            node.putArray("data_offsets").add(offset).add(offset + t.bytes().length);
            offset += t.bytes().length;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a header of plain strings and numbers", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        java.util.Arrays.fill(out, (byte) ' ');
        System.arraycopy(json, 0, out, 0, json.length);
        return out;
    }

    /** Writes the file (replacing any existing one). */
    public void write(Path path) throws IOException {
        byte[] header = header();
        try (OutputStream out = Files.newOutputStream(path)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (Pending t : tensors.values()) out.write(t.bytes());
        }
    }

    /** fp32 → bf16 with round-to-nearest-even; NaN stays a (quiet) NaN. */
    static short toBfloat16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x0040);
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    private static int checkRange(String name, DType dtype, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("tensor '" + name + "': " + v + " does not fit " + dtype);
        }
        return (int) v;
    }
}
