package dev.turbojet.ops;

import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.Shape;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * The {@link Ops} contract on shapes, written once: one method per op that checks its inputs as
 * {@link Ops} documents them and returns the output's shape. Every backend calls it before it
 * computes, so every backend rejects the same bad input with the same
 * {@link IllegalArgumentException}, whose message names the op and the shapes. What only one
 * backend cannot do (a head dim above the CUDA kernels' limit, a broadcast that is not periodic in
 * the CUDA backend's memory) stays in that backend.
 *
 * <p>Shapes, not tensors: each backend first resolves its own tensor handles (null and foreign
 * tensors are its errors), then asks here. A null {@code bias} means no bias.
 */
public final class OpShapes {
    private OpShapes() {}

    // ---- data movement -------------------------------------------------------------------------

    /** A checkpoint tensor bound as a weight: floating point only; its shape unchanged. */
    public static Shape weight(TensorView view) {
        if (!view.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(view.origin() + ": tensor '" + view.name() + "' is " + view.dtype() + ", not floating point");
        }
        return view.shape();
    }

    // ---- convolution and linear ----------------------------------------------------------------

    /** x [N, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout] or null -> [N, Cout, Ho, Wo]. */
    public static Shape conv2d(Shape x, Shape weight, Shape bias, int stride, int padding) {
        if (x.rank() != 4 || weight.rank() != 4 || x.dim(1) != weight.dim(1)) {
            throw new IllegalArgumentException("conv2d: x " + x + " and weight " + weight + " must be [N, Cin, H, W] and [Cout, Cin, kh, kw]");
        }
        if (stride < 1 || padding < 0) {
            throw new IllegalArgumentException("conv2d: stride " + stride + " must be >= 1 and padding " + padding + " >= 0");
        }
        long cout = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
        if (bias != null && !bias.equals(Shape.of(cout))) {
            throw new IllegalArgumentException("conv2d: bias " + bias + " must be [" + cout + "]");
        }
        long paddedH = x.dim(2) + 2L * padding, paddedW = x.dim(3) + 2L * padding;
        if (paddedH < kh || paddedW < kw) {
            throw new IllegalArgumentException("conv2d: kernel " + kh + "x" + kw + " larger than padded input " + x);
        }
        return Shape.of(x.dim(0), cout, (paddedH - kh) / stride + 1, (paddedW - kw) / stride + 1);
    }

    /** x [..., in], weight [out, in], bias [out] or null -> [..., out]. */
    public static Shape linear(Shape x, Shape weight, Shape bias) {
        if (x.rank() < 1 || weight.rank() != 2 || x.dim(-1) != weight.dim(1)) {
            throw new IllegalArgumentException("linear: x " + x + " does not match weight " + weight + " ([out, in])");
        }
        long out = weight.dim(0);
        if (bias != null && !bias.equals(Shape.of(out))) {
            throw new IllegalArgumentException("linear: bias " + bias + " must be [" + out + "]");
        }
        return lastDim(x, out);
    }

    // ---- normalisation -------------------------------------------------------------------------

    /** x [N, C, *spatial] with C divisible by {@code groups}, gamma and beta [C] -> x's shape. */
    public static Shape groupNorm(Shape x, Shape gamma, Shape beta, int groups) {
        if (x.rank() < 2) throw new IllegalArgumentException("groupNorm: x " + x + " must be [N, C, *spatial]");
        long c = x.dim(1);
        if (groups < 1 || c % groups != 0) {
            throw new IllegalArgumentException("groupNorm: " + c + " channels of x " + x + " do not split into " + groups + " groups");
        }
        if (!gamma.equals(Shape.of(c)) || !beta.equals(Shape.of(c))) {
            throw new IllegalArgumentException("groupNorm: gamma " + gamma + " and beta " + beta + " must be [" + c + "] for x " + x);
        }
        return x;
    }

    /** x [..., C], gamma and beta [C] -> x's shape. */
    public static Shape layerNorm(Shape x, Shape gamma, Shape beta) {
        if (x.rank() < 1) throw new IllegalArgumentException("layerNorm: x " + x + " has no feature dim");
        long c = x.dim(-1);
        if (!gamma.equals(Shape.of(c)) || !beta.equals(Shape.of(c))) {
            throw new IllegalArgumentException("layerNorm: gamma " + gamma + " and beta " + beta + " must be [" + c + "] for x " + x);
        }
        return x;
    }

    // ---- attention -----------------------------------------------------------------------------

    /** q [B, Nq, heads*d], k and v [B, Nk, heads*d] -> q's shape. */
    public static Shape attention(Shape q, Shape k, Shape v, int heads) {
        if (q.rank() != 3 || k.rank() != 3 || !k.equals(v) || q.dim(0) != k.dim(0) || q.dim(2) != k.dim(2)
                || heads < 1 || q.dim(2) % heads != 0) {
            throw new IllegalArgumentException("attention: q " + q + ", k " + k + ", v " + v + " with " + heads
                    + " heads; need q [B, Nq, heads*d], k = v [B, Nk, heads*d]");
        }
        return q;
    }

    // ---- pointwise -----------------------------------------------------------------------------

    /** Any x -> x's shape. */
    public static Shape activation(Shape x) {
        return x;
    }

    /** x [..., 2F] -> [..., F]. */
    public static Shape geglu(Shape x) {
        if (x.rank() < 1 || x.dim(-1) % 2 != 0) {
            throw new IllegalArgumentException("geglu: last dim of x " + x + " must be even");
        }
        return lastDim(x, x.dim(-1) / 2);
    }

    /** b broadcasts to a (numpy rules, a's rank at least b's) -> a's shape. */
    public static Shape add(Shape a, Shape b) {
        return broadcast("add", a, b);
    }

    /** As {@link #add}. */
    public static Shape mul(Shape a, Shape b) {
        return broadcast("mul", a, b);
    }

    private static Shape broadcast(String op, Shape a, Shape b) {
        boolean ok = b.rank() <= a.rank();
        for (int i = 1; ok && i <= b.rank(); i++) {
            long bd = b.dim(b.rank() - i);
            ok = bd == a.dim(a.rank() - i) || bd == 1;
        }
        if (!ok) throw new IllegalArgumentException(op + ": " + b + " does not broadcast to " + a);
        return a;
    }

    /** Any x -> x's shape. */
    public static Shape affine(Shape x) {
        return x;
    }

    /** x [N, C, *spatial], v [N, C] -> x's shape. */
    public static Shape addChannelVector(Shape x, Shape v) {
        if (x.rank() < 2 || !v.equals(Shape.of(x.dim(0), x.dim(1)))) {
            throw new IllegalArgumentException("addChannelVector: v " + v + " must be [N, C] for x " + x);
        }
        return x;
    }

    // ---- shape ---------------------------------------------------------------------------------

    /** x -> {@code shape}, of the same number of elements. */
    public static Shape reshape(Shape x, Shape shape) {
        if (x.numel() != shape.numel()) {
            throw new IllegalArgumentException("reshape: " + x + " has " + x.numel() + " elements, " + shape + " needs " + shape.numel());
        }
        return shape;
    }

    /** x -> x's dims in the order {@code dims}, a permutation of 0..rank-1. */
    public static Shape permute(Shape x, int... dims) {
        int r = x.rank();
        boolean[] seen = new boolean[r];
        boolean ok = dims.length == r;
        for (int i = 0; ok && i < r; i++) {
            int d = dims[i];
            ok = d >= 0 && d < r && !seen[d];
            if (ok) seen[d] = true;
        }
        if (!ok) throw new IllegalArgumentException("permute: " + Arrays.toString(dims) + " is not a permutation of the dims of " + x);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) out[i] = x.dim(dims[i]);
        return Shape.of(out);
    }

    /** One or more tensors equal outside {@code dim} (negative counts from the end) -> their sizes along it summed. */
    public static Shape concat(int dim, Shape... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat: no tensors");
        Shape first = xs[0];
        int r = first.rank();
        int d = dim < 0 ? dim + r : dim;
        if (d < 0 || d >= r) throw new IllegalArgumentException("concat: dim " + dim + " out of range for " + first);
        long total = 0;
        for (Shape s : xs) {
            boolean ok = s.rank() == r;
            for (int i = 0; ok && i < r; i++) ok = i == d || s.dim(i) == first.dim(i);
            if (!ok) throw new IllegalArgumentException("concat: shapes " + list(xs) + " differ outside dim " + dim);
            total += s.dim(d);
        }
        long[] out = first.dims();
        out[d] = total;
        return Shape.of(out);
    }

    /** x with {@code dim} (negative counts from the end) cut to [start, end), 0 <= start <= end <= its size. */
    public static Shape slice(Shape x, int dim, long start, long end) {
        int r = x.rank();
        int d = dim < 0 ? dim + r : dim;
        if (d < 0 || d >= r || start < 0 || end < start || end > x.dim(d)) {
            throw new IllegalArgumentException("slice: [" + start + ":" + end + "] along dim " + dim + " is outside " + x);
        }
        long[] out = x.dims();
        out[d] = end - start;
        return Shape.of(out);
    }

    /** x [N, C, H, W] and a positive size -> [N, C, outH, outW]. */
    public static Shape upsampleNearest(Shape x, int outH, int outW) {
        if (x.rank() != 4 || outH < 1 || outW < 1) {
            throw new IllegalArgumentException("upsampleNearest: x " + x + " must be [N, C, H, W] and the size " + outH + "x" + outW + " positive");
        }
        return Shape.of(x.dim(0), x.dim(1), outH, outW);
    }

    /** x [N, C, H, W] and non-negative padding -> [N, C, H + top + bottom, W + left + right]. */
    public static Shape pad2d(Shape x, int left, int right, int top, int bottom) {
        if (x.rank() != 4 || left < 0 || right < 0 || top < 0 || bottom < 0) {
            throw new IllegalArgumentException("pad2d: x " + x + " must be [N, C, H, W] and the padding ("
                    + left + ", " + right + ", " + top + ", " + bottom + ") non-negative");
        }
        return Shape.of(x.dim(0), x.dim(1), x.dim(2) + top + bottom, x.dim(3) + left + right);
    }

    // ---- embeddings ----------------------------------------------------------------------------

    /** {@code timesteps} values and a positive {@code dim} -> [timesteps, dim]. */
    public static Shape timestepEmbedding(int timesteps, int dim) {
        if (dim < 1 || timesteps == 0) {
            throw new IllegalArgumentException("timestepEmbedding: dim " + dim + " and " + timesteps + " timesteps must be positive");
        }
        return Shape.of(timesteps, dim);
    }

    /** table [V, C] and ids [B, T], every row T long and every id in [0, V) -> [B, T, C]. */
    public static Shape embedding(Shape table, int[][] ids) {
        if (table.rank() != 2 || ids.length == 0) {
            throw new IllegalArgumentException("embedding: table " + table + " must be [V, C] and ids non-empty");
        }
        long vocab = table.dim(0);
        int tokens = ids[0].length;
        for (int b = 0; b < ids.length; b++) {
            if (ids[b].length != tokens) {
                throw new IllegalArgumentException("embedding: id row " + b + " has " + ids[b].length + " ids, row 0 has " + tokens);
            }
            for (int j = 0; j < tokens; j++) {
                int id = ids[b][j];
                if (id < 0 || id >= vocab) throw new IllegalArgumentException("embedding: id " + id + " at [" + b + ", " + j + "] outside [0, " + vocab + ")");
            }
        }
        return Shape.of(ids.length, tokens, table.dim(1));
    }

    /** x [B, T, C] and B indices in [0, T) -> [B, C]. */
    public static Shape gatherRows(Shape x, int[] index) {
        if (x.rank() != 3 || x.dim(0) != index.length) {
            throw new IllegalArgumentException("gatherRows: x " + x + " must be [B, T, C] with B = " + index.length + " indices");
        }
        long t = x.dim(1);
        for (int b = 0; b < index.length; b++) {
            if (index[b] < 0 || index[b] >= t) throw new IllegalArgumentException("gatherRows: index " + index[b] + " of row " + b + " outside [0, " + t + ")");
        }
        return Shape.of(index.length, x.dim(2));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static Shape lastDim(Shape x, long size) {
        long[] dims = x.dims();
        dims[dims.length - 1] = size;
        return Shape.of(dims);
    }

    private static String list(Shape[] xs) {
        StringJoiner j = new StringJoiner(", ");
        for (Shape s : xs) j.add(s.toString());
        return j.toString();
    }
}
