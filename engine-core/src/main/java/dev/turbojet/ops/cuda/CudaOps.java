package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.cublas.Epilogue;
import dev.turbojet.ffi.cublas.GemmShape;
import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cudnn.ConvPlans;
import dev.turbojet.ffi.cudnn.ConvShape;
import dev.turbojet.io.TensorView;
import dev.turbojet.kernels.AttentionKernel;
import dev.turbojet.kernels.ElementwiseKernels;
import dev.turbojet.kernels.ElementType;
import dev.turbojet.kernels.EmbeddingKernels;
import dev.turbojet.kernels.NormKernels;
import dev.turbojet.ops.Act;
import dev.turbojet.ops.CopyRate;
import dev.turbojet.ops.OpShapes;
import dev.turbojet.ops.OpTimer;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.TimestepEmbeddings;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;


/**
 * The GPU backend: fp16 or bf16 storage ({@link Precision}), fp32 accumulation in cuBLASLt GEMMs and
 * cuDNN convolutions, fp32 statistics in turbojet's norm and softmax kernels, everything enqueued on
 * one stream of one device.
 *
 * <p>Storage: 4-D activations are NHWC and conv weights KRSC, so cuDNN runs its tensor-core NHWC
 * convolutions and the transformer's NCHW -> tokens permute/reshape is free ({@link Layout}).
 * Weights are device allocations of their own, uploaded once in {@link #weight}. Everything else
 * comes from the activation arena: wrap each forward in {@link #beginPass}/{@link #endPass} and its
 * temporaries are released at the end, in an order that repeats exactly from pass to pass (what a
 * CUDA-graph capture per (batch, H, W) needs next). Tensors allocated outside a pass (inputs uploaded
 * before it, say) stay until {@link #resetArena}.
 *
 * <p>Each op maps to one kernel launch or one library call where the layouts allow; when an input
 * arrives in a layout the op cannot read (an NCHW-stored upload fed to a convolution, say), one
 * layout kernel converts it first. Not thread-safe: one thread issues work at a time.
 *
 * <p>This class maps the ops; {@link CudaDevice} holds what they run on (context, stream, libraries,
 * memory, graphs), and {@link CudaCopyOps} the ops that only move elements (concat, slice, resize,
 * pad, row lookups). Input checks and output shapes are {@link OpShapes}'.
 */
public final class CudaOps implements Ops {
    /** How to open the backend. {@code arenaBytes} 0: half the device memory free when the arena is first needed. */
    public record Options(int device, Precision precision, long arenaBytes) {
        public Options {
            if (device < 0 || arenaBytes < 0) throw new IllegalArgumentException("bad CUDA options " + device + ", " + arenaBytes);
            java.util.Objects.requireNonNull(precision, "precision");
        }

        public static Options of(int device, Precision precision) {
            return new Options(device, precision, 0);
        }
    }

    private final CudaDevice device;
    private final ElementType elementType;
    private final CudaCopyOps copies;

    private CudaOps(Options options) {
        this.device = new CudaDevice(this, options);
        this.elementType = device.elementType;
        this.copies = new CudaCopyOps(device);
    }

    /** Opens device {@code options.device()}; fails with the driver's or a library's error if it cannot. */
    public static CudaOps open(Options options) {
        return new CudaOps(options);
    }

    public static CudaOps open(int device, Precision precision) {
        return open(Options.of(device, precision));
    }

    @Override
    public DType storageType() {
        return device.precision.dtype();
    }

    /** {@link #beginPass()} now, {@link #endPass()} when the scope closes. */
    @Override
    public Pass pass() {
        beginPass();
        return this::endPass;
    }

    public Precision precision() {
        return device.precision;
    }

    @Override
    public String describe() {
        return device.describe();
    }

    // ---- the device: profiling, passes, graphs, close ------------------------------------------

    /** A timer that records CUDA events on this backend's stream around each op (for {@code ProfilingOps}). */
    @Override
    public OpTimer timer() {
        return device.eventTimer();
    }

    /** Total minus free memory of this backend's device, as the driver reports it. */
    @Override
    public OptionalLong deviceMemoryInUse() {
        return OptionalLong.of(device.memoryInUse());
    }

    /** Device-to-device copy bandwidth, timed with events ({@link CudaDevice#measureCopyRate}). */
    @Override
    public CopyRate measureCopyRate() {
        return device.measureCopyRate();
    }

    /** A backend on this device storing {@code storage} (F16 or BF16), with its own context retain and arena. */
    @Override
    public Ops withStorage(DType storage) {
        return open(Options.of(device.options().device(), Precision.of(storage)));
    }

    /** Starts a forward: what it allocates is released by {@link #endPass}. */
    public void beginPass() {
        device.beginPass();
    }

    /** Ends the pass (waiting for its work), releases its temporaries and says what it allocated. */
    public PassSummary endPass() {
        return device.endPass();
    }

    /** Releases every arena tensor, including those allocated outside passes. */
    public void resetArena() {
        device.resetArena();
    }

    /** Bytes in use in the arena and its capacity, for logs. */
    public String arenaUsage() {
        return device.arenaUsage();
    }

    /**
     * Fills the free part of the arena with 0xFF bytes (NaN in fp16 and bf16), so that an output
     * element an op forgets to write reads back as NaN. For tests and debugging.
     */
    public void poisonFreeArena() {
        device.poisonFreeArena();
    }

    /**
     * Captures {@code body} once as a CUDA graph, to {@linkplain GraphReplay#run replay} with new inputs
     * of the same shapes as one graph launch. {@code body} must be device work only, on its arguments
     * (copies of {@code inputs} that the graph owns) and on weights: no upload, download or host value
     * that changes between calls (a UNet's {@code denoise}, not its {@code embed}). It runs twice: eagerly
     * in a pass, which builds every plan and workspace and measures its memory, then under stream capture
     * into a private arena that the graph keeps (both runs must allocate the same sequence; checked), so
     * a replay never touches the activation arena. It may be called inside a pass or outside.
     */
    public GraphReplay capture(String what, List<Tensor> inputs, Function<List<Tensor>, Tensor> body) {
        return GraphCapture.capture(device, what, inputs, body);
    }

    /** {@link #capture}: on this backend, what {@link Ops#prepare} prepares is a CUDA graph. */
    @Override
    public Replayable prepare(String what, List<Tensor> inputs, Function<List<Tensor>, Tensor> body) {
        return capture(what, inputs, body);
    }

    /** How many captured graphs this backend holds (for tests). */
    int graphCount() {
        return device.graphCount();
    }

    /**
     * Waits for the stream, then frees everything this backend allocated and releases the context. Every
     * step runs even when an earlier one fails (after a GPU fault every CUDA call reports it); the first
     * failure is rethrown at the end.
     */
    @Override
    public void close() {
        device.close();
    }

    // ---- data movement -------------------------------------------------------------------------

    @Override
    public Tensor weight(TensorView view) {
        device.enter();
        return device.weight(view, OpShapes.weight(view));
    }

    /** 4-D tensors arrive NHWC (converted on the host), others row-major. */
    @Override
    public Tensor upload(HostTensor host) {
        device.enter();
        return device.upload(host);
    }

    @Override
    public HostTensor download(Tensor t) {
        device.enter();
        return device.download(device.cuda("download", t));
    }

    // ---- convolution and linear ----------------------------------------------------------------

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        device.enter();
        String op = "conv2d";
        CudaTensor in = device.cuda(op, x), w = device.cuda(op, weight), b = bias == null ? null : device.cuda(op, bias);
        Shape xs = in.shape, ws = w.shape;
        Shape outShape = OpShapes.conv2d(xs, ws, b == null ? null : b.shape, stride, padding);
        int n = xs.intDim(0), cin = xs.intDim(1), h = xs.intDim(2), wd = xs.intDim(3);
        int cout = ws.intDim(0), kh = ws.intDim(2), kw = ws.intDim(3);
        in = device.toLayout(op, in, Layout.channelsLast(4));
        w = device.toLayout(op, w, Layout.channelsLast(4));
        ConvShape convShape = new ConvShape(n, h, wd, cin, cout, kh, kw, padding, padding, stride, stride, device.precision.conv);
        ConvPlans.Plan plan = device.convs.plan(convShape);
        DevicePtr workspace = device.convWorkspace(plan.workspaceBytes());
        CudaTensor out = device.alloc(op, outShape, Layout.channelsLast(4));
        device.convs.run(convShape, in.ptr, w.ptr, out.ptr, workspace);
        if (b != null) device.launch(ElementwiseKernels.addRow(elementType, out.ptr, out.ptr, b.ptr, out.shape.numel(), cout));
        return out;
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        device.enter();
        String op = "linear";
        CudaTensor in = device.cuda(op, x), w = device.cuda(op, weight), b = bias == null ? null : device.cuda(op, bias);
        Shape xs = in.shape, ws = w.shape;
        Shape outShape = OpShapes.linear(xs, ws, b == null ? null : b.shape);
        int k = ws.intDim(1), nOut = ws.intDim(0);
        in = device.innermostLast(op, in);
        w = device.toLayout(op, w, Layout.rowMajor(2));
        CudaTensor out = device.alloc(op, outShape, in.layout);
        long rows = xs.numel() / k;
        // cuBLASLt reads a bias pointer only when it is 16-byte aligned; otherwise add it with a kernel.
        boolean fused = b != null && b.ptr.isAligned(16);
        GemmShape gemmShape = GemmShape.of(rows, nOut, k, device.precision.gemm, true, fused ? Epilogue.BIAS : Epilogue.NONE);
        device.gemms.run(gemmShape, in.ptr, w.ptr, out.ptr, fused ? Optional.of(b.ptr) : Optional.empty(), device.stream);
        if (b != null && !fused) device.launch(ElementwiseKernels.addRow(elementType, out.ptr, out.ptr, b.ptr, out.shape.numel(), nOut));
        return out;
    }

    // ---- normalisation -------------------------------------------------------------------------

    @Override
    public Tensor groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, Act act) {
        device.enter();
        String op = "groupNorm";
        CudaTensor in = device.cuda(op, x), scale = device.cuda(op, gamma), shift = device.cuda(op, beta);
        Shape xs = OpShapes.groupNorm(in.shape, scale.shape, shift.shape, groups);
        int n = xs.intDim(0), c = xs.intDim(1);
        in = device.toLayout(op, in, Layout.channelsLast(xs.rank()));
        long hw = xs.numel() / ((long) n * c);
        CudaTensor out = device.alloc(op, xs, in.layout);
        device.launch(NormKernels.groupNorm(elementType, out.ptr, in.ptr, scale.ptr, shift.ptr, n, hw, c, groups, eps, act == Act.SILU));
        if (act != Act.NONE && act != Act.SILU) {
            device.launch(ElementwiseKernels.unary(unary(act), elementType, out.ptr, out.ptr, xs.numel()));
        }
        return out;
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        device.enter();
        String op = "layerNorm";
        CudaTensor in = device.cuda(op, x), scale = device.cuda(op, gamma), shift = device.cuda(op, beta);
        Shape xs = OpShapes.layerNorm(in.shape, scale.shape, shift.shape);
        int c = xs.intDim(-1);
        in = device.innermostLast(op, in);
        CudaTensor out = device.alloc(op, xs, in.layout);
        device.launch(NormKernels.layerNorm(elementType, out.ptr, in.ptr, scale.ptr, shift.ptr, xs.numel() / c, c, eps));
        return out;
    }

    // ---- attention -----------------------------------------------------------------------------

    /** The fused kernel: tensor cores for head dims 40, 64, 80, 128; the generic kernel up to 512. */
    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal) {
        device.enter();
        String op = "attention";
        CudaTensor query = device.cuda(op, q), key = device.cuda(op, k), value = device.cuda(op, v);
        Shape qs = OpShapes.attention(query.shape, key.shape, value.shape, heads), ks = key.shape;
        int d = qs.intDim(2) / heads;
        if (d > AttentionKernel.MAX_HEAD_DIM) {
            throw new UnsupportedOperationException("attention: head dim " + d + " is above the kernels' " + AttentionKernel.MAX_HEAD_DIM);
        }
        if (causal && qs.dim(1) != ks.dim(1)) {
            throw new IllegalArgumentException("attention: causal attention needs as many queries as keys, got " + qs + " and " + ks);
        }
        query = device.toLayout(op, query, Layout.rowMajor(3));
        key = device.toLayout(op, key, Layout.rowMajor(3));
        value = device.toLayout(op, value, Layout.rowMajor(3));
        CudaTensor out = device.alloc(op, qs, Layout.rowMajor(3));
        AttentionKernel.Shape attentionShape = AttentionKernel.Shape.of(qs.intDim(0), qs.intDim(1), ks.intDim(1), heads, d, causal);
        device.launch(AttentionKernel.plan(elementType, out.ptr, query.ptr, key.ptr, value.ptr, attentionShape));
        return out;
    }

    // ---- pointwise -----------------------------------------------------------------------------

    @Override
    public Tensor activation(Tensor x, Act act) {
        device.enter();
        CudaTensor in = device.cuda("activation", x);
        Shape outShape = OpShapes.activation(in.shape);
        if (act == Act.NONE) return in;  // tensors are immutable: the input is its own identity
        CudaTensor out = device.alloc("activation", outShape, in.layout);
        device.launch(ElementwiseKernels.unary(unary(act), elementType, out.ptr, in.ptr, in.shape.numel()));
        return out;
    }

    private static ElementwiseKernels.Unary unary(Act act) {
        return switch (act) {
            case SILU -> ElementwiseKernels.Unary.SILU;
            case GELU -> ElementwiseKernels.Unary.GELU;
            case QUICK_GELU -> ElementwiseKernels.Unary.QUICK_GELU;
            case RELU -> ElementwiseKernels.Unary.RELU;
            case TANH -> ElementwiseKernels.Unary.TANH;
            case NONE -> throw new IllegalArgumentException("Act.NONE has no kernel");
        };
    }

    @Override
    public Tensor geglu(Tensor x) {
        device.enter();
        CudaTensor in = device.cuda("geglu", x);
        Shape xs = in.shape, outShape = OpShapes.geglu(xs);
        in = device.innermostLast("geglu", in);
        int f = outShape.intDim(-1);
        CudaTensor out = device.alloc("geglu", outShape, in.layout);
        device.launch(ElementwiseKernels.geglu(elementType, out.ptr, in.ptr, xs.numel() / (2L * f), f));
        return out;
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        device.enter();
        CudaTensor left = device.cuda("add", a), right = device.cuda("add", b);
        return binary("add", left, right, OpShapes.add(left.shape, right.shape), ElementwiseKernels.Binary.ADD);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        device.enter();
        CudaTensor left = device.cuda("mul", a), right = device.cuda("mul", b);
        return binary("mul", left, right, OpShapes.mul(left.shape, right.shape), ElementwiseKernels.Binary.MUL);
    }

    /** a (op) b, b broadcast to a's shape {@code outShape} as {@link Broadcast} plans it. */
    private Tensor binary(String op, CudaTensor a, CudaTensor b, Shape outShape, ElementwiseKernels.Binary kind) {
        Broadcast plan = Broadcast.plan(op, a.shape, a.layout, b.shape);
        CudaTensor out = device.alloc(op, outShape, a.layout);
        long n = outShape.numel();
        switch (plan) {
            case Broadcast.Same s -> {
                b = device.toLayout(op, b, a.layout);
                device.launch(ElementwiseKernels.binary(kind, elementType, out.ptr, a.ptr, b.ptr, n));
            }
            case Broadcast.Periodic p -> {
                b = device.toLayout(op, b, p.bLayout());
                if (kind == ElementwiseKernels.Binary.ADD) {
                    device.launch(ElementwiseKernels.addRow(elementType, out.ptr, a.ptr, b.ptr, n, Math.toIntExact(p.period())));
                } else {
                    // no multiply-by-row kernel: tile b to a's size (an embedding lookup of row 0), then multiply
                    CudaTensor tiled = tile(op, b, n / p.period(), p.period());
                    device.launch(ElementwiseKernels.binary(kind, elementType, out.ptr, a.ptr, tiled.ptr, n));
                }
            }
        }
        return out;
    }

    /** {@code rows} copies of the {@code period} elements of {@code b}, one after another. */
    private CudaTensor tile(String op, CudaTensor b, long rows, long period) {
        CudaTensor out = device.alloc(op + " tile", Shape.of(rows, period), Layout.rowMajor(2));
        device.launch(EmbeddingKernels.lookup(elementType, EmbeddingKernels.IdType.I32, out.ptr, b.ptr, device.zeroIds(rows),
                Math.toIntExact(rows), Math.toIntExact(period), 1));
        return out;
    }

    @Override
    public Tensor affine(Tensor x, float s, float shift) {
        device.enter();
        CudaTensor in = device.cuda("affine", x);
        Shape outShape = OpShapes.affine(in.shape);
        long n = outShape.numel();
        CudaTensor out = device.alloc("affine", outShape, in.layout);
        DevicePtr src = in.ptr;
        if (s != 1f || shift == 0f) {
            device.launch(ElementwiseKernels.scale(elementType, out.ptr, src, s, n));
            src = out.ptr;
        }
        if (shift != 0f) device.launch(ElementwiseKernels.addRow(elementType, out.ptr, src, device.constant(shift).ptr, n, 1));
        return out;
    }

    @Override
    public Tensor addChannelVector(Tensor x, Tensor v) {
        device.enter();
        String op = "addChannelVector";
        CudaTensor in = device.cuda(op, x), vector = device.cuda(op, v);
        Shape xs = OpShapes.addChannelVector(in.shape, vector.shape);
        in = device.toLayout(op, in, Layout.channelsLast(xs.rank()));
        vector = device.toLayout(op, vector, Layout.rowMajor(2));
        int n = xs.intDim(0), c = xs.intDim(1);
        CudaTensor out = device.alloc(op, xs, in.layout);
        device.launch(ElementwiseKernels.addBatchChannel(elementType, out.ptr, in.ptr, vector.ptr, n, xs.numel() / ((long) n * c), c));
        return out;
    }

    // ---- shape ---------------------------------------------------------------------------------

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        device.enter();
        CudaTensor in = device.cuda("reshape", x);
        OpShapes.reshape(in.shape, shape);
        Optional<Layout> free = in.layout.reshape(in.shape, shape);
        if (free.isPresent()) return in.view(shape, free.get());
        CudaTensor rowMajor = device.toLayout("reshape", in, Layout.rowMajor(in.shape.rank()));
        return rowMajor.view(shape, Layout.rowMajor(shape.rank()));
    }

    @Override
    public Tensor permute(Tensor x, int... dims) {
        device.enter();
        CudaTensor in = device.cuda("permute", x);
        return in.view(OpShapes.permute(in.shape, dims), in.layout.permute(dims));
    }


    // ---- embeddings ----------------------------------------------------------------------------

    /**
     * The kernel covers diffusers' defaults as SDXL uses them (cos first, shift 0, max period 10000),
     * reading the fp32 timesteps from the device; other settings are computed on the host in fp32
     * (as CpuOps does) and uploaded.
     */
    @Override
    public Tensor timestepEmbedding(float[] t, int dim, boolean flipSinToCos, float downscaleFreqShift, float maxPeriod) {
        device.enter();
        Shape outShape = OpShapes.timestepEmbedding(t.length, dim);
        if (flipSinToCos && downscaleFreqShift == 0f && maxPeriod == 10000f && dim >= 2) {
            DevicePtr timesteps = device.uploadFloats("timestepEmbedding timesteps", t);
            CudaTensor out = device.alloc("timestepEmbedding", outShape, Layout.rowMajor(2));
            device.launch(EmbeddingKernels.timestep(elementType, out.ptr, timesteps, t.length, dim));
            return out;
        }
        return upload(new HostTensor(outShape, TimestepEmbeddings.compute(t, dim, flipSinToCos, downscaleFreqShift, maxPeriod)));
    }

    // ---- copies (CudaCopyOps) ------------------------------------------------------------------

    @Override
    public Tensor concat(int dim, Tensor... xs) {
        return copies.concat(dim, xs);
    }

    @Override
    public Tensor slice(Tensor x, int dim, long start, long end) {
        return copies.slice(x, dim, start, end);
    }

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        return copies.upsampleNearest(x, outH, outW);
    }

    @Override
    public Tensor pad2d(Tensor x, int left, int right, int top, int bottom) {
        return copies.pad2d(x, left, right, top, bottom);
    }

    @Override
    public Tensor embedding(Tensor table, int[][] ids) {
        return copies.embedding(table, ids);
    }

    @Override
    public Tensor gatherRows(Tensor x, int[] index) {
        return copies.gatherRows(x, index);
    }
}
