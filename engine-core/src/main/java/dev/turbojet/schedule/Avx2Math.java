package dev.turbojet.schedule;

/**
 * The float log and sincos that torch's AVX2 {@code randn} kernel uses: Cephes-style range
 * reduction and minimax polynomials in the avx_mathfun formulation, evaluated lane by lane in the
 * same operation order. torch's AVX2 objects are built with FMA enabled and GCC's default
 * floating-point contraction, so every multiply whose only use is an add or subtract became one
 * fused multiply-add; {@link Math#fma(float, float, float)} reproduces each of them, and with them
 * the results are bit-identical to torch's (checked on every golden draw).
 */
final class Avx2Math {
    private Avx2Math() {}

    // ---- natural log, for x > 0 (Box-Muller gives it 1 - u with u in [0, 1), so x is in (0, 1])

    private static final float SQRT_HALF = 0.707106781186547524f;
    private static final float[] LOG_POLY = {
            7.0376836292e-2f, -1.1514610310e-1f, 1.1676998740e-1f, -1.2420140846e-1f, 1.4249322787e-1f,
            -1.6668057665e-1f, 2.0000714765e-1f, -2.4999993993e-1f, 3.3333331174e-1f};
    /** ln 2 = LN2_HI + LN2_LO, LN2_HI having few enough bits that e * LN2_HI is exact. */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;

    static float log(float v) {
        float x = Math.max(v, Float.MIN_NORMAL);
        int bits = Float.floatToRawIntBits(x);
        float e = (float) ((bits >>> 23) - 0x7f) + 1f;
        // x = m * 2^e with m in [0.5, 1).
        x = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
        // Below sqrt(1/2) use 2m with one less in the exponent, so the argument stays near 1.
        boolean small = x < SQRT_HALF;
        float keep = small ? x : 0f;
        x = x - 1f;
        if (small) e = e - 1f;
        x = x + keep;

        // ln(1 + x) = x - x^2/2 + x^3 P(x), plus e ln 2 in two parts.
        float z = x * x;
        float y = LOG_POLY[0];
        for (int i = 1; i < LOG_POLY.length; i++) y = Math.fma(y, x, LOG_POLY[i]);
        y = y * x;
        y = Math.fma(y, z, e * LN2_LO);
        y = Math.fma(-z, 0.5f, y);
        float r = Math.fma(e, LN2_HI, x + y);
        return v <= 0 ? Float.NaN : r;
    }

    // ---- sine and cosine together

    private static final float FOUR_OVER_PI = 1.27323954473516f;
    /** -pi/4 split in three parts for an extended-precision reduction. */
    private static final float DP1 = -0.78515625f;
    private static final float DP2 = -2.4187564849853515625e-4f;
    private static final float DP3 = -3.77489497744594108e-8f;
    private static final float[] COS_POLY = {2.443315711809948e-5f, -1.388731625493765e-3f, 4.166664568298827e-2f};
    private static final float[] SIN_POLY = {-1.9515295891e-4f, 8.3321608736e-3f, -1.6666654611e-1f};

    /** Writes sin v to out[0] and cos v to out[1] (for the moderate arguments Box-Muller gives it). */
    static void sincos(float v, float[] out) {
        boolean negative = Float.floatToRawIntBits(v) < 0;
        float x = Math.abs(v);
        // Octant j = trunc(x * 4/pi) rounded up to even; reduce to x - j pi/4 in [-pi/4, pi/4].
        int j = (int) (x * FOUR_OVER_PI);
        j = (j + 1) & ~1;
        float y = j;
        boolean flipSin = (j & 4) != 0;
        boolean flipCos = ((j - 2) & 4) == 0;
        boolean swap = (j & 2) != 0;
        x = Math.fma(y, DP1, x);
        x = Math.fma(y, DP2, x);
        x = Math.fma(y, DP3, x);

        float z = x * x;
        // cos x = 1 - x^2/2 + x^4 C(x^2)
        float c = COS_POLY[0];
        c = Math.fma(c, z, COS_POLY[1]);
        c = Math.fma(c, z, COS_POLY[2]);
        c = c * z;
        c = Math.fma(c, z, -(z * 0.5f));
        c = c + 1f;
        // sin x = x + x^3 S(x^2)
        float s = SIN_POLY[0];
        s = Math.fma(s, z, SIN_POLY[1]);
        s = Math.fma(s, z, SIN_POLY[2]);
        s = s * z;
        s = Math.fma(s, x, x);

        float sin = swap ? c : s;
        float cos = swap ? s : c;
        out[0] = (negative ^ flipSin) ? -sin : sin;
        out[1] = flipCos ? -cos : cos;
    }
}
