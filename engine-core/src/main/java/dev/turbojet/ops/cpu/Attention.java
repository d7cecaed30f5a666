package dev.turbojet.ops.cpu;

/**
 * Multi-head attention as two GEMMs per (batch, head, block of query rows): S = Q K^T, an fp32
 * softmax of S / sqrt(d) with max subtraction, then O = P V. Only a [rows, Nk] block of scores
 * exists at a time (128 x 4096 floats = 2 MB), never the whole [Nq, Nk] matrix.
 */
final class Attention {
    /** Query rows per task. */
    static final int ROWS = 128;

    /** The softmax's exponentials over one row of scores. */
    interface RowExp {
        /** a[off + j] := exp((a[off + j] - max) * scale) for j < n; returns their sum. */
        double expInPlace(float[] a, int off, int n, float max, float scale);
    }

    /** Math.exp per element. */
    static final RowExp SCALAR_EXP = (a, off, n, max, scale) -> {
        double sum = 0;
        for (int j = off, end = off + n; j < end; j++) {
            float e = (float) Math.exp((a[j] - max) * scale);
            a[j] = e;
            sum += e;
        }
        return sum;
    };

    private Attention() {
    }

    /** q [B, nq, heads d], k and v [B, nk, heads d] -> out [B, nq, heads d] (zero on entry). */
    static void compute(Workers workers, Gemm gemm, RowExp exp, float[] q, float[] k, float[] v, float[] out,
                        int batch, int nq, int nk, int heads, int d, boolean causal) {
        int width = heads * d, blocks = Gemm.ceilDiv(nq, ROWS);
        float scale = (float) (1.0 / Math.sqrt(d));
        workers.forEach(batch * heads * blocks, task -> {
            int blk = task % blocks, h = (task / blocks) % heads, b = task / (blocks * heads);
            int r0 = blk * ROWS, rows = Math.min(ROWS, nq - r0);
            int keys = causal ? Math.min(nk, r0 + rows) : nk;
            Gemm.Scratch s = gemm.scratch();
            int qOff = (b * nq + r0) * width + h * d, kvOff = b * nk * width + h * d;

            float[] scores = new float[rows * keys];
            float[] aPacked = new float[gemm.packedASize(rows, Math.max(d, keys))];
            gemm.packA(new Gemm.Strided(q, qOff, width, 1), rows, d, aPacked);
            gemm.multiply(aPacked, rows, new Gemm.Strided(k, kvOff, 1, width), keys, d, scores, 0, keys, s);

            for (int i = 0; i < rows; i++) {
                int visible = causal ? Math.min(keys, r0 + i + 1) : keys, row = i * keys;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) max = Math.max(max, scores[row + j]);
                double sum = exp.expInPlace(scores, row, visible, max, scale);
                float inv = (float) (1.0 / sum);
                for (int j = 0; j < visible; j++) scores[row + j] *= inv;
                for (int j = visible; j < keys; j++) scores[row + j] = 0f;
            }

            gemm.packA(new Gemm.Strided(scores, 0, keys, 1), rows, keys, aPacked);
            gemm.multiply(aPacked, rows, new Gemm.Strided(v, kvOff, width, 1), d, keys, out, qOff, width, s);
        });
    }
}
