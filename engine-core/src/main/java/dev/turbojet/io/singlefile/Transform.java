package dev.turbojet.io.singlefile;

import dev.turbojet.tensor.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** How one original tensor becomes its diffusers tensor(s). */
public enum Transform {
    /** Same bytes, same shape. */
    IDENTITY,
    /** Same bytes, [C, C, 1, 1] 1×1 convolution ↔ [C, C] linear (the VAE mid attention). */
    RESHAPE,
    /** A 2-D matrix transposed: OpenCLIP's {@code text_projection} is x·P, diffusers' is a Linear (x·Wᵀ). */
    TRANSPOSE,
    /** The original is the diffusers tensors concatenated along dim 0, in order (OpenCLIP's fused q, k, v). */
    CONCAT_DIM0;

    /** The diffusers shapes for an original of shape {@code original} split into {@code parts} tensors. */
    public List<Shape> diffusersShapes(Shape original, int parts, String name) {
        long[] d = original.dims();
        return switch (this) {
            case IDENTITY -> List.of(original);
            case RESHAPE -> {
                if (d.length != 4 || d[2] != 1 || d[3] != 1) throw bad(name, original, "[C, C, 1, 1]");
                yield List.of(Shape.of(d[0], d[1]));
            }
            case TRANSPOSE -> {
                if (d.length != 2) throw bad(name, original, "a matrix");
                yield List.of(Shape.of(d[1], d[0]));
            }
            case CONCAT_DIM0 -> {
                if (d.length == 0 || d[0] % parts != 0) throw bad(name, original, parts + " equal parts along dim 0");
                long[] part = d.clone();
                part[0] /= parts;
                List<Shape> out = new ArrayList<>();
                for (int i = 0; i < parts; i++) out.add(Shape.of(part));
                yield List.copyOf(out);
            }
        };
    }

    /** The original shape for the diffusers tensors of shapes {@code parts}. */
    public Shape originalShape(List<Shape> parts, String name) {
        long[] d = parts.getFirst().dims();
        return switch (this) {
            case IDENTITY -> parts.getFirst();
            case RESHAPE -> {
                if (d.length != 2) throw bad(name, parts.getFirst(), "a matrix");
                yield Shape.of(d[0], d[1], 1, 1);
            }
            case TRANSPOSE -> {
                if (d.length != 2) throw bad(name, parts.getFirst(), "a matrix");
                yield Shape.of(d[1], d[0]);
            }
            case CONCAT_DIM0 -> {
                long rows = 0;
                for (Shape s : parts) {
                    long[] p = s.dims();
                    if (!Arrays.equals(Arrays.copyOfRange(p, 1, p.length), Arrays.copyOfRange(d, 1, d.length))) {
                        throw bad(name, s, "the same trailing dims as " + parts.getFirst());
                    }
                    rows += p[0];
                }
                long[] out = d.clone();
                out[0] = rows;
                yield Shape.of(out);
            }
        };
    }

    private static IllegalArgumentException bad(String name, Shape shape, String wanted) {
        return new IllegalArgumentException("'" + name + "' has shape " + shape + ", but its mapping needs " + wanted);
    }
}
