package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.cublas.CublasLt;
import dev.turbojet.ffi.cublas.CublasLtHandle;
import dev.turbojet.ffi.cublas.Epilogue;
import dev.turbojet.ffi.cublas.GemmPlans;
import dev.turbojet.ffi.cublas.GemmShape;
import dev.turbojet.ffi.cuda.CaptureMode;
import dev.turbojet.ffi.cuda.Context;
import dev.turbojet.ffi.cuda.CudaDriver;
import dev.turbojet.ffi.cuda.CudaGraph;
import dev.turbojet.ffi.cuda.CudaGraphExec;
import dev.turbojet.ffi.cuda.CudaGraphs;
import dev.turbojet.ffi.cuda.CudaMemory;
import dev.turbojet.ffi.cuda.CudaStreams;
import dev.turbojet.ffi.cuda.DeviceAllocation;
import dev.turbojet.ffi.cuda.DeviceInfo;
import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.PinnedBuffer;
import dev.turbojet.ffi.cuda.Stream;
import dev.turbojet.ffi.cudnn.ConvPlans;
import dev.turbojet.ffi.cudnn.ConvShape;
import dev.turbojet.ffi.cudnn.Cudnn;
import dev.turbojet.ffi.cudnn.CudnnHandle;
import dev.turbojet.io.TensorView;
import dev.turbojet.kernels.AttentionKernel;
import dev.turbojet.kernels.ElementwiseKernels;
import dev.turbojet.kernels.EmbeddingKernels;
import dev.turbojet.kernels.KernelImage;
import dev.turbojet.kernels.Launch;
import dev.turbojet.kernels.LayoutKernels;
import dev.turbojet.kernels.NormKernels;
import dev.turbojet.ops.Act;
import dev.turbojet.ops.OpShapes;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.TimestepEmbeddings;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 */
public final class CudaOps implements Ops, AutoCloseable {
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

    private static final long GEMM_WORKSPACE = 32L << 20;
    private static final long MIN_STAGING = 16L << 20;

    private final Options options;
    private final Precision precision;
    private final dev.turbojet.kernels.DType kt;
    private final Context context;
    private final DeviceInfo info;
    private final Stream stream;
    private final KernelImage image;
    private final CublasLtHandle cublas;
    private final DeviceAllocation gemmWorkspace;
    private final GemmPlans gemms;
    private final CudnnHandle cudnn;
    private final ConvPlans convs;
    private final List<DeviceAllocation> persistent = new ArrayList<>();
    private final Map<Integer, CudaTensor> constants = new HashMap<>();
    private final List<GraphReplay> replays = new ArrayList<>();
    private DeviceAllocation convWorkspace;
    private DeviceAllocation arenaMemory;
    private DeviceArena arena;
    private PinnedBuffer staging;
    private DeviceAllocation zeroIds;
    private Thread boundThread;
    private boolean closed;

    private CudaOps(Options options) {
        this.options = options;
        this.precision = options.precision();
        this.kt = precision.kernel;
        CudaDriver.init();
        this.context = CudaDriver.retainPrimaryContext(CudaDriver.device(options.device()));
        this.boundThread = Thread.currentThread();
        this.info = CudaDriver.info(context.device());
        this.stream = CudaStreams.createStream();
        this.image = KernelImage.load(info);
        this.cublas = CublasLt.create();
        this.gemmWorkspace = CudaMemory.alloc(GEMM_WORKSPACE);
        this.gemms = new GemmPlans(cublas, gemmWorkspace.ptr(), GEMM_WORKSPACE);
        this.cudnn = Cudnn.create();
        Cudnn.setStream(cudnn, stream);
        this.convs = new ConvPlans(cudnn);
        this.convWorkspace = CudaMemory.alloc(1L << 20);
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
        return precision.dtype();
    }

    /** {@link #beginPass()} now, {@link #endPass()} when the scope closes. */
    @Override
    public Pass pass() {
        beginPass();
        return this::endPass;
    }

    public Precision precision() {
        return precision;
    }

    @Override
    public String describe() {
        enter();
        int driver = CudaDriver.driverVersion();
        return String.format(Locale.ROOT, "cuda %s (fp32 accumulation) on %s (%s, %d SMs, %.0f GiB), driver CUDA %d.%d,"
                        + " cuBLASLt %d, cuDNN %d, kernels from %s",
                precision.label(), info.name(), info.arch(), info.multiprocessors(), info.totalMemoryBytes() / 1073741824.0,
                driver / 1000, driver % 1000 / 10, CublasLt.version(), Cudnn.version(), image.origin());
    }

    // ---- profiling -----------------------------------------------------------------------------

    /** A timer that records CUDA events on this backend's stream around each op (for {@code ProfilingOps}). */
    public dev.turbojet.ops.OpTimer eventTimer() {
        enter();
        return new CudaEventTimer(stream);
    }

    /**
     * The size for {@link #copyBytesPerSecond}: {@code wanted}, or less where two buffers of it would
     * take more than half of the device memory free now (the arena already holds its share), in MiB.
     */
    public long copyProbeBytes(long wanted) {
        enter();
        long fit = CudaMemory.info().freeBytes() / 4;
        return Math.max(1L << 20, Math.min(wanted, fit) >> 20 << 20);
    }

    /**
     * Device-to-device copy bandwidth in bytes per second (bytes read plus bytes written), the best of
     * five copies of {@code bytes} after one warm-up, timed with events: the memory ceiling of a profile.
     */
    public double copyBytesPerSecond(long bytes) {
        enter();
        if (bytes <= 0) throw new IllegalArgumentException("copy size must be positive, got " + bytes);
        DeviceAllocation src = CudaMemory.alloc(bytes), dst = CudaMemory.alloc(bytes);
        try {
            CudaMemory.memsetD8(src.ptr(), (byte) 0x3C, bytes, stream);
            CudaMemory.copyDeviceToDeviceAsync(dst.ptr(), src.ptr(), bytes, stream);
            dev.turbojet.ops.OpTimer timer = eventTimer();
            for (int i = 0; i < 5; i++) {
                timer.begin();
                CudaMemory.copyDeviceToDeviceAsync(dst.ptr(), src.ptr(), bytes, stream);
                timer.end();
            }
            double best = Arrays.stream(timer.drain()).min().orElseThrow();
            return 2.0 * bytes / (best / 1e3);
        } finally {
            CudaStreams.synchronize(stream);
            CudaMemory.free(src);
            CudaMemory.free(dst);
        }
    }

    // ---- passes and the arena ------------------------------------------------------------------

    /** Starts a forward: what it allocates is released by {@link #endPass}. */
    public void beginPass() {
        enter();
        arena().beginPass();
    }

    /** Ends the pass (waiting for its work), releases its temporaries and says what it allocated. */
    public PassSummary endPass() {
        enter();
        CudaStreams.synchronize(stream);
        return arena().endPass();
    }

    /** Releases every arena tensor, including those allocated outside passes. */
    public void resetArena() {
        enter();
        CudaStreams.synchronize(stream);
        arena().reset();
    }

    /** Bytes in use in the arena and its capacity, for logs. */
    public String arenaUsage() {
        DeviceArena a = arena();
        return DeviceArena.mib(a.used()) + " of " + DeviceArena.mib(a.capacity()) + " (peak " + DeviceArena.mib(a.peak()) + ")";
    }

    /**
     * Fills the free part of the arena with 0xFF bytes (NaN in fp16 and bf16), so that an output
     * element an op forgets to write reads back as NaN. For tests and debugging.
     */
    public void poisonFreeArena() {
        enter();
        DeviceArena a = arena();
        if (a.available() > 0) CudaMemory.memsetD8(new DevicePtr(a.base() + a.used()), (byte) 0xFF, a.available(), stream);
    }

    private DeviceArena arena() {
        if (arena == null) {
            long bytes = options.arenaBytes();
            if (bytes == 0) bytes = CudaMemory.info().freeBytes() / 2;
            bytes = bytes / DeviceArena.ALIGNMENT * DeviceArena.ALIGNMENT;
            arenaMemory = CudaMemory.alloc(bytes);
            arena = new DeviceArena(arenaMemory.ptr().address(), bytes);
        }
        return arena;
    }

    private CudaTensor alloc(String op, Shape shape, Layout layout) {
        DeviceArena.Slot s = arena().allocate(HostPacking.storageBytes(shape, precision), op + " " + shape);
        return new CudaTensor(this, new DevicePtr(s.address()), shape, precision, layout, s);
    }

    // ---- CUDA graphs ---------------------------------------------------------------------------

    /**
     * Captures {@code body} once as a CUDA graph, to {@linkplain GraphReplay#run replay} with new inputs
     * of the same shapes as one graph launch. {@code body} must be device work only, on its arguments
     * (copies of {@code inputs} that the graph owns) and on weights: no upload, download or host value
     * that changes between calls (a UNet's {@code denoise}, not its {@code embed}). It runs twice here:
     * eagerly in a pass, which builds every plan and workspace it needs and measures its memory, then
     * under stream capture into a private arena that the graph keeps, so a replay never touches the
     * activation arena. Both runs must allocate the same sequence (checked). The eager run's temporaries
     * go into the free part of the activation arena and are gone when it returns, so it may be called
     * inside a pass or outside.
     */
    public GraphReplay capture(String what, List<Tensor> inputs, Function<List<Tensor>, Tensor> body) {
        enter();
        DeviceArena main = arena();
        if (main.available() == 0) throw new IllegalStateException("capture " + what + ": the activation arena is full");
        List<DeviceAllocation> owned = new ArrayList<>();
        try {
            List<CudaTensor> slots = new ArrayList<>();
            for (Tensor t : inputs) {
                CudaTensor in = cuda("capture " + what, t);
                DeviceAllocation a = CudaMemory.alloc(Math.max(in.bytes(), DeviceArena.ALIGNMENT));
                owned.add(a);
                if (in.bytes() > 0) CudaMemory.copyDeviceToDeviceAsync(a.ptr(), in.ptr, in.bytes(), stream);
                slots.add(new CudaTensor(this, a.ptr(), in.shape, precision, in.layout, null));
            }
            List<Tensor> args = List.copyOf(slots);
            DeviceArena scratch = new DeviceArena(main.base() + main.used(), main.available());
            PassSummary eager;
            arena = scratch;
            try {
                scratch.beginPass();
                cuda("capture " + what, body.apply(args));
                eager = scratch.endPass();
            } finally {
                arena = main;
            }
            long bytes = Math.max(DeviceArena.ALIGNMENT, eager.peakBytes());
            bytes = (bytes + DeviceArena.ALIGNMENT - 1) / DeviceArena.ALIGNMENT * DeviceArena.ALIGNMENT;
            DeviceAllocation memory = CudaMemory.alloc(bytes);
            owned.add(memory);
            DeviceArena own = new DeviceArena(memory.ptr().address(), bytes);
            CudaTensor out;
            CudaGraph graph;
            PassSummary captured;
            arena = own;
            try {
                own.beginPass();
                CudaGraphs.beginCapture(stream, CaptureMode.THREAD_LOCAL);
                try {
                    out = cuda("capture " + what, body.apply(args));
                } catch (RuntimeException e) {
                    try {
                        CudaGraphs.destroy(CudaGraphs.endCapture(stream));
                    } catch (RuntimeException f) {
                        e.addSuppressed(f);
                    }
                    throw new IllegalStateException("capture " + what + ": the body cannot be captured (" + e.getMessage()
                            + "); it must not upload, download or synchronize", e);
                }
                graph = CudaGraphs.endCapture(stream);
                captured = own.endPass();
            } finally {
                arena = main;
            }
            CudaGraphExec exec;
            try {
                if (captured.signature() != eager.signature() || captured.allocations() != eager.allocations()) {
                    throw new IllegalStateException("capture " + what + ": the captured run allocated " + captured.allocations()
                            + " tensors, the eager one " + eager.allocations() + ": the body must do the same work every time");
                }
                exec = CudaGraphs.instantiate(graph);
            } finally {
                CudaGraphs.destroy(graph);
            }
            GraphReplay r = new GraphReplay(this, what, slots, out.ptr, out.shape, out.layout, out.bytes(), exec, owned, bytes);
            replays.add(r);
            return r;
        } catch (RuntimeException e) {
            attempt(new ArrayList<>(), () -> CudaStreams.synchronize(stream));
            for (DeviceAllocation a : owned) attempt(new ArrayList<>(), () -> CudaMemory.free(a));
            throw e;
        }
    }

    /** {@link #capture}: on this backend, what {@link Ops#prepare} prepares is a CUDA graph. */
    @Override
    public Replayable prepare(String what, List<Tensor> inputs, Function<List<Tensor>, Tensor> body) {
        return capture(what, inputs, body);
    }

    /** How many captured graphs this backend holds (for tests). */
    int graphCount() {
        return replays.size();
    }

    /** One replay of {@code r}: new inputs into its slots, one graph launch, the output copied into the arena. */
    Tensor replay(GraphReplay r, List<Tensor> inputs) {
        enter();
        if (inputs.size() != r.slots.size()) {
            throw new IllegalArgumentException("replay " + r.what + ": " + inputs.size() + " inputs, captured with " + r.slots.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            CudaTensor in = cuda("replay " + r.what, inputs.get(i));
            CudaTensor slot = r.slots.get(i);
            if (!in.shape.equals(slot.shape) || !in.layout.equals(slot.layout)) {
                throw new IllegalArgumentException("replay " + r.what + ": input " + i + " is " + in.shape + " " + in.layout
                        + ", captured with " + slot.shape + " " + slot.layout + " (capture again for new shapes)");
            }
            if (in.bytes() > 0 && in.ptr.address() != slot.ptr.address()) {
                CudaMemory.copyDeviceToDeviceAsync(slot.ptr, in.ptr, in.bytes(), stream);
            }
        }
        CudaGraphs.launch(r.exec, stream);
        CudaTensor result = alloc("replay " + r.what, r.outShape, r.outLayout);
        if (r.outBytes > 0) CudaMemory.copyDeviceToDeviceAsync(result.ptr, r.outPtr, r.outBytes, stream);
        return result;
    }

    /** Frees what {@code r} holds once the stream is done with it. */
    void release(GraphReplay r) {
        if (!replays.remove(r) || closed) return;
        enter();
        List<RuntimeException> failures = new ArrayList<>();
        attempt(failures, () -> CudaStreams.synchronize(stream));
        attempt(failures, () -> CudaGraphs.destroy(r.exec));
        for (DeviceAllocation a : r.owned) attempt(failures, () -> CudaMemory.free(a));
        if (!failures.isEmpty()) throw failures.getFirst();
    }

    // ---- data movement -------------------------------------------------------------------------

    @Override
    public Tensor weight(TensorView view) {
        enter();
        Shape shape = OpShapes.weight(view);
        Layout layout = shape.rank() == 4 ? Layout.channelsLast(4) : Layout.rowMajor(shape.rank());
        long bytes = HostPacking.storageBytes(shape, precision);
        DeviceAllocation a = CudaMemory.alloc(Math.max(bytes, DeviceArena.ALIGNMENT));
        persistent.add(a);
        MemorySegment host = staging(bytes);
        HostPacking.packWeight(view, layout, precision, host);
        CudaStreams.synchronize(stream);  // earlier work may still read staging
        CudaMemory.copyToDevice(a.ptr(), host);
        return new CudaTensor(this, a.ptr(), shape, precision, layout, null);
    }

    /** 4-D tensors arrive NHWC (converted on the host), others row-major. */
    @Override
    public Tensor upload(HostTensor host) {
        enter();
        Shape s = host.shape();
        Layout layout = s.rank() == 4 ? Layout.channelsLast(4) : Layout.rowMajor(s.rank());
        CudaTensor out = alloc("upload", s, layout);
        MemorySegment buf = staging(out.bytes());
        CudaStreams.synchronize(stream);
        HostPacking.pack(host.data(), s, layout, precision, buf);
        copyIn(out.ptr, buf);
        return out;
    }

    @Override
    public HostTensor download(Tensor t) {
        enter();
        CudaTensor x = cuda("download", t);
        MemorySegment buf = staging(x.bytes());
        CudaStreams.synchronize(stream);
        if (x.bytes() > 0) {
            CudaMemory.copyToHostAsync(buf, x.ptr, stream);
            CudaStreams.synchronize(stream);
        }
        return new HostTensor(x.shape, HostPacking.unpack(buf, x.shape, x.layout, precision));
    }

    /** Enqueues a copy of {@code src} (staging) to {@code dst} and waits, so staging can be reused. */
    private void copyIn(DevicePtr dst, MemorySegment src) {
        if (src.byteSize() == 0) return;
        CudaMemory.copyToDeviceAsync(dst, src, stream);
        CudaStreams.synchronize(stream);
    }

    /** The pinned staging buffer, at least {@code bytes} long, as a slice of exactly that size. */
    private MemorySegment staging(long bytes) {
        if (staging == null || staging.bytes() < bytes) {
            CudaStreams.synchronize(stream);
            if (staging != null) CudaMemory.freePinned(staging);
            staging = CudaMemory.allocPinned(Math.max(MIN_STAGING, Long.highestOneBit(Math.max(1, bytes - 1)) << 1));
        }
        return staging.segment().asSlice(0, bytes);
    }

    // ---- convolution and linear ----------------------------------------------------------------

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        enter();
        String op = "conv2d";
        CudaTensor in = cuda(op, x), w = cuda(op, weight), b = bias == null ? null : cuda(op, bias);
        Shape xs = in.shape, ws = w.shape;
        Shape outShape = OpShapes.conv2d(xs, ws, b == null ? null : b.shape, stride, padding);
        int n = xs.intDim(0), cin = xs.intDim(1), h = xs.intDim(2), wd = xs.intDim(3);
        int cout = ws.intDim(0), kh = ws.intDim(2), kw = ws.intDim(3);
        in = toLayout(op, in, Layout.channelsLast(4));
        w = toLayout(op, w, Layout.channelsLast(4));
        ConvShape cs = new ConvShape(n, h, wd, cin, cout, kh, kw, padding, padding, stride, stride, precision.conv);
        ConvPlans.Plan plan = convs.plan(cs);
        DevicePtr workspace = convWorkspace(plan.workspaceBytes());
        CudaTensor out = alloc(op, outShape, Layout.channelsLast(4));
        convs.run(cs, in.ptr, w.ptr, out.ptr, workspace);
        if (b != null) launch(ElementwiseKernels.addRow(kt, out.ptr, out.ptr, b.ptr, out.shape.numel(), cout));
        return out;
    }

    private DevicePtr convWorkspace(long bytes) {
        if (convWorkspace.bytes() < bytes) {
            // kept, not freed: a captured graph may still use it (freed at close)
            persistent.add(convWorkspace);
            convWorkspace = CudaMemory.alloc(bytes);
        }
        return convWorkspace.ptr();
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        enter();
        String op = "linear";
        CudaTensor in = cuda(op, x), w = cuda(op, weight), b = bias == null ? null : cuda(op, bias);
        Shape xs = in.shape, ws = w.shape;
        Shape outShape = OpShapes.linear(xs, ws, b == null ? null : b.shape);
        int k = ws.intDim(1), nOut = ws.intDim(0);
        in = innermostLast(op, in);
        w = toLayout(op, w, Layout.rowMajor(2));
        CudaTensor out = alloc(op, outShape, in.layout);
        long rows = xs.numel() / k;
        // cuBLASLt reads a bias pointer only when it is 16-byte aligned; otherwise add it with a kernel.
        boolean fused = b != null && b.ptr.isAligned(16);
        GemmShape gs = GemmShape.of(rows, nOut, k, precision.gemm, true, fused ? Epilogue.BIAS : Epilogue.NONE);
        gemms.run(gs, in.ptr, w.ptr, out.ptr, fused ? Optional.of(b.ptr) : Optional.empty(), stream);
        if (b != null && !fused) launch(ElementwiseKernels.addRow(kt, out.ptr, out.ptr, b.ptr, out.shape.numel(), nOut));
        return out;
    }

    // ---- normalisation -------------------------------------------------------------------------

    @Override
    public Tensor groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, Act act) {
        enter();
        String op = "groupNorm";
        CudaTensor in = cuda(op, x), g = cuda(op, gamma), b = cuda(op, beta);
        Shape xs = OpShapes.groupNorm(in.shape, g.shape, b.shape, groups);
        int n = xs.intDim(0), c = xs.intDim(1);
        in = toLayout(op, in, Layout.channelsLast(xs.rank()));
        long hw = xs.numel() / ((long) n * c);
        CudaTensor out = alloc(op, xs, in.layout);
        launch(NormKernels.groupNorm(kt, out.ptr, in.ptr, g.ptr, b.ptr, n, hw, c, groups, eps, act == Act.SILU));
        if (act != Act.NONE && act != Act.SILU) launch(ElementwiseKernels.unary(unary(act), kt, out.ptr, out.ptr, xs.numel()));
        return out;
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        enter();
        String op = "layerNorm";
        CudaTensor in = cuda(op, x), g = cuda(op, gamma), b = cuda(op, beta);
        Shape xs = OpShapes.layerNorm(in.shape, g.shape, b.shape);
        int c = xs.intDim(-1);
        in = innermostLast(op, in);
        CudaTensor out = alloc(op, xs, in.layout);
        launch(NormKernels.layerNorm(kt, out.ptr, in.ptr, g.ptr, b.ptr, xs.numel() / c, c, eps));
        return out;
    }

    // ---- attention -----------------------------------------------------------------------------

    /** The fused kernel: tensor cores for head dims 40, 64, 80, 128; the generic kernel up to 512. */
    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal) {
        enter();
        String op = "attention";
        CudaTensor query = cuda(op, q), key = cuda(op, k), value = cuda(op, v);
        Shape qs = OpShapes.attention(query.shape, key.shape, value.shape, heads), ks = key.shape;
        int d = qs.intDim(2) / heads;
        if (d > AttentionKernel.MAX_HEAD_DIM) {
            throw new UnsupportedOperationException("attention: head dim " + d + " is above the kernels' " + AttentionKernel.MAX_HEAD_DIM);
        }
        if (causal && qs.dim(1) != ks.dim(1)) {
            throw new IllegalArgumentException("attention: causal attention needs as many queries as keys, got " + qs + " and " + ks);
        }
        query = toLayout(op, query, Layout.rowMajor(3));
        key = toLayout(op, key, Layout.rowMajor(3));
        value = toLayout(op, value, Layout.rowMajor(3));
        CudaTensor out = alloc(op, qs, Layout.rowMajor(3));
        AttentionKernel.Shape s = AttentionKernel.Shape.of(qs.intDim(0), qs.intDim(1), ks.intDim(1), heads, d, causal);
        launch(AttentionKernel.plan(kt, out.ptr, query.ptr, key.ptr, value.ptr, s));
        return out;
    }

    // ---- pointwise -----------------------------------------------------------------------------

    @Override
    public Tensor activation(Tensor x, Act act) {
        enter();
        CudaTensor in = cuda("activation", x);
        Shape outShape = OpShapes.activation(in.shape);
        if (act == Act.NONE) return in;  // tensors are immutable: the input is its own identity
        CudaTensor out = alloc("activation", outShape, in.layout);
        launch(ElementwiseKernels.unary(unary(act), kt, out.ptr, in.ptr, in.shape.numel()));
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
        enter();
        CudaTensor in = cuda("geglu", x);
        Shape xs = in.shape, outShape = OpShapes.geglu(xs);
        in = innermostLast("geglu", in);
        int f = outShape.intDim(-1);
        CudaTensor out = alloc("geglu", outShape, in.layout);
        launch(ElementwiseKernels.geglu(kt, out.ptr, in.ptr, xs.numel() / (2L * f), f));
        return out;
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        enter();
        CudaTensor left = cuda("add", a), right = cuda("add", b);
        return binary("add", left, right, OpShapes.add(left.shape, right.shape), ElementwiseKernels.Binary.ADD);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        enter();
        CudaTensor left = cuda("mul", a), right = cuda("mul", b);
        return binary("mul", left, right, OpShapes.mul(left.shape, right.shape), ElementwiseKernels.Binary.MUL);
    }

    /** a (op) b, b broadcast to a's shape {@code outShape} as {@link Broadcast} plans it. */
    private Tensor binary(String op, CudaTensor a, CudaTensor b, Shape outShape, ElementwiseKernels.Binary kind) {
        Broadcast plan = Broadcast.plan(op, a.shape, a.layout, b.shape);
        CudaTensor out = alloc(op, outShape, a.layout);
        long n = outShape.numel();
        switch (plan) {
            case Broadcast.Same s -> {
                b = toLayout(op, b, a.layout);
                launch(ElementwiseKernels.binary(kind, kt, out.ptr, a.ptr, b.ptr, n));
            }
            case Broadcast.Periodic p -> {
                b = toLayout(op, b, p.bLayout());
                if (kind == ElementwiseKernels.Binary.ADD) {
                    launch(ElementwiseKernels.addRow(kt, out.ptr, a.ptr, b.ptr, n, Math.toIntExact(p.period())));
                } else {
                    // no multiply-by-row kernel: tile b to a's size (an embedding lookup of row 0), then multiply
                    CudaTensor tiled = tile(op, b, n / p.period(), p.period());
                    launch(ElementwiseKernels.binary(kind, kt, out.ptr, a.ptr, tiled.ptr, n));
                }
            }
        }
        return out;
    }

    /** {@code rows} copies of the {@code period} elements of {@code b}, one after another. */
    private CudaTensor tile(String op, CudaTensor b, long rows, long period) {
        CudaTensor out = alloc(op + " tile", Shape.of(rows, period), Layout.rowMajor(2));
        launch(EmbeddingKernels.lookup(kt, EmbeddingKernels.IdType.I32, out.ptr, b.ptr, zeroIds(rows), Math.toIntExact(rows),
                Math.toIntExact(period), 1));
        return out;
    }

    /** A persistent device buffer of at least {@code count} int32 zeros. */
    private DevicePtr zeroIds(long count) {
        if (zeroIds == null || zeroIds.bytes() < count * 4) {
            if (zeroIds != null) persistent.add(zeroIds);  // kept for any graph that captured it (freed at close)
            zeroIds = CudaMemory.alloc(Math.max(4096, count * 4));
            CudaMemory.memsetD8(zeroIds.ptr(), (byte) 0, zeroIds.bytes(), stream);
        }
        return zeroIds.ptr();
    }

    @Override
    public Tensor affine(Tensor x, float s, float shift) {
        enter();
        CudaTensor in = cuda("affine", x);
        Shape outShape = OpShapes.affine(in.shape);
        long n = outShape.numel();
        CudaTensor out = alloc("affine", outShape, in.layout);
        DevicePtr src = in.ptr;
        if (s != 1f || shift == 0f) {
            launch(ElementwiseKernels.scale(kt, out.ptr, src, s, n));
            src = out.ptr;
        }
        if (shift != 0f) launch(ElementwiseKernels.addRow(kt, out.ptr, src, constant(shift).ptr, n, 1));
        return out;
    }

    /** A persistent one-element device tensor holding {@code value} in storage precision. */
    private CudaTensor constant(float value) {
        int key = Float.floatToRawIntBits(value);
        CudaTensor c = constants.get(key);
        if (c == null) {
            DeviceAllocation a = CudaMemory.alloc(DeviceArena.ALIGNMENT);
            persistent.add(a);
            MemorySegment buf = staging(2);
            CudaStreams.synchronize(stream);
            buf.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, precision.encode(value));
            CudaMemory.copyToDevice(a.ptr(), buf);
            c = new CudaTensor(this, a.ptr(), Shape.of(1), precision, Layout.rowMajor(1), null);
            constants.put(key, c);
        }
        return c;
    }

    @Override
    public Tensor addChannelVector(Tensor x, Tensor v) {
        enter();
        String op = "addChannelVector";
        CudaTensor in = cuda(op, x), vector = cuda(op, v);
        Shape xs = OpShapes.addChannelVector(in.shape, vector.shape);
        in = toLayout(op, in, Layout.channelsLast(xs.rank()));
        vector = toLayout(op, vector, Layout.rowMajor(2));
        int n = xs.intDim(0), c = xs.intDim(1);
        CudaTensor out = alloc(op, xs, in.layout);
        launch(ElementwiseKernels.addBatchChannel(kt, out.ptr, in.ptr, vector.ptr, n, xs.numel() / ((long) n * c), c));
        return out;
    }

    // ---- shape ---------------------------------------------------------------------------------

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        enter();
        CudaTensor in = cuda("reshape", x);
        OpShapes.reshape(in.shape, shape);
        Optional<Layout> free = in.layout.reshape(in.shape, shape);
        if (free.isPresent()) return in.view(shape, free.get());
        CudaTensor rm = toLayout("reshape", in, Layout.rowMajor(in.shape.rank()));
        return rm.view(shape, Layout.rowMajor(shape.rank()));
    }

    @Override
    public Tensor permute(Tensor x, int... dims) {
        enter();
        CudaTensor in = cuda("permute", x);
        return in.view(OpShapes.permute(in.shape, dims), in.layout.permute(dims));
    }

    @Override
    public Tensor concat(int dim, Tensor... xs) {
        enter();
        CudaTensor[] ts = new CudaTensor[xs.length];
        Shape[] shapes = new Shape[xs.length];
        for (int i = 0; i < xs.length; i++) {
            ts[i] = cuda("concat", xs[i]);
            shapes[i] = ts[i].shape;
        }
        Shape outShape = OpShapes.concat(dim, shapes), first = shapes[0];
        int d = dim < 0 ? dim + first.rank() : dim;
        Layout layout = ts[0].layout;
        for (int i = 0; i < ts.length; i++) ts[i] = toLayout("concat", ts[i], layout);
        long outer = layout.outer(first, d), inner = layout.inner(first, d);
        CudaTensor acc = ts[0];
        long accDim = first.dim(d);
        if (outer == 1) {
            CudaTensor out = alloc("concat", outShape, layout);
            long at = 0;
            for (CudaTensor t : ts) {
                CudaMemory.copyDeviceToDeviceAsync(out.ptr.plus(at), t.ptr, t.bytes(), stream);
                at += t.bytes();
            }
            return out;
        }
        for (int i = 1; i < ts.length; i++) {  // pairwise: the layout kernel interleaves two row blocks
            long next = ts[i].shape.dim(d);
            long[] dims = first.dims();
            dims[d] = accDim + next;
            CudaTensor out = alloc("concat", Shape.of(dims), layout);
            if (accDim * inner > 0 && next * inner > 0) {
                launch(LayoutKernels.concatChannels(out.ptr, acc.ptr, ts[i].ptr, outer, Math.toIntExact(accDim * inner),
                        Math.toIntExact(next * inner)));
            } else {
                CudaTensor nonEmpty = accDim == 0 ? ts[i] : acc;
                CudaMemory.copyDeviceToDeviceAsync(out.ptr, nonEmpty.ptr, nonEmpty.bytes(), stream);
            }
            acc = out;
            accDim += next;
        }
        return acc;
    }

    /** One device copy per row block outside {@code dim} (one copy when {@code dim} is outermost in memory). */
    @Override
    public Tensor slice(Tensor x, int dim, long start, long end) {
        enter();
        CudaTensor in = cuda("slice", x);
        Shape xs = in.shape;
        CudaTensor out = alloc("slice", OpShapes.slice(xs, dim, start, end), in.layout);
        int d = dim < 0 ? dim + xs.rank() : dim;
        long outer = in.layout.outer(xs, d), inner = in.layout.inner(xs, d), e = precision.bytes();
        long rowIn = xs.dim(d) * inner * e, rowOut = (end - start) * inner * e;
        if (rowOut == 0) return out;
        for (long o = 0; o < outer; o++) {
            CudaMemory.copyDeviceToDeviceAsync(out.ptr.plus(o * rowOut), in.ptr.plus(o * rowIn + start * inner * e), rowOut, stream);
        }
        return out;
    }

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        enter();
        CudaTensor in = cuda("upsampleNearest", x);
        Shape xs = in.shape, outShape = OpShapes.upsampleNearest(xs, outH, outW);
        in = toLayout("upsampleNearest", in, Layout.channelsLast(4));
        CudaTensor out = alloc("upsampleNearest", outShape, Layout.channelsLast(4));
        launch(LayoutKernels.upsampleNearest(out.ptr, in.ptr, xs.intDim(0), xs.intDim(2), xs.intDim(3), xs.intDim(1), outH, outW));
        return out;
    }

    @Override
    public Tensor pad2d(Tensor x, int left, int right, int top, int bottom) {
        enter();
        CudaTensor in = cuda("pad2d", x);
        Shape xs = in.shape, outShape = OpShapes.pad2d(xs, left, right, top, bottom);
        in = toLayout("pad2d", in, Layout.channelsLast(4));
        int n = xs.intDim(0), c = xs.intDim(1), h = xs.intDim(2), w = xs.intDim(3);
        CudaTensor out = alloc("pad2d", outShape, Layout.channelsLast(4));
        launch(LayoutKernels.pad(kt, out.ptr, in.ptr, n, h, w, c, top, bottom, left, right, 0f));
        return out;
    }

    // ---- embeddings ----------------------------------------------------------------------------

    /**
     * The kernel covers diffusers' defaults as SDXL uses them (cos first, shift 0, max period 10000),
     * reading the fp32 timesteps from the device; other settings are computed on the host in fp32
     * (as CpuOps does) and uploaded.
     */
    @Override
    public Tensor timestepEmbedding(float[] t, int dim, boolean flipSinToCos, float downscaleFreqShift, float maxPeriod) {
        enter();
        Shape outShape = OpShapes.timestepEmbedding(t.length, dim);
        if (flipSinToCos && downscaleFreqShift == 0f && maxPeriod == 10000f && dim >= 2) {
            DeviceArena.Slot ts = arena().allocate(4L * t.length, "timestepEmbedding timesteps");
            MemorySegment buf = staging(4L * t.length);
            CudaStreams.synchronize(stream);
            MemorySegment.copy(t, 0, buf, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, t.length);
            copyIn(new DevicePtr(ts.address()), buf);
            CudaTensor out = alloc("timestepEmbedding", outShape, Layout.rowMajor(2));
            launch(EmbeddingKernels.timestep(kt, out.ptr, new DevicePtr(ts.address()), t.length, dim));
            return out;
        }
        return upload(new HostTensor(outShape, TimestepEmbeddings.compute(t, dim, flipSinToCos, downscaleFreqShift, maxPeriod)));
    }

    @Override
    public Tensor embedding(Tensor table, int[][] ids) {
        enter();
        CudaTensor rows = cuda("embedding", table);
        Shape outShape = OpShapes.embedding(rows.shape, ids);
        int vocab = rows.shape.intDim(0), c = rows.shape.intDim(1), tokens = ids[0].length;
        int[] flat = new int[ids.length * tokens];
        for (int b = 0; b < ids.length; b++) System.arraycopy(ids[b], 0, flat, b * tokens, tokens);
        rows = toLayout("embedding", rows, Layout.rowMajor(2));
        CudaTensor out = alloc("embedding", outShape, Layout.rowMajor(3));
        launch(EmbeddingKernels.lookup(kt, EmbeddingKernels.IdType.I32, out.ptr, rows.ptr, uploadInts("embedding", flat),
                flat.length, c, vocab));
        return out;
    }

    /** The embedding kernel over x viewed as [B*T, C] rows, picking row b*T + index[b]. */
    @Override
    public Tensor gatherRows(Tensor x, int[] index) {
        enter();
        CudaTensor in = cuda("gatherRows", x);
        Shape xs = in.shape, outShape = OpShapes.gatherRows(xs, index);
        int t = xs.intDim(1), c = xs.intDim(2);
        int[] rows = new int[index.length];
        for (int b = 0; b < index.length; b++) rows[b] = b * t + index[b];
        in = toLayout("gatherRows", in, Layout.rowMajor(3));
        CudaTensor out = alloc("gatherRows", outShape, Layout.rowMajor(2));
        launch(EmbeddingKernels.lookup(kt, EmbeddingKernels.IdType.I32, out.ptr, in.ptr, uploadInts("gatherRows", rows),
                rows.length, c, index.length * t));
        return out;
    }

    private DevicePtr uploadInts(String op, int[] values) {
        DeviceArena.Slot s = arena().allocate(4L * values.length, op + " ids");
        MemorySegment buf = staging(4L * values.length);
        CudaStreams.synchronize(stream);
        MemorySegment.copy(values, 0, buf, ValueLayout.JAVA_INT_UNALIGNED, 0, values.length);
        copyIn(new DevicePtr(s.address()), buf);
        return new DevicePtr(s.address());
    }

    // ---- layouts -------------------------------------------------------------------------------

    /** x with its last logical dim innermost in memory (what GEMM rows and row norms read). */
    private CudaTensor innermostLast(String op, CudaTensor x) {
        return x.layout.isInnermost(x.shape, x.shape.rank() - 1) ? x : toLayout(op, x, Layout.rowMajor(x.shape.rank()));
    }

    /** x stored as {@code target}: a relabelled view when the bytes already match, else one transpose kernel. */
    CudaTensor toLayout(String op, CudaTensor x, Layout target) {
        if (x.layout.sameStorage(x.shape, target)) return x.view(x.shape, target);
        Layout.BlockTranspose bt = x.layout.transposeTo(x.shape, target).orElseThrow(() -> new UnsupportedOperationException(
                op + ": cannot move " + x.shape + " from " + x.layout + " to " + target + " with one block transpose"));
        CudaTensor out = alloc(op + " relayout", x.shape, target);
        // memory [n, a, b] -> [n, b, a] is the layout kernels' NCHW -> NHWC with c = a, h = 1, w = b
        launch(LayoutKernels.nchwToNhwc(out.ptr, x.ptr, Math.toIntExact(bt.n()), Math.toIntExact(bt.a()), 1,
                Math.toIntExact(bt.b())));
        return out;
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void launch(Launch l) {
        image.launch(l, stream);
    }

    /** The calling thread must have this backend's context current; binding it again is cheap and only done on a switch. */
    private void enter() {
        if (closed) throw new IllegalStateException("this CudaOps is closed");
        Thread t = Thread.currentThread();
        if (t != boundThread) {
            CudaDriver.setCurrent(context);
            boundThread = t;
        }
    }

    private CudaTensor cuda(String op, Tensor t) {
        if (t == null) throw new IllegalArgumentException(op + ": tensor is null");
        if (!(t instanceof CudaTensor c) || c.owner != this) {
            throw new IllegalArgumentException(op + ": " + t + " (" + t.getClass().getName() + ") was not made by this CudaOps");
        }
        if (c.slot != null && !arena.isLive(c.slot)) {
            throw new IllegalStateException(op + ": " + c + " was released when its pass ended (or the arena was reset)");
        }
        return c;
    }

    /**
     * Waits for the stream, then frees everything this backend allocated and releases the context. Every
     * step runs even when an earlier one fails (after a GPU fault every CUDA call reports it): the
     * context is released in any case, so a backend opened afterwards starts on a fresh one once every
     * backend on the device is closed. The first failure is rethrown at the end.
     */
    @Override
    public void close() {
        if (closed) return;
        List<RuntimeException> failures = new ArrayList<>();
        Runnable[] steps = {
            this::enter,
            () -> CudaStreams.synchronize(stream),
            () -> List.copyOf(replays).forEach(r -> attempt(failures, r::close)),
            convs::close,
            gemms::close,
            () -> Cudnn.destroy(cudnn),
            () -> CublasLt.destroy(cublas),
            () -> persistent.forEach(a -> attempt(failures, () -> CudaMemory.free(a))),
            () -> CudaMemory.free(gemmWorkspace),
            () -> CudaMemory.free(convWorkspace),
            () -> { if (arenaMemory != null) CudaMemory.free(arenaMemory); },
            () -> { if (zeroIds != null) CudaMemory.free(zeroIds); },
            () -> { if (staging != null) CudaMemory.freePinned(staging); },
            image::unload,
            () -> CudaStreams.destroy(stream),
        };
        for (Runnable step : steps) attempt(failures, step);
        closed = true;
        persistent.clear();
        attempt(failures, () -> CudaDriver.releasePrimaryContext(context));
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void attempt(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }
}
