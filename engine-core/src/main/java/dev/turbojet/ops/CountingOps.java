package dev.turbojet.ops;

import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.util.EnumMap;
import java.util.Map;

/**
 * A shape-only backend: every method computes its output shape and adds the work it would do to a
 * tally, and nothing is computed or allocated (a model graph "runs" on it in milliseconds even at
 * full size). FLOPs follow reference/FLOPS.md: conv2d and linear count 2 x output elements x
 * (in_channels x kernel area, or in_features); attention counts its two matmuls, QK^T and AV, each
 * 2 x B x Nq x Nk x heads*d, causal masks included as computed in full (as transformers does). Norms,
 * pointwise ops and copies are tallied as bytes with 0 FLOPs. Bytes are the fewest a backend must
 * move: every input read once and the output written once, at {@code elementBytes} per element
 * (reshape is a view and moves nothing).
 *
 * <p>Input tensors may come from any backend (only their shapes are read), so a model bound with
 * unbound placeholder weights can be counted without any weight data.
 */
public final class CountingOps implements Ops {

    /** What a tally line counts. */
    public enum Kind { CONV, LINEAR, ATTENTION_QK, ATTENTION_AV, NORM, POINTWISE, DATA }

    /** One kind's running totals. */
    public static final class Tally {
        long calls;
        double flops;
        double bytes;

        public long calls() { return calls; }
        public double flops() { return flops; }
        public double bytes() { return bytes; }
    }

    /** What this backend hands out: a shape and nothing else. */
    record ShapeTensor(Shape shape, DType dtype) implements Tensor {
    }

    /** The work of the ops counted since the last {@link #takeCost}: what {@link ProfilingOps} charges one op. */
    public record Cost(double flops, double bytes) {
    }

    private final int elementBytes;
    private final Map<Kind, Tally> tallies = new EnumMap<>(Kind.class);
    private double sinceFlops, sinceBytes;

    /** Counts bytes at {@code elementBytes} per activation and weight element (4 for fp32, 2 for fp16/bf16). */
    public CountingOps(int elementBytes) {
        if (elementBytes < 1) throw new IllegalArgumentException("element size " + elementBytes);
        this.elementBytes = elementBytes;
        for (Kind k : Kind.values()) tallies.put(k, new Tally());
    }

    public CountingOps() {
        this(4);
    }

    public Tally tally(Kind kind) {
        return tallies.get(kind);
    }

    /** The FLOPs and bytes counted since the previous call (or since construction), and a fresh start. */
    public Cost takeCost() {
        Cost c = new Cost(sinceFlops, sinceBytes);
        sinceFlops = 0;
        sinceBytes = 0;
        return c;
    }

    public double totalFlops() {
        return tallies.values().stream().mapToDouble(Tally::flops).sum();
    }

    public double totalBytes() {
        return tallies.values().stream().mapToDouble(Tally::bytes).sum();
    }

    /** A table of calls, GFLOP and GB per kind, then the totals. */
    public String summary() {
        StringBuilder sb = new StringBuilder(String.format("%-13s %8s %12s %10s%n", "kind", "calls", "GFLOP", "GB"));
        for (Kind k : Kind.values()) {
            Tally t = tallies.get(k);
            sb.append(String.format("%-13s %8d %12.1f %10.2f%n", k, t.calls, t.flops / 1e9, t.bytes / 1e9));
        }
        return sb.append(String.format("%-13s %8s %12.1f %10.2f%n", "total", "", totalFlops() / 1e9, totalBytes() / 1e9)).toString();
    }

    private Tensor record(Kind kind, double flops, Shape out, Tensor... inputs) {
        Tally t = tallies.get(kind);
        t.calls++;
        t.flops += flops;
        double elements = out.numel();
        for (Tensor in : inputs) if (in != null) elements += in.shape().numel();
        t.bytes += elements * elementBytes;
        sinceFlops += flops;
        sinceBytes += elements * elementBytes;
        return new ShapeTensor(out, DType.F32);
    }

    private static Shape shapeOf(Tensor t) {
        return t == null ? null : t.shape();
    }

    @Override
    public String describe() {
        return "shape-only FLOP and byte counter (" + elementBytes + " bytes per element)";
    }

    @Override
    public Tensor weight(TensorView view) {
        return new ShapeTensor(OpShapes.weight(view), view.dtype());
    }

    @Override
    public Tensor upload(HostTensor host) {
        return new ShapeTensor(host.shape(), DType.F32);
    }

    /** Zeros of the tensor's shape: nothing was computed. */
    @Override
    public HostTensor download(Tensor t) {
        return HostTensor.zeros(t.shape());
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        Shape ws = weight.shape();
        Shape out = OpShapes.conv2d(x.shape(), ws, shapeOf(bias), stride, padding);
        double macs = (double) out.numel() * ws.dim(1) * ws.dim(2) * ws.dim(3);
        return record(Kind.CONV, 2 * macs, out, x, weight, bias);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Shape ws = weight.shape();
        Shape out = OpShapes.linear(x.shape(), ws, shapeOf(bias));
        return record(Kind.LINEAR, 2.0 * out.numel() * ws.dim(1), out, x, weight, bias);
    }

    @Override
    public Tensor groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, Act act) {
        return record(Kind.NORM, 0, OpShapes.groupNorm(x.shape(), gamma.shape(), beta.shape(), groups), x, gamma, beta);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return record(Kind.NORM, 0, OpShapes.layerNorm(x.shape(), gamma.shape(), beta.shape()), x, gamma, beta);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal) {
        Shape qs = OpShapes.attention(q.shape(), k.shape(), v.shape(), heads), ks = k.shape();
        double matmul = 2.0 * qs.dim(0) * qs.dim(1) * ks.dim(1) * qs.dim(2);     // B x heads x Nq x Nk x d MACs, x2
        record(Kind.ATTENTION_QK, matmul, Shape.of(0), q, k);                       // bytes: q, k read once
        return record(Kind.ATTENTION_AV, matmul, qs, v);                             // v read, output written
    }

    @Override
    public Tensor activation(Tensor x, Act act) {
        return record(Kind.POINTWISE, 0, OpShapes.activation(x.shape()), x);
    }

    @Override
    public Tensor geglu(Tensor x) {
        return record(Kind.POINTWISE, 0, OpShapes.geglu(x.shape()), x);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return record(Kind.POINTWISE, 0, OpShapes.add(a.shape(), b.shape()), a, b);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return record(Kind.POINTWISE, 0, OpShapes.mul(a.shape(), b.shape()), a, b);
    }

    @Override
    public Tensor affine(Tensor x, float s, float shift) {
        return record(Kind.POINTWISE, 0, OpShapes.affine(x.shape()), x);
    }

    @Override
    public Tensor addChannelVector(Tensor x, Tensor v) {
        return record(Kind.POINTWISE, 0, OpShapes.addChannelVector(x.shape(), v.shape()), x, v);
    }

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        return new ShapeTensor(OpShapes.reshape(x.shape(), shape), x.dtype());
    }

    @Override
    public Tensor permute(Tensor x, int... dims) {
        return record(Kind.DATA, 0, OpShapes.permute(x.shape(), dims), x);
    }

    @Override
    public Tensor concat(int dim, Tensor... xs) {
        Shape[] shapes = new Shape[xs.length];
        for (int i = 0; i < xs.length; i++) shapes[i] = xs[i].shape();
        return record(Kind.DATA, 0, OpShapes.concat(dim, shapes), xs);
    }

    @Override
    public Tensor slice(Tensor x, int dim, long start, long end) {
        Shape s = OpShapes.slice(x.shape(), dim, start, end);
        return record(Kind.DATA, 0, s, new ShapeTensor(s, x.dtype()));              // reads only the slice
    }

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        return record(Kind.DATA, 0, OpShapes.upsampleNearest(x.shape(), outH, outW), x);
    }

    @Override
    public Tensor pad2d(Tensor x, int left, int right, int top, int bottom) {
        return record(Kind.DATA, 0, OpShapes.pad2d(x.shape(), left, right, top, bottom), x);
    }

    @Override
    public Tensor timestepEmbedding(float[] t, int dim, boolean flipSinToCos, float downscaleFreqShift, float maxPeriod) {
        return record(Kind.POINTWISE, 0, OpShapes.timestepEmbedding(t.length, dim));
    }

    @Override
    public Tensor embedding(Tensor table, int[][] ids) {
        Shape out = OpShapes.embedding(table.shape(), ids);
        long c = out.dim(2);
        return record(Kind.DATA, 0, out,
                new ShapeTensor(Shape.of((long) ids.length * ids[0].length, c), table.dtype()));   // the rows read
    }

    @Override
    public Tensor gatherRows(Tensor x, int[] index) {
        Shape out = OpShapes.gatherRows(x.shape(), index);
        return record(Kind.DATA, 0, out, new ShapeTensor(out, x.dtype()));
    }
}
