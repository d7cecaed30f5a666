package dev.turbojet.ops.cpu;

import dev.turbojet.ffi.onednn.OneDnn;
import dev.turbojet.ffi.openblas.OpenBlas;
import dev.turbojet.io.TensorView;
import dev.turbojet.ops.Act;
import dev.turbojet.ops.OpShapes;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.TimestepEmbeddings;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.util.Arrays;

/**
 * The fp32 CPU backend: the reference every other backend is checked against, and the fallback
 * where there is no GPU. Each call computes at once on a fixed pool of worker threads.
 *
 * <p>Storage: every tensor is a {@link CpuTensor}, a heap {@code float[]} row-major in its
 * logical shape; reshape shares the array, every other op makes a new one. Weights
 * ({@link #weight}) are heap copies, so nothing depends on the mapped file staying open: on the
 * native-GEMM paths F16/BF16 matrices stay 16-bit (the full UNet's weights take 5.1 GB instead of
 * 10.3) and are widened, exactly, just before each GEMM; on the pure-Java paths every weight is
 * widened to fp32 at load.
 *
 * <p>Threads: a {@link Workers} pool of {@code threads} daemon threads (default: every
 * available processor); ops split their outer loops into about four chunks per thread.
 *
 * <p>Compute: conv2d, linear and attention run on a native sgemm ({@link BlasGemm}: oneDNN's or
 * OpenBLAS's, see {@link #defaultSimd()}) where one loads, and with oneDNN the large stride-1
 * convolutions on its direct convolution ({@link DnnlConvolutions}) and the skinny 16-bit linears on its
 * matmul ({@link DnnlLinears}); otherwise (or with {@link Simd#VECTOR_API} / {@link Simd#SCALAR}) on {@link Gemm}, a packed,
 * cache-blocked SGEMM whose micro-kernel is {@link VectorKernel} (8 x 2L FloatVector FMAs, L the
 * preferred vector length: 8 x 32 with AVX-512) when the jdk.incubator.vector module is present,
 * and {@link ScalarKernel} otherwise; {@link #describe()} names the path. Sums accumulate in fp32
 * FMAs in the GEMMs and in fp64 in the norms' statistics and the softmax's denominator.
 *
 * <p>Norms ({@link CpuNorms}), broadcasting ops ({@link CpuBroadcast}) and element copies
 * ({@link CpuShapes}) live beside it; input checks and output shapes are {@code OpShapes}'.
 *
 * <p>A {@link CpuTensor} made by another CpuOps instance is accepted (the storage is the same,
 * so weights loaded once can run under different thread counts or kernels); any other
 * {@link Tensor} is an {@link IllegalArgumentException}.
 */
public final class CpuOps implements Ops {
    /** The GEMM micro-kernel family. */
    public enum Simd {
        /**
         * oneDNN's sgemm over FFM (bytedeco's dnnl jar on the class path, or a system libdnnl.so.3), one
         * OpenMP thread per call, split over this backend's workers, as {@link #OPENBLAS}.
         */
        ONEDNN,
        /**
         * OpenBLAS's sgemm over FFM (bytedeco's openblas jar on the class path, or a system libopenblas.so.0),
         * single-threaded per call, split over this backend's workers; the pointwise ops still use the
         * Vector API where it is present.
         */
        OPENBLAS,
        /** FloatVector FMAs on the preferred vector width (needs --add-modules jdk.incubator.vector). */
        VECTOR_API,
        /** plain Java arithmetic */
        SCALAR
    }

    /** System property choosing the default GEMM: {@code onednn}, {@code openblas}, {@code vector} or {@code scalar}. */
    public static final String GEMM_PROPERTY = "turbojet.cpu.gemm";

    /**
     * System property: {@code false} keeps the oneDNN backend's large stride-1 convolutions on shifted sgemm
     * calls instead of oneDNN's direct convolution ({@link DnnlConvolutions}).
     */
    public static final String ONEDNN_CONV_PROPERTY = "turbojet.cpu.onednnConv";

    /**
     * System property: {@code false} keeps the oneDNN backend's 16-bit linears on widen-then-sgemm instead of
     * oneDNN's matmul ({@link DnnlLinears}).
     */
    public static final String ONEDNN_MATMUL_PROPERTY = "turbojet.cpu.onednnMatmul";

    private final Workers workers;
    private final Gemm gemm;
    /** Whether the Vector API computes the pointwise ops and norms ({@link VectorMath}). */
    private final boolean vector;
    /** The native (oneDNN or OpenBLAS) GEMMs, or null on the pure-Java paths. */
    private final BlasGemm blas;
    private final Attention.RowExp exp;
    private final CpuNorms norms;
    private final CpuBroadcast broadcast;
    private final CpuShapes shapes;

    /** A backend on every available processor with the fastest GEMM this JVM offers. */
    public CpuOps() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public CpuOps(int threads) {
        this(threads, defaultSimd());
    }

    /**
     * {@code simd} VECTOR_API without the jdk.incubator.vector module, or ONEDNN / OPENBLAS where that library does not
     * load, is an {@link IllegalStateException} saying why.
     */
    public CpuOps(int threads, Simd simd) {
        if (simd == Simd.VECTOR_API && !vectorApiPresent()) {
            throw new IllegalStateException("the Vector API GEMM needs the JVM flag --add-modules jdk.incubator.vector");
        }
        if (simd == Simd.OPENBLAS && !openBlasPresent()) {
            throw new IllegalStateException("the OpenBLAS GEMM needs libopenblas.so.0: " + OpenBlas.whyUnavailable());
        }
        if (simd == Simd.ONEDNN && !oneDnnPresent()) {
            throw new IllegalStateException("the oneDNN GEMM needs libdnnl.so.3: " + OneDnn.whyUnavailable());
        }
        this.workers = new Workers(threads);
        boolean vector = vectorApiPresent() && simd != Simd.SCALAR;
        this.gemm = new Gemm(vector ? new VectorKernel() : new ScalarKernel());
        this.blas = switch (simd) {
            case ONEDNN -> new BlasGemm(BlasGemm.oneDnn(OneDnn.load()), workers, vector,
                    Boolean.parseBoolean(System.getProperty(ONEDNN_CONV_PROPERTY, "true"))
                            ? new DnnlConvolutions(OneDnn.load(), workers.threads()) : null,
                    Boolean.parseBoolean(System.getProperty(ONEDNN_MATMUL_PROPERTY, "true"))
                            ? new DnnlLinears(OneDnn.load(), workers) : null);
            case OPENBLAS -> new BlasGemm(BlasGemm.openBlas(OpenBlas.load()), workers, vector, null, null);
            case VECTOR_API, SCALAR -> null;
        };
        this.exp = vector ? new VectorExp() : Attention.SCALAR_EXP;
        this.vector = vector;
        this.norms = new CpuNorms(workers, vector);
        this.broadcast = new CpuBroadcast(workers);
        this.shapes = new CpuShapes(workers);
    }

    /**
     * The fastest GEMM here, unless the system property {@value #GEMM_PROPERTY} names one: oneDNN where it
     * loads and dispatches to AVX-512 kernels, else OpenBLAS where it loads (then oneDNN), else the Vector
     * API where the module is present, else scalar Java. Measured on a 2-core AVX-512 Xeon: oneDNN's sgemm
     * 5-40% faster than OpenBLAS's on the UNet's and text encoders' shapes; on AVX2 only OpenBLAS has been
     * measured (bench/NOTES.md).
     */
    public static Simd defaultSimd() {
        String chosen = System.getProperty(GEMM_PROPERTY, "").strip().toLowerCase(java.util.Locale.ROOT);
        return switch (chosen) {
            case "" -> {
                boolean avx512 = OneDnn.tryLoad().map(OneDnn::usesAvx512).orElse(false);
                if (avx512) yield Simd.ONEDNN;
                if (openBlasPresent()) yield Simd.OPENBLAS;
                if (oneDnnPresent()) yield Simd.ONEDNN;
                yield vectorApiPresent() ? Simd.VECTOR_API : Simd.SCALAR;
            }
            case "onednn" -> Simd.ONEDNN;
            case "openblas" -> Simd.OPENBLAS;
            case "vector" -> Simd.VECTOR_API;
            case "scalar" -> Simd.SCALAR;
            default -> throw new IllegalArgumentException("-D" + GEMM_PROPERTY + "=" + chosen
                    + " is not a CPU GEMM: use onednn, openblas, vector or scalar");
        };
    }

    /** Whether oneDNN loads here (loads it on first call). */
    public static boolean oneDnnPresent() {
        return OneDnn.tryLoad().isPresent();
    }

    /** Whether OpenBLAS loads here (loads it on first call). */
    public static boolean openBlasPresent() {
        return OpenBlas.tryLoad().isPresent();
    }

    /** Whether jdk.incubator.vector is in the boot layer (it is only with --add-modules). */
    public static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * Stops the worker threads (otherwise they idle until the pool times them out). Tensors already made
     * stay readable; ops after close run on the calling thread.
     */
    @Override
    public void close() {
        workers.close();
    }

    @Override
    public String describe() {
        String simd = gemm.kernel() instanceof ScalarKernel && !vectorApiPresent()
                ? " (jdk.incubator.vector absent: add --add-modules jdk.incubator.vector for the vector path)" : "";
        String name = blas != null ? blas.name() : gemm.kernel().name();
        return "cpu fp32, " + workers.threads() + (workers.threads() == 1 ? " thread" : " threads")
                + ", GEMM " + name + (blas != null ? "" : simd);
    }

    // ---- data movement -------------------------------------------------------------------------

    /** The fewest elements a 16-bit weight matrix needs to stay 16-bit (smaller ones are widened at load). */
    static final int HALF_MIN_ELEMENTS = 1 << 16;

    /**
     * On the native-GEMM paths, F16 and BF16 matrices of at least {@value #HALF_MIN_ELEMENTS} elements stay
     * 16-bit and k x k conv weights are stored tap-major (see {@link CpuTensor}); everything else, and
     * every weight on the pure-Java paths, is widened to fp32 row-major.
     */
    @Override
    public Tensor weight(TensorView view) {
        Shape shape = OpShapes.weight(view);
        checkSize("weight " + view.name(), shape);
        boolean sixteen = view.dtype() == DType.F16 || view.dtype() == DType.BF16;
        boolean keepHalf = blas != null && sixteen && shape.rank() >= 2 && shape.numel() >= HALF_MIN_ELEMENTS;
        boolean taps = blas != null && shape.rank() == 4 && shape.intDim(2) * shape.intDim(3) > 1;
        if (!keepHalf) {
            float[] f = view.toFloatArray();
            if (!taps) return new CpuTensor(shape, f);
            return CpuTensor.tapMajor(shape, CpuTensor.toTapMajor(f, shape.intDim(0), shape.intDim(1), shape.intDim(2) * shape.intDim(3)));
        }
        short[] bits = view.toShortBits();
        if (taps) bits = CpuTensor.toTapMajor(bits, shape.intDim(0), shape.intDim(1), shape.intDim(2) * shape.intDim(3));
        return CpuTensor.half(shape, bits, view.dtype(), taps);
    }

    @Override
    public Tensor upload(HostTensor host) {
        return new CpuTensor(host.shape(), host.data().clone());
    }

    @Override
    public HostTensor download(Tensor t) {
        CpuTensor c = cpu("download", t);
        return new HostTensor(c.shape(), c.data.clone());
    }

    // ---- convolution and linear ----------------------------------------------------------------

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        CpuTensor in = cpu("conv2d", x), w = blas != null ? stored("conv2d", weight) : cpu("conv2d", weight);
        CpuTensor b = bias == null ? null : cpu("conv2d", bias);
        Shape xs = in.shape(), ws = w.shape();
        CpuTensor out = CpuTensor.zeros(OpShapes.conv2d(xs, ws, b == null ? null : b.shape(), stride, padding));
        int n = xs.intDim(0), cin = xs.intDim(1), h = xs.intDim(2), wd = xs.intDim(3);
        int cout = ws.intDim(0), kh = ws.intDim(2), kw = ws.intDim(3);
        int ho = out.shape().intDim(2), wo = out.shape().intDim(3);
        int k = cin * kh * kw, pixels = ho * wo;
        float[] xd = in.data, od = out.data;
        if (blas != null) {
            blas.conv2d(xd, n, cin, h, wd, w, b == null ? null : b.data, cout, kh, kw, stride, padding, ho, wo, od);
            return out;
        }
        if (b != null) fillRows(od, n * cout, pixels, row -> b.data[row % cout]);
        float[] aPacked = new float[gemm.packedASize(cout, k)];
        gemm.packA(workers, new Gemm.Strided(w.data, 0, k, 1), cout, k, aPacked);
        boolean pointwise = kh == 1 && kw == 1 && stride == 1 && padding == 0;
        for (int img = 0; img < n; img++) {
            int xOff = img * cin * h * wd;
            Gemm.PackB cols = pointwise ? new Gemm.Strided(xd, xOff, pixels, 1)
                    : new Im2col(xd, xOff, h, wd, kh, kw, stride, padding, wo);
            gemm.multiply(workers, aPacked, cout, cols, pixels, k, od, img * cout * pixels, pixels);
        }
        return out;
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        CpuTensor in = cpu("linear", x), w = blas != null ? stored("linear", weight) : cpu("linear", weight);
        CpuTensor b = bias == null ? null : cpu("linear", bias);
        Shape xs = in.shape(), ws = w.shape();
        CpuTensor out = CpuTensor.zeros(OpShapes.linear(xs, ws, b == null ? null : b.shape()));
        int k = ws.intDim(1), nOut = ws.intDim(0);
        int rows = Math.toIntExact(xs.numel() / Math.max(1, k));
        if (k == 0) rows = Math.toIntExact(out.shape().numel() / Math.max(1, nOut));
        if (blas != null) {
            blas.linear(in.data, rows, k, w, nOut, b == null ? null : b.data, out.data);
            return out;
        }
        if (b != null) repeatRow(workers, out.data, rows, b.data);
        gemm.multiply(workers, new Gemm.Strided(in.data, 0, k, 1), rows, new Gemm.Strided(w.data, 0, 1, k), nOut, k,
                out.data, 0, nOut);
        return out;
    }

    // ---- normalisation -------------------------------------------------------------------------

    @Override
    public Tensor groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, Act act) {
        return norms.groupNorm(x, gamma, beta, groups, eps, act);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return norms.layerNorm(x, gamma, beta, eps);
    }


    // ---- attention -----------------------------------------------------------------------------

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal) {
        CpuTensor qt = cpu("attention", q), kt = cpu("attention", k), vt = cpu("attention", v);
        Shape qs = OpShapes.attention(qt.shape(), kt.shape(), vt.shape(), heads), ks = kt.shape();
        int b = qs.intDim(0), nq = qs.intDim(1), nk = ks.intDim(1), width = qs.intDim(2);
        CpuTensor out = CpuTensor.zeros(qs);
        if (blas != null) {
            blas.attention(exp, qt.data, kt.data, vt.data, out.data, b, nq, nk, heads, width / heads, causal);
            return out;
        }
        Attention.compute(workers, gemm, exp, qt.data, kt.data, vt.data, out.data, b, nq, nk, heads, width / heads, causal);
        return out;
    }

    // ---- pointwise -----------------------------------------------------------------------------

    @Override
    public Tensor activation(Tensor x, Act act) {
        CpuTensor in = cpu("activation", x);
        CpuTensor out = CpuTensor.zeros(OpShapes.activation(in.shape()));
        float[] xd = in.data, od = out.data;
        workers.forRange(xd.length, Workers.MIN_ELEMENTS, (s, e) -> {
            if (act == Act.SILU && vector) {
                VectorMath.silu(xd, od, s, e);
            } else if (act == Act.SILU) {
                for (int i = s; i < e; i++) od[i] = ScalarMath.silu(xd[i]);
            } else if (act == Act.GELU && vector) {
                VectorMath.gelu(xd, od, s, e); // the A&S erf (|error| < 1.5e-7), as GEGLU's
            } else if (act == Act.GELU) {
                for (int i = s; i < e; i++) od[i] = ScalarMath.gelu(xd[i]); // the lanes' twin: the same bits
            } else if (act == Act.QUICK_GELU) {
                // scalar fp32: CLIP-L's 11 calls a pass leave a vector loop interpreted through a one-pass warm-up
                for (int i = s; i < e; i++) od[i] = ScalarMath.quickGelu(xd[i]);
            } else {
                for (int i = s; i < e; i++) od[i] = Pointwise.apply(act, xd[i]);
            }
        });
        return out;
    }

    @Override
    public Tensor geglu(Tensor x) {
        CpuTensor in = cpu("geglu", x);
        Shape xs = in.shape();
        CpuTensor out = CpuTensor.zeros(OpShapes.geglu(xs));
        int two = xs.intDim(-1), f = two / 2;
        int rows = two == 0 ? 0 : Math.toIntExact(xs.numel() / two);
        float[] xd = in.data, od = out.data;
        workers.forRange(rows, Math.max(1, Workers.MIN_ELEMENTS / Math.max(1, f)), (s, e) -> {
            for (int r = s; r < e; r++) {
                if (vector) {
                    VectorMath.geglu(xd, r * two, od, r * f, f);
                } else {
                    for (int i = 0; i < f; i++) od[r * f + i] = xd[r * two + i] * ScalarMath.gelu(xd[r * two + f + i]);
                }
            }
        });
        return out;
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return broadcast.add(a, b);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return broadcast.mul(a, b);
    }

    @Override
    public Tensor affine(Tensor x, float s, float shift) {
        CpuTensor in = cpu("affine", x);
        CpuTensor out = CpuTensor.zeros(OpShapes.affine(in.shape()));
        float[] xd = in.data, od = out.data;
        workers.forRange(xd.length, Workers.MIN_ELEMENTS, (st, e) -> {
            for (int i = st; i < e; i++) od[i] = xd[i] * s + shift;
        });
        return out;
    }


    @Override
    public Tensor addChannelVector(Tensor x, Tensor v) {
        return broadcast.addChannelVector(x, v);
    }


    // ---- shape ---------------------------------------------------------------------------------

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        CpuTensor in = stored("reshape", x);
        return in.reshaped(OpShapes.reshape(in.shape(), shape));
    }

    @Override
    public Tensor permute(Tensor x, int... dims) {
        return shapes.permute(x, dims);
    }

    @Override
    public Tensor concat(int dim, Tensor... xs) {
        return shapes.concat(dim, xs);
    }

    @Override
    public Tensor slice(Tensor x, int dim, long start, long end) {
        return shapes.slice(x, dim, start, end);
    }

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        return shapes.upsampleNearest(x, outH, outW);
    }

    @Override
    public Tensor pad2d(Tensor x, int left, int right, int top, int bottom) {
        return shapes.pad2d(x, left, right, top, bottom);
    }


    // ---- embeddings ----------------------------------------------------------------------------

    @Override
    public Tensor timestepEmbedding(float[] t, int dim, boolean flipSinToCos, float downscaleFreqShift, float maxPeriod) {
        Shape shape = OpShapes.timestepEmbedding(t.length, dim);
        return new CpuTensor(shape, TimestepEmbeddings.compute(t, dim, flipSinToCos, downscaleFreqShift, maxPeriod));
    }

    @Override
    public Tensor embedding(Tensor table, int[][] ids) {
        CpuTensor tt = stored("embedding", table);
        if (tt.tapMajor) tt = tt.plain();
        CpuTensor out = CpuTensor.zeros(OpShapes.embedding(tt.shape(), ids));
        int c = tt.shape().intDim(1), tokens = ids[0].length;
        for (int b = 0; b < ids.length; b++) {
            for (int j = 0; j < tokens; j++) tt.storageRange(ids[b][j] * c, out.data, (b * tokens + j) * c, c);
        }
        return out;
    }

    @Override
    public Tensor gatherRows(Tensor x, int[] index) {
        CpuTensor in = cpu("gatherRows", x);
        Shape xs = in.shape();
        CpuTensor out = CpuTensor.zeros(OpShapes.gatherRows(xs, index));
        int t = xs.intDim(1), c = xs.intDim(2);
        for (int b = 0; b < index.length; b++) {
            System.arraycopy(in.data, (b * t + index[b]) * c, out.data, b * c, c);
        }
        return out;
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Row r of the [rows, width] matrix dst := value(r) (conv bias per output channel). */
    private void fillRows(float[] dst, int rows, int width, RowValue value) {
        fillRows(workers, dst, rows, width, value);
    }

    /** dst[r, :] = value(r) for the rows of a [rows, width] array, on {@code workers}. */
    static void fillRows(Workers workers, float[] dst, int rows, int width, RowValue value) {
        workers.forRange(rows, 16, (s, e) -> {
            for (int r = s; r < e; r++) Arrays.fill(dst, r * width, (r + 1) * width, value.of(r));
        });
    }

    interface RowValue {
        float of(int row);
    }

    /** Every row of the [rows, row.length] matrix dst := row (linear bias). */
    static void repeatRow(Workers workers, float[] dst, int rows, float[] row) {
        workers.forRange(rows, 64, (s, e) -> {
            for (int r = s; r < e; r++) System.arraycopy(row, 0, dst, r * row.length, row.length);
        });
    }

    /** The CpuTensor behind {@code t} as fp32 row-major (a widened copy of a 16-bit or tap-major weight). */
    static CpuTensor cpu(String op, Tensor t) {
        return stored(op, t).plain();
    }

    /** The CpuTensor behind {@code t} as it is stored, 16-bit or tap-major included. */
    static CpuTensor stored(String op, Tensor t) {
        if (t instanceof CpuTensor c) return c;
        if (t == null) throw new IllegalArgumentException(op + ": tensor is null");
        throw new IllegalArgumentException(op + ": " + t + " (" + t.getClass().getName() + ") was not made by a CpuOps backend");
    }

    private static void checkSize(String what, Shape shape) {
        if (shape.numel() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + " " + shape + " has more elements than one CPU array holds");
        }
    }
}
