package dev.turbojet.ops;

import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * A decorator that says which op failed. When the backend throws (a CUDA call's error, an exhausted
 * arena; not a caller's {@link IllegalArgumentException}, whose message names the op already), it is
 * rethrown as an {@link OpException} naming the op and its inputs' shapes, the backend's exception as
 * the cause. The pipeline always runs its models through one.
 *
 * <p>With {@code eachOp}, it also waits for every op and checks its output for NaN and infinity. A GPU
 * reports a fault of queued work at a later synchronisation, so without this the error names the
 * call that waited (a download, say) rather than the op that caused it; with it, the error is pinned
 * to the op, as {@code CUDA_LAUNCH_BLOCKING=1} does for PyTorch, and the first op that produces a
 * non-finite value is named. It costs one device-to-host copy per op: for finding faults, not for speed.
 */
public final class CheckedOps extends ForwardingOps {
    private final boolean eachOp;

    public CheckedOps(Ops delegate, boolean eachOp) {
        super(delegate);
        this.eachOp = eachOp;
    }

    /** Whether every op is waited for and its output checked. */
    public boolean checksEachOp() {
        return eachOp;
    }

    /** Forwarded to the backend, unless each op is checked: that waits on every op, so it runs eagerly. */
    @Override
    public Replayable prepare(String what, java.util.List<Tensor> inputs,
                              java.util.function.Function<java.util.List<Tensor>, Tensor> body) {
        return eachOp ? super.prepare(what, inputs, body) : delegate.prepare(what, inputs, body);
    }

    @Override
    public String describe() {
        return delegate.describe() + (eachOp ? " (each op checked)" : "");
    }

    private Tensor run(String op, Supplier<Tensor> call, Object... inputs) {
        Tensor out;
        try {
            out = call.get();
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (OpException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new OpException(signature(op, inputs) + " failed on " + delegate.describe() + ": " + e.getMessage(), e);
        }
        if (eachOp) requireFinite(op, inputs, out);
        return out;
    }

    private void requireFinite(String op, Object[] inputs, Tensor out) {
        HostTensor host;
        try {
            host = delegate.download(out);  // waits for the op: a fault of its queued work surfaces here
        } catch (RuntimeException e) {
            throw new OpException(signature(op, inputs) + " failed on " + delegate.describe() + ": " + e.getMessage(), e);
        }
        float[] data = host.data();
        int count = 0, first = -1;
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                if (first < 0) first = i;
                count++;
            }
        }
        if (count > 0) {
            throw new OpException(signature(op, inputs) + " on " + delegate.describe() + " produced " + count + " non-finite value"
                    + (count == 1 ? "" : "s") + " of " + data.length + " (first: " + data[first] + " at flat index " + first
                    + " of " + host.shape() + ")", null);
        }
    }

    /** "conv2d(x [1, 4, 8, 8], weight [320, 4, 3, 3], bias [320], 1, 1)". */
    static String signature(String op, Object... inputs) {
        StringJoiner j = new StringJoiner(", ", op + "(", ")");
        for (Object in : inputs) {
            if (in instanceof Tensor t) j.add(t.shape().toString());
            else if (in instanceof Tensor[] ts) for (Tensor t : ts) j.add(t == null ? "null" : t.shape().toString());
            else if (in instanceof int[] a) j.add(java.util.Arrays.toString(a));
            else if (in instanceof float[] a) j.add(a.length + " values");
            else if (in instanceof int[][] a) j.add(a.length + " rows of ids");
            else j.add(String.valueOf(in));
        }
        return j.toString();
    }

    @Override
    public Tensor weight(TensorView view) {
        return run("weight", () -> delegate.weight(view), view.name());
    }

    @Override
    public Tensor upload(HostTensor host) {
        return run("upload", () -> delegate.upload(host), host.shape());
    }

    @Override
    public HostTensor download(Tensor t) {
        try {
            return delegate.download(t);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new OpException(signature("download", t) + " failed on " + delegate.describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return run("conv2d", () -> delegate.conv2d(x, weight, bias, stride, padding), x, weight, bias == null ? "no bias" : bias,
                "stride " + stride, "padding " + padding);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return run("linear", () -> delegate.linear(x, weight, bias), x, weight, bias == null ? "no bias" : bias);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight) {
        return run("linear", () -> delegate.linear(x, weight), x, weight, "no bias");
    }

    @Override
    public Tensor groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, Act act) {
        return run("groupNorm", () -> delegate.groupNorm(x, gamma, beta, groups, eps, act), x, groups + " groups", act);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return run("layerNorm", () -> delegate.layerNorm(x, gamma, beta, eps), x);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal) {
        return run("attention", () -> delegate.attention(q, k, v, heads, causal), q, k, v, heads + " heads", causal ? "causal" : "full");
    }

    @Override
    public Tensor activation(Tensor x, Act act) {
        return run("activation", () -> delegate.activation(x, act), x, act);
    }

    @Override
    public Tensor silu(Tensor x) {
        return run("silu", () -> delegate.silu(x), x);
    }

    @Override
    public Tensor geglu(Tensor x) {
        return run("geglu", () -> delegate.geglu(x), x);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return run("add", () -> delegate.add(a, b), a, b);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return run("mul", () -> delegate.mul(a, b), a, b);
    }

    @Override
    public Tensor affine(Tensor x, float s, float shift) {
        return run("affine", () -> delegate.affine(x, s, shift), x, "scale " + s, "shift " + shift);
    }

    @Override
    public Tensor scale(Tensor x, float s) {
        return run("scale", () -> delegate.scale(x, s), x, s);
    }

    @Override
    public Tensor addChannelVector(Tensor x, Tensor v) {
        return run("addChannelVector", () -> delegate.addChannelVector(x, v), x, v);
    }

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        return run("reshape", () -> delegate.reshape(x, shape), x, shape);
    }

    @Override
    public Tensor permute(Tensor x, int... dims) {
        return run("permute", () -> delegate.permute(x, dims), x, dims);
    }

    @Override
    public Tensor concat(int dim, Tensor... xs) {
        return run("concat", () -> delegate.concat(dim, xs), "dim " + dim, xs);
    }

    @Override
    public Tensor slice(Tensor x, int dim, long start, long end) {
        return run("slice", () -> delegate.slice(x, dim, start, end), x, "dim " + dim, start + ":" + end);
    }

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        return run("upsampleNearest", () -> delegate.upsampleNearest(x, outH, outW), x, outH + "x" + outW);
    }

    @Override
    public Tensor pad2d(Tensor x, int left, int right, int top, int bottom) {
        return run("pad2d", () -> delegate.pad2d(x, left, right, top, bottom), x, left, right, top, bottom);
    }

    @Override
    public Tensor timestepEmbedding(float[] t, int dim, boolean flipSinToCos, float downscaleFreqShift, float maxPeriod) {
        return run("timestepEmbedding", () -> delegate.timestepEmbedding(t, dim, flipSinToCos, downscaleFreqShift, maxPeriod), t,
                "dim " + dim);
    }

    @Override
    public Tensor embedding(Tensor table, int[][] ids) {
        return run("embedding", () -> delegate.embedding(table, ids), table, ids);
    }

    @Override
    public Tensor gatherRows(Tensor x, int[] index) {
        return run("gatherRows", () -> delegate.gatherRows(x, index), x, index);
    }
}
