package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.cublas.CublasLt;
import dev.turbojet.ffi.cublas.CublasLtHandle;
import dev.turbojet.ffi.cublas.GemmPlans;
import dev.turbojet.ffi.cuda.Context;
import dev.turbojet.ffi.cuda.CudaDriver;
import dev.turbojet.ffi.cuda.CudaGraphs;
import dev.turbojet.ffi.cuda.CudaMemory;
import dev.turbojet.ffi.cuda.CudaStreams;
import dev.turbojet.ffi.cuda.DeviceAllocation;
import dev.turbojet.ffi.cuda.DeviceInfo;
import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.PinnedBuffer;
import dev.turbojet.ffi.cuda.Stream;
import dev.turbojet.ffi.cudnn.ConvPlans;
import dev.turbojet.ffi.cudnn.Cudnn;
import dev.turbojet.ffi.cudnn.CudnnHandle;
import dev.turbojet.io.TensorView;
import dev.turbojet.kernels.ElementType;
import dev.turbojet.kernels.KernelImage;
import dev.turbojet.kernels.Launch;
import dev.turbojet.kernels.LayoutKernels;
import dev.turbojet.ops.CopyRate;
import dev.turbojet.ops.OpTimer;
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

/**
 * What {@link CudaOps} runs on: one device's context, one stream, the kernel image, the cuBLASLt and
 * cuDNN handles and plan caches, and the memory: persistent allocations (weights, workspaces,
 * constants), the activation arena and its passes, the pinned staging buffer, and the CUDA graphs
 * captured from it. CudaOps maps each op onto it; the public methods of CudaOps that are not ops
 * (passes, capture, profiling, close) are these.
 *
 * <p>Every entry point calls {@link #enter} first: it fails once closed, and makes this device's
 * context current on a thread that has not used it yet. Not thread-safe.
 */
final class CudaDevice {
    private static final long GEMM_WORKSPACE = 32L << 20;
    private static final long MIN_STAGING = 16L << 20;

    /** The backend whose tensors this device's memory holds (each {@link CudaTensor} names it). */
    final CudaOps owner;
    final Precision precision;
    final ElementType elementType;
    final Stream stream;
    final GemmPlans gemms;
    final ConvPlans convs;
    private final CudaOps.Options options;
    private final Context context;
    private final DeviceInfo info;
    private final KernelImage image;
    private final CublasLtHandle cublas;
    private final DeviceAllocation gemmWorkspace;
    private final CudnnHandle cudnn;
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

    CudaDevice(CudaOps owner, CudaOps.Options options) {
        this.owner = owner;
        this.options = options;
        this.precision = options.precision();
        this.elementType = precision.kernel;
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

    /** The backend line of {@link CudaOps#describe}. */
    String describe() {
        enter();
        int driver = CudaDriver.driverVersion();
        return String.format(Locale.ROOT, "cuda %s (fp32 accumulation) on %s (%s, %d SMs, %.0f GiB), driver CUDA %d.%d,"
                        + " cuBLASLt %d, cuDNN %d, kernels from %s",
                precision.label(), info.name(), info.arch(), info.multiprocessors(), info.totalMemoryBytes() / 1073741824.0,
                driver / 1000, driver % 1000 / 10, CublasLt.version(), Cudnn.version(), image.origin());
    }

    // ---- profiling -----------------------------------------------------------------------------

    /** A timer that records CUDA events on this backend's stream around each op (for {@code ProfilingOps}). */
    OpTimer eventTimer() {
        enter();
        return new CudaEventTimer(stream);
    }

    /** Total minus free memory of this device, as the driver reports it. */
    long memoryInUse() {
        enter();
        CudaMemory.Info memory = CudaMemory.info();
        return memory.totalBytes() - memory.freeBytes();
    }

    /**
     * {@link CudaOps#measureCopyRate}: the best of five timed device-to-device copies of 1 GiB, or less
     * where two buffers of it would take more than half of the memory free now (the arena already holds
     * its share).
     */
    CopyRate measureCopyRate() {
        enter();
        long bytes = Math.max(1L << 20, Math.min(1L << 30, CudaMemory.info().freeBytes() / 4) >> 20 << 20);
        DeviceAllocation src = CudaMemory.alloc(bytes), dst = CudaMemory.alloc(bytes);
        try {
            CudaMemory.memsetD8(src.ptr(), (byte) 0x3C, bytes, stream);
            CudaMemory.copyDeviceToDeviceAsync(dst.ptr(), src.ptr(), bytes, stream);
            OpTimer timer = eventTimer();
            for (int i = 0; i < 5; i++) {
                timer.begin();
                CudaMemory.copyDeviceToDeviceAsync(dst.ptr(), src.ptr(), bytes, stream);
                timer.end();
            }
            double best = Arrays.stream(timer.drain()).min().orElseThrow();
            return new CopyRate(2.0 * bytes / (best / 1e3), (bytes >> 20) + " MiB device-to-device copy");
        } finally {
            CudaStreams.synchronize(stream);
            CudaMemory.free(src);
            CudaMemory.free(dst);
        }
    }

    /** The options this device was opened with. */
    CudaOps.Options options() {
        return options;
    }

    // ---- passes and the arena ------------------------------------------------------------------

    /** Starts a forward: what it allocates is released by {@link #endPass}. */
    void beginPass() {
        enter();
        arena().beginPass();
    }

    /** Ends the pass (waiting for its work), releases its temporaries and says what it allocated. */
    PassSummary endPass() {
        enter();
        CudaStreams.synchronize(stream);
        return arena().endPass();
    }

    /** Releases every arena tensor, including those allocated outside passes. */
    void resetArena() {
        enter();
        CudaStreams.synchronize(stream);
        arena().reset();
    }

    /** Bytes in use in the arena and its capacity, for logs. */
    String arenaUsage() {
        DeviceArena a = arena();
        return DeviceArena.mib(a.used()) + " of " + DeviceArena.mib(a.capacity()) + " (peak " + DeviceArena.mib(a.peak()) + ")";
    }

    /** {@link CudaOps#poisonFreeArena}: 0xFF bytes, NaN in fp16 and bf16. */
    void poisonFreeArena() {
        enter();
        DeviceArena a = arena();
        if (a.available() > 0) CudaMemory.memsetD8(new DevicePtr(a.base() + a.used()), (byte) 0xFF, a.available(), stream);
    }

    /** The arena new tensors come from: the activation arena (made at first use), or a capture's while it records. */
    DeviceArena arena() {
        if (arena == null) {
            long bytes = options.arenaBytes();
            if (bytes == 0) bytes = CudaMemory.info().freeBytes() / 2;
            bytes = bytes / DeviceArena.ALIGNMENT * DeviceArena.ALIGNMENT;
            arenaMemory = CudaMemory.alloc(bytes);
            arena = new DeviceArena(arenaMemory.ptr().address(), bytes);
        }
        return arena;
    }

    CudaTensor alloc(String op, Shape shape, Layout layout) {
        DeviceArena.Slot s = arena().allocate(HostPacking.storageBytes(shape, precision), op + " " + shape);
        return new CudaTensor(owner, new DevicePtr(s.address()), shape, precision, layout, s);
    }

    // ---- CUDA graphs ({@link GraphCapture}) ----------------------------------------------------

    /** Makes {@code a} the arena new tensors come from (capture's eager and recorded runs, then the activation arena again). */
    void useArena(DeviceArena a) {
        arena = a;
    }

    /** Keeps {@code r} until it or this device is closed. */
    void adopt(GraphReplay r) {
        replays.add(r);
    }

    /** How many captured graphs this backend holds (for tests). */
    int graphCount() {
        return replays.size();
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

    /** {@code view}, of the checked {@code shape}, in a device allocation of its own (freed at close). */
    CudaTensor weight(TensorView view, Shape shape) {
        Layout layout = shape.rank() == 4 ? Layout.channelsLast(4) : Layout.rowMajor(shape.rank());
        long bytes = HostPacking.storageBytes(shape, precision);
        DeviceAllocation a = CudaMemory.alloc(Math.max(bytes, DeviceArena.ALIGNMENT));
        persistent.add(a);
        MemorySegment host = staging(bytes);
        HostPacking.packWeight(view, layout, precision, host);
        CudaStreams.synchronize(stream);  // earlier work may still read staging
        CudaMemory.copyToDevice(a.ptr(), host);
        return new CudaTensor(owner, a.ptr(), shape, precision, layout, null);
    }

    /** 4-D tensors arrive NHWC (converted on the host), others row-major. */
    CudaTensor upload(HostTensor host) {
        Shape s = host.shape();
        Layout layout = s.rank() == 4 ? Layout.channelsLast(4) : Layout.rowMajor(s.rank());
        CudaTensor out = alloc("upload", s, layout);
        MemorySegment buf = staging(out.bytes());
        CudaStreams.synchronize(stream);
        HostPacking.pack(host.data(), s, layout, precision, buf);
        copyIn(out.ptr, buf);
        return out;
    }

    HostTensor download(CudaTensor x) {
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

    /** The convolution workspace, at least {@code bytes} long. */
    DevicePtr convWorkspace(long bytes) {
        if (convWorkspace.bytes() < bytes) {
            // kept, not freed: a captured graph may still use it (freed at close)
            persistent.add(convWorkspace);
            convWorkspace = CudaMemory.alloc(bytes);
        }
        return convWorkspace.ptr();
    }

    /** A persistent device buffer of at least {@code count} int32 zeros. */
    DevicePtr zeroIds(long count) {
        if (zeroIds == null || zeroIds.bytes() < count * 4) {
            if (zeroIds != null) persistent.add(zeroIds);  // kept for any graph that captured it (freed at close)
            zeroIds = CudaMemory.alloc(Math.max(4096, count * 4));
            CudaMemory.memsetD8(zeroIds.ptr(), (byte) 0, zeroIds.bytes(), stream);
        }
        return zeroIds.ptr();
    }

    /** A persistent one-element device tensor holding {@code value} in storage precision. */
    CudaTensor constant(float value) {
        int key = Float.floatToRawIntBits(value);
        CudaTensor c = constants.get(key);
        if (c == null) {
            DeviceAllocation a = CudaMemory.alloc(DeviceArena.ALIGNMENT);
            persistent.add(a);
            MemorySegment buf = staging(2);
            CudaStreams.synchronize(stream);
            buf.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, precision.encode(value));
            CudaMemory.copyToDevice(a.ptr(), buf);
            c = new CudaTensor(owner, a.ptr(), Shape.of(1), precision, Layout.rowMajor(1), null);
            constants.put(key, c);
        }
        return c;
    }

    /** {@code values} copied into a new arena slot labelled {@code label}. */
    DevicePtr uploadInts(String label, int[] values) {
        DeviceArena.Slot s = arena().allocate(4L * values.length, label);
        MemorySegment buf = staging(4L * values.length);
        CudaStreams.synchronize(stream);
        MemorySegment.copy(values, 0, buf, ValueLayout.JAVA_INT_UNALIGNED, 0, values.length);
        copyIn(new DevicePtr(s.address()), buf);
        return new DevicePtr(s.address());
    }

    /** As {@link #uploadInts}, for fp32 values. */
    DevicePtr uploadFloats(String label, float[] values) {
        DeviceArena.Slot s = arena().allocate(4L * values.length, label);
        MemorySegment buf = staging(4L * values.length);
        CudaStreams.synchronize(stream);
        MemorySegment.copy(values, 0, buf, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, values.length);
        copyIn(new DevicePtr(s.address()), buf);
        return new DevicePtr(s.address());
    }

    // ---- layouts -------------------------------------------------------------------------------

    /** x with its last logical dim innermost in memory (what GEMM rows and row norms read). */
    CudaTensor innermostLast(String op, CudaTensor x) {
        return x.layout.isInnermost(x.shape, x.shape.rank() - 1) ? x : toLayout(op, x, Layout.rowMajor(x.shape.rank()));
    }

    /** x stored as {@code target}: a relabelled view when the bytes already match, else one transpose kernel. */
    CudaTensor toLayout(String op, CudaTensor x, Layout target) {
        if (x.layout.sameStorage(x.shape, target)) return x.view(x.shape, target);
        Layout.BlockTranspose transpose = x.layout.transposeTo(x.shape, target).orElseThrow(() -> new UnsupportedOperationException(
                op + ": cannot move " + x.shape + " from " + x.layout + " to " + target + " with one block transpose"));
        CudaTensor out = alloc(op + " relayout", x.shape, target);
        // memory [n, a, b] -> [n, b, a] is the layout kernels' NCHW -> NHWC with c = a, h = 1, w = b
        launch(LayoutKernels.nchwToNhwc(out.ptr, x.ptr, Math.toIntExact(transpose.n()), Math.toIntExact(transpose.a()), 1,
                Math.toIntExact(transpose.b())));
        return out;
    }

    // ---- launches, threads, tensors and close ------------------------------------------------

    void launch(Launch l) {
        image.launch(l, stream);
    }

    /** The calling thread must have this backend's context current; binding it again is cheap and only done on a switch. */
    void enter() {
        if (closed) throw new IllegalStateException("this CudaOps is closed");
        Thread t = Thread.currentThread();
        if (t != boundThread) {
            CudaDriver.setCurrent(context);
            boundThread = t;
        }
    }

    /** {@code t} as this backend's tensor, still live; the error names {@code op} otherwise. */
    CudaTensor cuda(String op, Tensor t) {
        if (t == null) throw new IllegalArgumentException(op + ": tensor is null");
        if (!(t instanceof CudaTensor c) || c.owner != owner) {
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
    void close() {
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

    static void attempt(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }
}
