package dev.turbojet.ops;

import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A decorator that runs every op on its delegate between {@link OpTimer#begin} and {@link OpTimer#end}
 * and records, per call, the op's name, its module path, and its FLOPs and bytes as {@link CountingOps}
 * counts them (the same shape rules: the counter is run on the same inputs, shapes only).
 *
 * <p>Module paths come from {@link Ops#mark}, which a model calls with a module's output, after the
 * module's ops: <b>the ops issued since the previous mark belong to the next mark's path</b>. So
 * "down_blocks.0.resnets.0.conv1" gets the SiLU and the convolution before it, and the block's own
 * mark ("down_blocks.0.resnets.0") the residual add after its last sub-module. Ops after the last
 * mark of a pass belong to {@link #UNMARKED}. Good enough for a per-module table at block granularity
 * (truncate the paths to a few segments); not a call tree.
 *
 * <p>{@code weight} is not timed (loading is not part of a pass); upload and download are, with no
 * FLOPs or device bytes (as CountingOps counts them). Everything that is not an op (the pass, the
 * storage type, close) is the delegate's, as in every {@link ForwardingOps}; {@code silu}, {@code scale}
 * and two-argument {@code linear} are timed as the ops they stand for.
 */
public final class ProfilingOps extends ForwardingOps {
    /** The path of ops no mark follows. */
    public static final String UNMARKED = "(after the last mark)";

    /** One op call: its name ("conv2d 3x3"), module path, work and time. */
    public record Call(String op, String path, double flops, double bytes, double ms) {
    }

    private record Pending(String op, CountingOps.Cost cost) {
    }

    private final OpTimer timer;
    private final CountingOps counter;
    private final List<Pending> issued = new ArrayList<>();
    private final List<String> paths = new ArrayList<>();

    /** Counts bytes at {@code elementBytes} per element (4 on the fp32 CPU backend, 2 for fp16/bf16 storage). */
    public ProfilingOps(Ops delegate, OpTimer timer, int elementBytes) {
        super(delegate);
        this.timer = Objects.requireNonNull(timer, "timer");
        this.counter = new CountingOps(elementBytes);
    }

    /**
     * The calls since the previous {@code drain}, with their times (waits for the delegate's pending
     * work) and paths, and a fresh start.
     */
    public List<Call> drain() {
        double[] ms = timer.drain();
        if (ms.length != issued.size()) throw new IllegalStateException(ms.length + " timings for " + issued.size() + " ops");
        List<Call> calls = new ArrayList<>(issued.size());
        for (int i = 0; i < issued.size(); i++) {
            Pending p = issued.get(i);
            String path = i < paths.size() ? paths.get(i) : UNMARKED;
            calls.add(new Call(p.op(), path, p.cost().flops(), p.cost().bytes(), ms[i]));
        }
        issued.clear();
        paths.clear();
        return calls;
    }

    private <T> T timed(String op, Supplier<T> call) {
        timer.begin();
        T out = call.get();
        timer.end();
        issued.add(new Pending(op, counter.takeCost()));
        return out;
    }

    @Override
    public Tensor mark(String path, Tensor t) {
        while (paths.size() < issued.size()) paths.add(path);
        return delegate.mark(path, t);
    }

    @Override
    public String describe() {
        return "profiling(" + delegate.describe() + ")";
    }

    @Override
    public Tensor upload(HostTensor host) {
        counter.upload(host);
        return timed("upload", () -> delegate.upload(host));
    }

    @Override
    public HostTensor download(Tensor t) {
        return timed("download", () -> delegate.download(t));
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        counter.conv2d(x, weight, bias, stride, padding);
        Shape w = weight.shape();
        String op = "conv2d " + w.dim(2) + "x" + w.dim(3) + (stride == 1 ? "" : " stride " + stride);
        return timed(op, () -> delegate.conv2d(x, weight, bias, stride, padding));
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        counter.linear(x, weight, bias);
        return timed("linear", () -> delegate.linear(x, weight, bias));
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight) {
        return linear(x, weight, null);
    }

    @Override
    public Tensor groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, Act act) {
        counter.groupNorm(x, gamma, beta, groups, eps, act);
        return timed(act == Act.NONE ? "groupNorm" : "groupNorm+" + act.name().toLowerCase(java.util.Locale.ROOT),
                () -> delegate.groupNorm(x, gamma, beta, groups, eps, act));
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        counter.layerNorm(x, gamma, beta, eps);
        return timed("layerNorm", () -> delegate.layerNorm(x, gamma, beta, eps));
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal) {
        counter.attention(q, k, v, heads, causal);
        return timed(causal ? "attention causal" : "attention", () -> delegate.attention(q, k, v, heads, causal));
    }

    @Override
    public Tensor activation(Tensor x, Act act) {
        counter.activation(x, act);
        return timed(act.name().toLowerCase(java.util.Locale.ROOT), () -> delegate.activation(x, act));
    }

    @Override
    public Tensor silu(Tensor x) {
        return activation(x, Act.SILU);
    }

    @Override
    public Tensor geglu(Tensor x) {
        counter.geglu(x);
        return timed("geglu", () -> delegate.geglu(x));
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        counter.add(a, b);
        return timed("add", () -> delegate.add(a, b));
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        counter.mul(a, b);
        return timed("mul", () -> delegate.mul(a, b));
    }

    @Override
    public Tensor affine(Tensor x, float s, float shift) {
        counter.affine(x, s, shift);
        return timed("affine", () -> delegate.affine(x, s, shift));
    }

    @Override
    public Tensor scale(Tensor x, float s) {
        return affine(x, s, 0f);
    }

    @Override
    public Tensor addChannelVector(Tensor x, Tensor v) {
        counter.addChannelVector(x, v);
        return timed("addChannelVector", () -> delegate.addChannelVector(x, v));
    }

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        counter.reshape(x, shape);
        return timed("reshape", () -> delegate.reshape(x, shape));
    }

    @Override
    public Tensor permute(Tensor x, int... dims) {
        counter.permute(x, dims);
        return timed("permute", () -> delegate.permute(x, dims));
    }

    @Override
    public Tensor concat(int dim, Tensor... xs) {
        counter.concat(dim, xs);
        return timed("concat", () -> delegate.concat(dim, xs));
    }

    @Override
    public Tensor slice(Tensor x, int dim, long start, long end) {
        counter.slice(x, dim, start, end);
        return timed("slice", () -> delegate.slice(x, dim, start, end));
    }

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        counter.upsampleNearest(x, outH, outW);
        return timed("upsampleNearest", () -> delegate.upsampleNearest(x, outH, outW));
    }

    @Override
    public Tensor pad2d(Tensor x, int left, int right, int top, int bottom) {
        counter.pad2d(x, left, right, top, bottom);
        return timed("pad2d", () -> delegate.pad2d(x, left, right, top, bottom));
    }

    @Override
    public Tensor timestepEmbedding(float[] t, int dim, boolean flipSinToCos, float downscaleFreqShift, float maxPeriod) {
        counter.timestepEmbedding(t, dim, flipSinToCos, downscaleFreqShift, maxPeriod);
        return timed("timestepEmbedding", () -> delegate.timestepEmbedding(t, dim, flipSinToCos, downscaleFreqShift, maxPeriod));
    }

    @Override
    public Tensor embedding(Tensor table, int[][] ids) {
        counter.embedding(table, ids);
        return timed("embedding", () -> delegate.embedding(table, ids));
    }

    @Override
    public Tensor gatherRows(Tensor x, int[] index) {
        counter.gatherRows(x, index);
        return timed("gatherRows", () -> delegate.gatherRows(x, index));
    }
}
