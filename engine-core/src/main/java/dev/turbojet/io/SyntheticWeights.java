package dev.turbojet.io;

import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Seeded stand-in weights for a model of any size, made lazily on each {@link #find} (nothing is
 * downloaded or kept): 1-D {@code *weight} (norm scales) = 1 + 0.1 u, 1-D {@code *bias} = 0.05 u,
 * every other tensor u / sqrt(fan_in) with fan_in = numel / shape[0], where u is uniform with zero
 * mean and unit variance, drawn from a generator seeded by (seed, name). Activations stay O(1), so
 * benchmarks and shape tests run the full-size models without the checkpoint.
 */
public final class SyntheticWeights implements TensorSource {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final double SQRT3 = Math.sqrt(3);

    /** One tensor to synthesise. */
    public record Entry(String name, Shape shape) {
    }

    private final Map<String, Shape> shapes;
    private final DType dtype;
    private final long seed;

    private SyntheticWeights(Map<String, Shape> shapes, DType dtype, long seed) {
        this.shapes = shapes;
        this.dtype = dtype;
        this.seed = seed;
    }

    /** {@code dtype} F32 or F16. */
    public static SyntheticWeights of(List<Entry> entries, DType dtype, long seed) {
        if (dtype != DType.F32 && dtype != DType.F16) throw new IllegalArgumentException("synthetic weights are F32 or F16, not " + dtype);
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (shapes.put(e.name(), e.shape()) != null) throw new IllegalArgumentException("duplicate tensor " + e.name());
        }
        return new SyntheticWeights(Collections.unmodifiableMap(shapes), dtype, seed);
    }

    /**
     * Reads a tensor manifest (the reference kit's {@code manifests/*.tsv}): a header line, then
     * {@code name <TAB> [d0, d1, ...] <TAB> numel} per tensor.
     */
    public static List<Entry> readManifest(Path tsv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(tsv);
        } catch (IOException e) {
            throw new CheckpointException("cannot read manifest " + tsv + ": " + e.getMessage(), e);
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            String[] cols = line.split("\t");
            String dims = cols.length == 3 ? cols[1].trim() : "";
            if (!dims.startsWith("[") || !dims.endsWith("]")) {
                throw new CheckpointException(tsv + ":" + (i + 1) + ": expected name, [shape], numel but found: " + line);
            }
            String inner = dims.substring(1, dims.length() - 1).trim();
            long[] shape = inner.isEmpty() ? new long[0]
                    : java.util.Arrays.stream(inner.split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
            Shape s = Shape.of(shape);
            if (s.numel() != Long.parseLong(cols[2].trim())) {
                throw new CheckpointException(tsv + ":" + (i + 1) + ": numel " + cols[2] + " does not match shape " + s);
            }
            out.add(new Entry(cols[0], s));
        }
        return out;
    }

    @Override
    public SortedSet<String> names() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(shapes.keySet()));
    }

    @Override
    public Optional<TensorView> find(String name) {
        Shape shape = shapes.get(name);
        if (shape == null) return Optional.empty();
        long n = shape.numel();
        MemorySegment data = Arena.ofAuto().allocate(n * dtype.byteSize(), 8);
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        double scale, offset;
        if (shape.rank() == 1 && name.endsWith("weight")) {
            scale = 0.1;
            offset = 1;
        } else if (shape.rank() == 1) {
            scale = 0.05;
            offset = 0;
        } else {
            scale = 1 / Math.sqrt((double) n / shape.dim(0));
            offset = 0;
        }
        for (long i = 0; i < n; i++) {
            float v = (float) (offset + scale * SQRT3 * (2 * rng.nextDouble() - 1));
            if (dtype == DType.F32) data.setAtIndex(F32, i, v);
            else data.setAtIndex(F16, i, Float.floatToFloat16(v));
        }
        return Optional.of(new TensorView(name, dtype, shape, data, description()));
    }

    @Override
    public String description() {
        return "synthetic " + dtype + " weights (seed " + seed + ", " + shapes.size() + " tensors)";
    }
}
