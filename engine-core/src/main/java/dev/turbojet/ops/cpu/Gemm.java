package dev.turbojet.ops.cpu;

/**
 * Blocked, packed SGEMM: C[M, N] += A[M, K] B[K, N], fp32, after Goto and van de Geijn.
 *
 * <p>A is packed once per call into row panels of {@link Kernel#mr()} rows ([K][mr] each, zero
 * padded), shared by all threads. The work is split into tasks of (a block of at most {@link #NC}
 * columns) x (a range of A panels); a task packs its B block {@link #KC} rows at a time
 * ([kc][nr] column panels, sized for L2) and runs the micro-kernel over every (A panel, B panel)
 * pair, the A panel's kc x mr slice staying in L1 across the B panels. The micro-kernel adds an
 * mr x nr tile into C; edge tiles go through a small buffer.
 *
 * <p>Operands are abstract packers, so a convolution packs its B panels straight from the image
 * (implicit im2col) and never materialises the [Cin k k, H W] matrix.
 */
final class Gemm {
    /** Depth of one packed block: a kernel's A slice (mr x KC) fits L1, the B block (KC x NC) L2. */
    static final int KC = 256;
    /** Columns of one B block (1 MB at KC = 256). */
    static final int NC = 1024;

    /** An mr x nr register-tiled update C[mr, nr] += A_panel[kc][mr] . B_panel[kc][nr]. */
    interface Kernel {
        int mr();

        int nr();

        String name();

        void run(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc);
    }

    /** Writes rows [row0, row0 + rows) x depth [k0, k0 + kc) of A as [kc][mr] at dst[off], rows >= rows zero. */
    interface PackA {
        void packA(int row0, int rows, int k0, int kc, int mr, float[] dst, int off);
    }

    /** Writes depth [k0, k0 + kc) x columns [col0, col0 + cols) of B as [kc][nr] at dst[off], cols >= cols zero. */
    interface PackB {
        void packB(int k0, int kc, int col0, int cols, int nr, float[] dst, int off);
    }

    /** A dense matrix view: element (i, j) at data[off + i rs + j cs]; packs as either operand. */
    record Strided(float[] data, int off, int rs, int cs) implements PackA, PackB {
        /** A(i, k) = data[off + i rs + k cs]. */
        @Override
        public void packA(int row0, int rows, int k0, int kc, int mr, float[] dst, int dOff) {
            packPanel(data, off + row0 * rs + k0 * cs, rs, cs, rows, kc, mr, dst, dOff);
        }

        /** B(k, j) = data[off + k rs + j cs]. */
        @Override
        public void packB(int k0, int kc, int col0, int cols, int nr, float[] dst, int dOff) {
            packPanel(data, off + k0 * rs + col0 * cs, cs, rs, cols, kc, nr, dst, dOff);
        }
    }

    /**
     * Generic panel packing: element (p, k) for p < count, k < kc at src[base + p ps + k ks] goes
     * to dst[dOff + k width + p]; columns p >= count are zero.
     */
    static void packPanel(float[] src, int base, int ps, int ks, int count, int kc, int width, float[] dst, int dOff) {
        if (ps == 1) {
            for (int k = 0; k < kc; k++) {
                int s = base + k * ks, d = dOff + k * width;
                System.arraycopy(src, s, dst, d, count);
                for (int p = count; p < width; p++) dst[d + p] = 0f;
            }
        } else {
            for (int p = 0; p < count; p++) {
                int s = base + p * ps, d = dOff + p;
                for (int k = 0; k < kc; k++) dst[d + k * width] = src[s + k * ks];
            }
            for (int p = count; p < width; p++) {
                for (int k = 0; k < kc; k++) dst[dOff + k * width + p] = 0f;
            }
        }
    }

    private final Kernel kernel;
    /** One scratch per thread for the life of this Gemm (1 MB each): no allocation per call. */
    private final ThreadLocal<Scratch> scratch;

    Gemm(Kernel kernel) {
        this.kernel = kernel;
        this.scratch = ThreadLocal.withInitial(Scratch::new);
    }

    Kernel kernel() {
        return kernel;
    }

    /** A's packed size for M rows and depth K. */
    int packedASize(int m, int k) {
        return ceilDiv(m, kernel.mr()) * kernel.mr() * k;
    }

    /** Packs all of A (M x K) into {@code dst} as panels of [K][mr]. */
    void packA(PackA a, int m, int k, float[] dst) {
        int mr = kernel.mr();
        for (int p = 0, panels = ceilDiv(m, mr); p < panels; p++) {
            int rows = Math.min(mr, m - p * mr);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                a.packA(p * mr, rows, k0, kc, mr, dst, p * mr * k + k0 * mr);
            }
        }
    }

    /** Packs A in parallel. */
    void packA(Workers workers, PackA a, int m, int k, float[] dst) {
        int mr = kernel.mr();
        workers.forRange(ceilDiv(m, mr), 4, (s, e) -> {
            for (int p = s; p < e; p++) {
                int rows = Math.min(mr, m - p * mr);
                for (int k0 = 0; k0 < k; k0 += KC) {
                    int kc = Math.min(KC, k - k0);
                    a.packA(p * mr, rows, k0, kc, mr, dst, p * mr * k + k0 * mr);
                }
            }
        });
    }

    /** Scratch space for one task: the B block and the edge tile. */
    final class Scratch {
        final float[] b = new float[KC * ceilDiv(NC, kernel.nr()) * kernel.nr()];
        final float[] tile = new float[kernel.mr() * kernel.nr()];
    }

    /** The calling thread's scratch (reused from call to call). */
    Scratch scratch() {
        return scratch.get();
    }

    /**
     * C[M, N] += A . B on the calling thread, A already packed by {@link #packA}; C(i, j) at
     * c[cOff + i ldc + j].
     */
    void multiply(float[] aPacked, int m, PackB b, int n, int k, float[] c, int cOff, int ldc, Scratch s) {
        for (int col0 = 0; col0 < n; col0 += NC) {
            block(aPacked, 0, ceilDiv(m, kernel.mr()), m, b, col0, Math.min(NC, n - col0), k, c, cOff, ldc, s);
        }
    }

    /** C[M, N] += A . B with the work spread over {@code workers}; packs A itself. */
    void multiply(Workers workers, PackA a, int m, PackB b, int n, int k, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0 || k == 0) return;
        float[] aPacked = new float[packedASize(m, k)];
        packA(workers, a, m, k, aPacked);
        multiply(workers, aPacked, m, b, n, k, c, cOff, ldc);
    }

    /** C[M, N] += A . B with the work spread over {@code workers}, A already packed by {@link #packA}. */
    void multiply(Workers workers, float[] aPacked, int m, PackB b, int n, int k, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0 || k == 0) return;
        int panels = ceilDiv(m, kernel.mr());
        int nBlocks = ceilDiv(n, NC);
        // Enough tasks to balance the threads; splitting M repeats B packing, so only as needed.
        int want = workers.threads() == 1 ? 1 : 3 * workers.threads();
        int ncEff = nBlocks >= want ? NC : Math.min(NC, roundUp(Math.max(1, ceilDiv(n, want)), 4 * kernel.nr()));
        int nTasks = ceilDiv(n, ncEff);
        int mChunks = Math.max(1, Math.min(ceilDiv(want, nTasks), panels / 4));
        workers.forEach(nTasks * mChunks, task -> {
            int nb = task / mChunks, mc = task % mChunks;
            int p0 = (int) ((long) panels * mc / mChunks), p1 = (int) ((long) panels * (mc + 1) / mChunks);
            int col0 = nb * ncEff;
            block(aPacked, p0, p1, m, b, col0, Math.min(ncEff, n - col0), k, c, cOff, ldc, scratch());
        });
    }

    /** A panels [p0, p1) times columns [col0, col0 + cols) of B, cols <= NC. */
    private void block(float[] aPacked, int p0, int p1, int m, PackB b, int col0, int cols, int k,
                       float[] c, int cOff, int ldc, Scratch s) {
        int mr = kernel.mr(), nr = kernel.nr();
        int bPanels = ceilDiv(cols, nr);
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            for (int q = 0; q < bPanels; q++) {
                b.packB(k0, kc, col0 + q * nr, Math.min(nr, cols - q * nr), nr, s.b, q * kc * nr);
            }
            for (int p = p0; p < p1; p++) {
                int aOff = p * mr * k + k0 * mr;
                int row0 = p * mr, rows = Math.min(mr, m - row0);
                for (int q = 0; q < bPanels; q++) {
                    int j0 = col0 + q * nr, colsHere = Math.min(nr, cols - q * nr);
                    int cAt = cOff + row0 * ldc + j0;
                    if (rows == mr && colsHere == nr) {
                        kernel.run(kc, aPacked, aOff, s.b, q * kc * nr, c, cAt, ldc);
                    } else {
                        java.util.Arrays.fill(s.tile, 0f);
                        kernel.run(kc, aPacked, aOff, s.b, q * kc * nr, s.tile, 0, nr);
                        for (int i = 0; i < rows; i++) {
                            for (int j = 0; j < colsHere; j++) c[cAt + i * ldc + j] += s.tile[i * nr + j];
                        }
                    }
                }
            }
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int roundUp(int a, int b) {
        return ceilDiv(a, b) * b;
    }
}
