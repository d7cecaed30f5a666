package dev.turbojet.ops.cpu;

/**
 * The scalar twins of {@link VectorMath}: the same fp32 operations in the same order, for the tails of
 * the vector loops and for the scalar path. SiLU and GELU here are what every CpuOps path computes:
 * <ul>
 *   <li>silu(x) = x s with s = 1 / (1 + e) for x >= 0 and e / (1 + e) below, e = exp(-|x|)
 *       ({@link FastExp}, relative error ~1e-7; e = 0 below x = -87, where exp(x) underflows);
 *   <li>gelu(x) = 0.5 x (1 + erf(x / sqrt 2)) with erf from Abramowitz and Stegun 7.1.26
 *       (absolute error under 1.5e-7 in exact arithmetic, a few 1e-7 in fp32).
 * </ul>
 */
final class ScalarMath {
    /** Elements per fp32 partial sum before it is added into the fp64 total. */
    static final int BLOCK = 1024;
    static final float INV_SQRT2 = 0.70710678f;
    static final float P = 0.3275911f;
    static final float A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;

    private ScalarMath() {
    }

    /** sum of a[off, off + n) in fp64 (the scalar path: no lanes, so plain fp64). */
    static double sum(float[] a, int off, int n) {
        double total = 0;
        for (int i = off, end = off + n; i < end; i++) total += a[i];
        return total;
    }

    static double sumSquaredDeviations(float[] a, int off, int n, float mean) {
        double total = 0;
        for (int i = off, end = off + n; i < end; i++) {
            float d = a[i] - mean;
            total += d * d;
        }
        return total;
    }

    static float silu(float x) {
        float e = x < FastExp.LO ? 0f : FastExp.exp(-Math.abs(x)); // below -87 the sigmoid underflows
        return x * ((x < 0f ? e : 1f) / (1f + e));
    }

    /** CLIP's quick GELU: x sigmoid(1.702 x), the sigmoid as {@link #silu}'s (exact for large |x|). */
    static final float QUICK_GELU = 1.702f;

    static float quickGelu(float x) {
        float y = x * QUICK_GELU;
        float e = y < FastExp.LO ? 0f : FastExp.exp(-Math.abs(y));
        return x * ((y < 0f ? e : 1f) / (1f + e));
    }

    static float gelu(float x) {
        float z = Math.abs(x * INV_SQRT2);
        float t = 1f / Math.fma(z, P, 1f);
        float poly = Math.fma(t, A5, A4);
        poly = Math.fma(poly, t, A3);
        poly = Math.fma(poly, t, A2);
        poly = Math.fma(poly, t, A1);
        poly = poly * t;
        float tail = poly * FastExp.exp(-(z * z));
        float onePlusErf = x < 0f ? tail : 2f - tail;
        return x * 0.5f * onePlusErf;
    }
}
