package dev.turbojet.ops.cpu;

/**
 * exp(x) for the softmax, from operations whose results Java fixes to the bit (fma, add, integer
 * shifts), so the scalar code here and its FloatVector twin in {@link VectorExp} give the same bits
 * in the interpreter, C1 and C2. (The Vector API's lanewise EXP may be an intrinsic approximation in
 * compiled code and Math.exp per lane in the interpreter: different bits run to run.)
 *
 * <p>x = n ln2 + r with n = round(x / ln2) (by adding 1.5 x 2^23, which rounds to nearest even),
 * |r| <= ln2 / 2 (ln2 split in two for an exact product), exp(r) by its Taylor series to degree 7
 * (truncation under 5e-9 relative), times 2^n built in the exponent bits. Inputs are clamped to
 * [-87, 0]: the softmax only passes x - max <= 0, and exp(-87) = 1.6e-38 is still normal.
 */
final class FastExp {
    static final float LOG2E = 1.44269504f;
    static final float LN2_HI = 0.693145752f;     // 8 significant bits: n LN2_HI is exact for |n| < 2^8
    static final float LN2_LO = 1.42860677e-6f;
    static final float ROUNDER = 12582912f;       // 1.5 x 2^23
    static final float LO = -87f;
    static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;

    private FastExp() {
    }

    /** exp(min(max(x, -87), 0)) as {@link VectorExp} computes it per lane. */
    static float exp(float x) {
        x = Math.min(Math.max(x, LO), 0f);
        float t = Math.fma(x, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(C7, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int bits = (Float.floatToRawIntBits(t) - Float.floatToRawIntBits(ROUNDER) + 127) << 23;
        return p * Float.intBitsToFloat(bits);
    }

    /**
     * The softmax row as {@link VectorExp#expInPlace} computes it with {@code lanes} lanes, in plain
     * Java: a[j] := exp((a[j] - max) scale), lane sums in fp32 over the full vectors, then the lanes
     * added in order in fp64, then the tail in fp64. The reference its test compares bitwise against.
     */
    static double expInPlace(float[] a, int off, int n, float max, float scale, int lanes) {
        float[] acc = new float[lanes];
        int full = n - n % lanes, j = off;
        for (; j < off + full; j += lanes) {
            for (int l = 0; l < lanes; l++) {
                float e = exp((a[j + l] - max) * scale);
                a[j + l] = e;
                acc[l] += e;
            }
        }
        double sum = 0;
        for (float v : acc) sum += v;
        for (; j < off + n; j++) {
            float e = exp((a[j] - max) * scale);
            a[j] = e;
            sum += e;
        }
        return sum;
    }
}
