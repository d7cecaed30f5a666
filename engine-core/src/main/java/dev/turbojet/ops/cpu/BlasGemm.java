package dev.turbojet.ops.cpu;

import dev.turbojet.ffi.onednn.OneDnn;
import dev.turbojet.ffi.openblas.OpenBlas;

import java.lang.foreign.MemorySegment;

/**
 * CpuOps' linear, convolution and attention GEMMs on a native row-major sgemm: oneDNN's {@code dnnl_sgemm}
 * or OpenBLAS's {@code cblas_sgemm} ({@link Sgemm}).
 *
 * <p>The library runs single-threaded (OpenBLAS's thread count 1; oneDNN's OpenMP team of one on each
 * calling thread); the parallelism is CpuOps' own
 * {@link Workers}: each task makes one sgemm call on its own block of the output, so there is one pool
 * of threads for the whole backend and no second pool spinning between calls while the workers run the
 * pointwise ops. Every output element is computed by exactly one call over the full depth K, so the
 * result does not depend on how the work was split, nor on the thread count.
 *
 * <p>The matrices are the tensors' heap arrays, passed as heap segments to the critical downcall (no
 * copies); a convolution's B operand is an im2col of a band of whole output rows, made per task into a
 * buffer of at most {@link #TILE_FLOATS} floats, so the full [Cin kh kw, Ho Wo] matrix never exists.
 */
final class BlasGemm {
    /** The most floats one task's im2col band holds (8 MB): a few tasks' bands stay in L3 together. */
    static final int TILE_FLOATS = 1 << 21;
    /**
     * Query rows per attention task: every task's S = Q K^T call packs all of K again, so blocks are as
     * large as the balance allows (512 rows: 8 MB of scores at 4,096 keys).
     */
    static final int ATTENTION_ROWS = 512;

    /** One row-major sgemm call on the calling thread, as cblas_sgemm and dnnl_sgemm define it. */
    interface Sgemm {
        void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                   MemorySegment b, int ldb, float beta, MemorySegment c, int ldc);

        String name();
    }

    /** OpenBLAS's sgemm, its own threading off (process-wide). */
    static Sgemm openBlas(OpenBlas blas) {
        blas.setThreads(1);
        return new Sgemm() {
            @Override
            public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                              MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
                blas.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            }

            @Override
            public String name() {
                return "OpenBLAS sgemm (" + blas.coreName() + ")";
            }
        };
    }

    /** oneDNN's sgemm, each calling thread made single-threaded on its first call. */
    static Sgemm oneDnn(OneDnn dnn) {
        return new Sgemm() {
            @Override
            public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                              MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
                dnn.singleThreadedOnThisThread();
                dnn.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            }

            @Override
            public String name() {
                return "oneDNN " + dnn.version() + " sgemm (ISA 0x" + Integer.toHexString(dnn.effectiveIsa()) + ")";
            }
        };
    }

    private final Sgemm blas;
    private final Workers workers;
    private final ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[0], new float[0]});

    /** Whether the softmax's max and scaling run on {@link VectorMath}. */
    private final boolean vector;

    /** oneDNN's direct convolutions for large stride-1 images, or null (then {@link #shiftedConv} takes them). */
    private final DnnlConvolutions convolutions;
    /** oneDNN's matmul for the 16-bit linears, or null (then they are widened and multiplied by sgemm). */
    private final DnnlLinears linears;

    BlasGemm(Sgemm blas, Workers workers, boolean vector, DnnlConvolutions convolutions, DnnlLinears linears) {
        this.blas = blas;
        this.workers = workers;
        this.vector = vector;
        this.convolutions = convolutions;
        this.linears = linears;
    }

    String name() {
        return blas.name();
    }

    private static MemorySegment at(float[] data, long offset) {
        return MemorySegment.ofArray(data).asSlice(offset * Float.BYTES);
    }

    /**
     * C[M, N] = alpha A . op(B) + beta C on the calling thread: A row-major [M, K] (row stride lda), B
     * [K, N] (ldb) or, with {@code transB}, [N, K]; C row stride ldc.
     */
    void gemm(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean transB,
              int m, int n, int k, float alpha, float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0) { // an empty sum: C = beta C (sgemm would refuse lda = 0)
            if (beta == 0f) {
                for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return;
        }
        blas.sgemm(false, transB, m, n, k, alpha, at(a, aOff), lda, at(b, bOff), ldb, beta, at(c, cOff), ldc);
    }

    /**
     * {@link #gemm} split over the workers: into bands of rows when M is the larger side, of columns
     * otherwise (then each task reads only its slice of B: a linear's slice of the weight).
     */
    void parallel(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean transB,
                  int m, int n, int k, float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        long flops = 2L * m * n * k;
        int tasks = flops < (1L << 22) ? 1 : workers.threads();
        if (tasks == 1) {
            gemm(a, aOff, lda, b, bOff, ldb, transB, m, n, k, 1f, beta, c, cOff, ldc);
            return;
        }
        boolean splitRows = m >= n;
        int extent = splitRows ? m : n, align = splitRows ? 8 : 16;
        int step = Gemm.roundUp(Gemm.ceilDiv(extent, tasks), align);
        workers.forEach(Gemm.ceilDiv(extent, step), t -> {
            int start = t * step, size = Math.min(step, extent - start);
            if (splitRows) {
                gemm(a, aOff + start * lda, lda, b, bOff, ldb, transB, size, n, k, 1f, beta, c, cOff + start * ldc, ldc);
            } else {
                int bAt = bOff + (transB ? start * ldb : start);
                gemm(a, aOff, lda, b, bAt, ldb, transB, m, size, k, 1f, beta, c, cOff + start, ldc);
            }
        });
    }

    /**
     * out[M, N] = x[M, K] W^T (+ bias [N], which may be null) for a linear weight W [N, K], fp32 or 16-bit;
     * out is zero on entry. A 16-bit W of a skinny x goes to oneDNN's matmul where there is one ({@link DnnlLinears});
     * otherwise it is first widened whole, by all the workers, into the calling thread's buffer, then
     * multiplied as an fp32 one, so W streams from memory at 2 bytes an element and the split is the fp32
     * one. Measured on the UNet's and the text encoders' shapes (2 threads, AVX-512): 4-30% faster than
     * widening and multiplying it in blocks of rows per task, whose thin sgemm calls each pack all of x again.
     */
    void linear(float[] x, int m, int k, CpuTensor w, int n, float[] bias, float[] out) {
        if (m == 0 || n == 0) return;
        if (k > 0 && linears != null && DnnlLinears.takes(m, w) && linears.linear(x, m, k, w, n, bias, out)) return;
        if (bias != null) CpuOps.repeatRow(workers, out, m, bias);
        parallel(x, 0, k, widened(w, n * k), 0, k, true, m, n, k, bias != null ? 1f : 0f, out, 0, n);
    }

    /** w's fp32 elements: its own array, or a widening of its 16-bit storage into the calling thread's buffer. */
    private float[] widened(CpuTensor w, int elements) {
        if (w.data != null) return w.data;
        float[] wide = scratch(2, elements);
        workers.forRange(elements, Workers.MIN_ELEMENTS, (s, e) -> w.storageRange(s, wide, s, e - s));
        return wide;
    }

    /**
     * out[n, cout, ho, wo] = bias + conv(x, w) (out zero, bias null for none). A 1x1 stride-1 unpadded conv is one GEMM on x as it is; any other
     * stride-1 conv is {@link #shiftedConv}; strided ones go through an im2col by bands of output rows.
     */
    void conv2d(float[] x, int n, int cin, int h, int w, CpuTensor weight, float[] bias, int cout, int kh, int kw,
                int stride, int pad, int ho, int wo, float[] out) {
        int k = cin * kh * kw, pixels = ho * wo;
        if (stride == 1 && convolutions != null && DnnlConvolutions.takes(cout, ho, wo)) {
            convolutions.conv2d(x, n, cin, h, w, weight, bias, cout, kh, kw, pad, ho, wo, out);
            return;
        }
        if (bias != null) CpuOps.fillRows(workers, out, n * cout, pixels, row -> bias[row % cout]);
        if (kh == 1 && kw == 1 && stride == 1 && pad == 0) {
            for (int img = 0; img < n; img++) {
                int xOff = img * cin * h * w, oOff = img * cout * pixels;
                parallel(widened(weight, cout * k), 0, k, x, xOff, pixels, false, cout, pixels, k, 1f, out, oOff, pixels);
            }
            return;
        }
        if (stride == 1) {
            shiftedConv(x, n, cin, h, w, weight, cout, kh, kw, pad, ho, wo, out);
            return;
        }
        float[] logical = weight.plain().data;
        for (int img = 0; img < n; img++) {
            int xOff = img * cin * h * w, oOff = img * cout * pixels;
            int rowsFit = Math.max(1, TILE_FLOATS / Math.max(1, k * wo));
            int rowsBalanced = Math.max(1, Gemm.ceilDiv(ho, 2 * workers.threads()));
            int rows = Math.min(ho, Math.min(rowsFit, rowsBalanced));
            workers.forEach(Gemm.ceilDiv(ho, rows), t -> {
                int oy0 = t * rows, oy1 = Math.min(ho, oy0 + rows), cols = (oy1 - oy0) * wo;
                float[] b = scratch(0, k * cols);
                im2col(x, xOff, cin, h, w, kh, kw, stride, pad, wo, oy0, oy1, b);
                gemm(logical, 0, k, b, 0, cols, false, cout, cols, k, 1f, 1f, out, oOff + oy0 * wo, pixels);
            });
        }
    }

    /**
     * A stride-1 convolution as kh kw GEMMs of depth Cin over shifted views, with no im2col. The input is
     * zero padded to [Cin, Hp, Wp] (Hp = h + 2 pad, Wp = w + 2 pad) and the output computed on the padded
     * width: output pixel (oy, ox) sits at column oy Wp + ox, and tap (ky, kx) reads padded column
     * oy Wp + ox + (ky Wp + kx), so each tap's B operand is the padded image itself shifted by ky Wp + kx
     * (row stride Hp Wp). Columns ox >= wo of that wide output are wasted (2 pad / Wp of the work) and
     * dropped when it is copied out.
     *
     * <p>The A operands are the weight's [Cout, Cin] tap matrices (tap-major storage). The work is split
     * by output channels when the weight is larger than the image (each task then reads only its rows
     * of every tap, widening them if 16-bit), else by bands of output rows (a 16-bit weight is widened
     * once for all of them); either way a task runs every tap on its block, so the block's output stays
     * in cache across the taps.
     */
    private void shiftedConv(float[] x, int n, int cin, int h, int w, CpuTensor weight, int cout, int kh, int kw,
                             int pad, int ho, int wo, float[] out) {
        int hp = h + 2 * pad, wp = w + 2 * pad, taps = kh * kw, plane = hp * wp;
        boolean byChannels = (long) cout * cin * taps > (long) cin * plane && cout >= 32;
        float[] tapWeights;
        if (weight.tapMajor && weight.data != null) {
            tapWeights = weight.data;
        } else if (weight.tapMajor && byChannels) {
            tapWeights = null; // widened per task, block by block
        } else if (weight.tapMajor) {
            float[] widened = new float[taps * cout * cin];
            workers.forRange(widened.length, Workers.MIN_ELEMENTS, (s, e) -> weight.storageRange(s, widened, s, e - s));
            tapWeights = widened;
        } else {
            tapWeights = CpuTensor.toTapMajor(weight.plain().data, cout, cin, taps);
        }
        float[] padded = new float[cin * plane];
        int chunks, rows;
        if (byChannels) {
            chunks = Gemm.ceilDiv(cout, Gemm.roundUp(Gemm.ceilDiv(cout, 2 * workers.threads()), 8));
            rows = ho;
        } else {
            chunks = 1;
            // rows of output per band: its wide output [Cout, rows Wp] about 1 MB, and at least 2 bands per thread
            int rowsFit = Math.max(1, (1 << 18) / Math.max(1, cout * wp));
            rows = Math.max(1, Math.min(rowsFit, Gemm.ceilDiv(ho, 2 * workers.threads())));
        }
        int chunk = Gemm.ceilDiv(cout, chunks), bands = Gemm.ceilDiv(ho, rows);
        for (int img = 0; img < n; img++) {
            int xOff = img * cin * h * w, oOff = img * cout * ho * wo;
            workers.forRange(cin, 4, (s, e) -> {
                for (int ci = s; ci < e; ci++) {
                    for (int y = 0; y < h; y++) {
                        System.arraycopy(x, xOff + (ci * h + y) * w, padded, ci * plane + (y + pad) * wp + pad, w);
                    }
                }
            });
            // the border stays zero for the next image: only the interior is written
            workers.forEach(chunks * bands, task -> {
                int co0 = (task / bands) * chunk, co1 = Math.min(cout, co0 + chunk), m = co1 - co0;
                int oy0 = (task % bands) * rows, oy1 = Math.min(ho, oy0 + rows);
                if (m <= 0) return;
                int cols = (oy1 - oy0 - 1) * wp + wo; // the last row needs only its wo valid columns
                float[] wide = scratch(0, m * cols);
                for (int co = co0; co < co1; co++) {
                    int row = (co - co0) * cols;
                    for (int oy = oy0; oy < oy1; oy++) {
                        int at = row + (oy - oy0) * wp;
                        System.arraycopy(out, oOff + (co * ho + oy) * wo, wide, at, wo);
                        if (oy + 1 < oy1) java.util.Arrays.fill(wide, at + wo, at + wp, 0f);
                    }
                }
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int t = ky * kw + kx, at = (t * cout + co0) * cin;
                        float[] a = tapWeights;
                        if (a == null) {
                            a = scratch(1, m * cin);
                            weight.storageRange(at, a, 0, m * cin);
                            at = 0;
                        }
                        gemm(a, at, cin, padded, (oy0 + ky) * wp + kx, plane, false, m, cols, cin, 1f, 1f, wide, 0, cols);
                    }
                }
                for (int co = co0; co < co1; co++) {
                    for (int oy = oy0; oy < oy1; oy++) {
                        System.arraycopy(wide, (co - co0) * cols + (oy - oy0) * wp, out, oOff + (co * ho + oy) * wo, wo);
                    }
                }
            });
        }
    }

    /**
     * The calling thread's scratch buffer {@code which} (0: B / output blocks, 1: widened A blocks, 2: a
     * whole widened weight, as large as the largest 16-bit linear: 52 MB for the SDXL UNet's), grown to
     * {@code size}.
     */
    private float[] scratch(int which, int size) {
        float[][] held = scratch.get();
        if (held[which].length < size) held[which] = new float[size];
        return held[which];
    }

    /**
     * dst[(ci kh + ky) kw + kx][(oy - oy0) wo + ox] = x[ci, oy stride + ky - pad, ox stride + kx - pad],
     * zero outside the image, for output rows [oy0, oy1).
     */
    static void im2col(float[] x, int base, int cin, int h, int w, int kh, int kw, int stride, int pad, int wo,
                       int oy0, int oy1, float[] dst) {
        int cols = (oy1 - oy0) * wo, d = 0;
        for (int ci = 0; ci < cin; ci++) {
            int chan = base + ci * h * w;
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++, d += cols) {
                    // the output columns whose input column ox stride + kx - pad lies inside [0, w)
                    int first = kx - pad;
                    int lo = first >= 0 ? 0 : Math.min(wo, (-first + stride - 1) / stride);
                    int hi = first > w - 1 ? lo : Math.max(lo, Math.min(wo, (w - 1 - first) / stride + 1));
                    for (int oy = oy0; oy < oy1; oy++) {
                        int row = d + (oy - oy0) * wo, iy = oy * stride + ky - pad;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(dst, row, row + wo, 0f);
                            continue;
                        }
                        for (int ox = 0; ox < lo; ox++) dst[row + ox] = 0f;
                        int src = chan + iy * w + first;
                        if (stride == 1) {
                            System.arraycopy(x, src + lo, dst, row + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) dst[row + ox] = x[src + ox * stride];
                        }
                        for (int ox = hi; ox < wo; ox++) dst[row + ox] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Attention as two sgemm calls per (batch, head, block of query rows), as {@link Attention} does:
     * S = Q K^T, a softmax of S / sqrt(d) with max subtraction (exponentials by {@code exp}), then
     * O = P V, written straight into out's head columns. q [B, nq, heads d], k and v [B, nk, heads d].
     */
    void attention(Attention.RowExp exp, float[] q, float[] k, float[] v, float[] out,
                   int batch, int nq, int nk, int heads, int d, boolean causal) {
        int width = heads * d;
        // at most ATTENTION_ROWS, fewer where batch x heads alone would leave threads idle
        int perBlock = Math.max(1, Math.min(ATTENTION_ROWS, Gemm.ceilDiv(nq, Gemm.ceilDiv(2 * workers.threads(), Math.max(1, batch * heads)))));
        int blocks = Gemm.ceilDiv(nq, perBlock);
        float scale = (float) (1.0 / Math.sqrt(d));
        workers.forEach(batch * heads * blocks, task -> {
            int blk = task % blocks, h = (task / blocks) % heads, b = task / (blocks * heads);
            int r0 = blk * perBlock, rows = Math.min(perBlock, nq - r0);
            int keys = causal ? Math.min(nk, r0 + rows) : nk;
            int qOff = (b * nq + r0) * width + h * d, kvOff = b * nk * width + h * d;
            float[] scores = scratch(0, rows * keys);
            gemm(q, qOff, width, k, kvOff, width, true, rows, keys, d, 1f, 0f, scores, 0, keys);
            for (int i = 0; i < rows; i++) {
                int visible = causal ? Math.min(keys, r0 + i + 1) : keys, row = i * keys;
                float max;
                if (vector) {
                    max = VectorMath.max(scores, row, visible);
                } else {
                    max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < visible; j++) max = Math.max(max, scores[row + j]);
                }
                double sum = exp.expInPlace(scores, row, visible, max, scale);
                float inv = (float) (1.0 / sum);
                if (vector) {
                    VectorMath.scale(scores, row, visible, inv);
                } else {
                    for (int j = 0; j < visible; j++) scores[row + j] *= inv;
                }
                for (int j = visible; j < keys; j++) scores[row + j] = 0f;
            }
            gemm(scores, 0, keys, v, kvOff, width, false, rows, d, keys, 1f, 0f, out, qOff, width);
        });
    }
}
