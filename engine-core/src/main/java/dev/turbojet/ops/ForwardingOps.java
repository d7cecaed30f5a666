package dev.turbojet.ops;

import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.util.Objects;

/**
 * An {@link Ops} that hands every call to a delegate: the base of decorators, which override only
 * what they add. Everything is forwarded, {@link #pass()}, {@link #storageType()} and {@link #close()} included, so a
 * decorated backend keeps its arena passes and its storage type.
 */
public abstract class ForwardingOps implements Ops {
    protected final Ops delegate;

    protected ForwardingOps(Ops delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The decorated backend. */
    public Ops delegate() {
        return delegate;
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public DType storageType() {
        return delegate.storageType();
    }

    @Override
    public Pass pass() {
        return delegate.pass();
    }

    /** Closes the decorated backend: a decorator is the backend it decorates, with something added. */
    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public OpTimer timer() {
        return delegate.timer();
    }

    @Override
    public java.util.OptionalLong deviceMemoryInUse() {
        return delegate.deviceMemoryInUse();
    }

    @Override
    public CopyRate measureCopyRate() {
        return delegate.measureCopyRate();
    }

    /** The delegate's sibling, undecorated. */
    @Override
    public Ops withStorage(DType storage) {
        return delegate.withStorage(storage);
    }

    @Override
    public Tensor weight(TensorView view) {
        return delegate.weight(view);
    }

    @Override
    public Tensor upload(HostTensor host) {
        return delegate.upload(host);
    }

    @Override
    public HostTensor download(Tensor t) {
        return delegate.download(t);
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return delegate.conv2d(x, weight, bias, stride, padding);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return delegate.linear(x, weight, bias);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight) {
        return delegate.linear(x, weight);
    }

    @Override
    public Tensor groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, Act act) {
        return delegate.groupNorm(x, gamma, beta, groups, eps, act);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return delegate.layerNorm(x, gamma, beta, eps);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal) {
        return delegate.attention(q, k, v, heads, causal);
    }

    @Override
    public Tensor activation(Tensor x, Act act) {
        return delegate.activation(x, act);
    }

    @Override
    public Tensor silu(Tensor x) {
        return delegate.silu(x);
    }

    @Override
    public Tensor geglu(Tensor x) {
        return delegate.geglu(x);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return delegate.add(a, b);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return delegate.mul(a, b);
    }

    @Override
    public Tensor affine(Tensor x, float s, float shift) {
        return delegate.affine(x, s, shift);
    }

    @Override
    public Tensor scale(Tensor x, float s) {
        return delegate.scale(x, s);
    }

    @Override
    public Tensor addChannelVector(Tensor x, Tensor v) {
        return delegate.addChannelVector(x, v);
    }

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        return delegate.reshape(x, shape);
    }

    @Override
    public Tensor permute(Tensor x, int... dims) {
        return delegate.permute(x, dims);
    }

    @Override
    public Tensor concat(int dim, Tensor... xs) {
        return delegate.concat(dim, xs);
    }

    @Override
    public Tensor slice(Tensor x, int dim, long start, long end) {
        return delegate.slice(x, dim, start, end);
    }

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        return delegate.upsampleNearest(x, outH, outW);
    }

    @Override
    public Tensor pad2d(Tensor x, int left, int right, int top, int bottom) {
        return delegate.pad2d(x, left, right, top, bottom);
    }

    @Override
    public Tensor timestepEmbedding(float[] t, int dim, boolean flipSinToCos, float downscaleFreqShift, float maxPeriod) {
        return delegate.timestepEmbedding(t, dim, flipSinToCos, downscaleFreqShift, maxPeriod);
    }

    @Override
    public Tensor embedding(Tensor table, int[][] ids) {
        return delegate.embedding(table, ids);
    }

    @Override
    public Tensor gatherRows(Tensor x, int[] index) {
        return delegate.gatherRows(x, index);
    }

    @Override
    public Tensor mark(String path, Tensor t) {
        return delegate.mark(path, t);
    }
}
