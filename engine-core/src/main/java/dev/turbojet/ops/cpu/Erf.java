package dev.turbojet.ops.cpu;

/**
 * The error function in double precision, for exact GELU (Java has no Math.erf). {@link #erf} and
 * {@link #erfc} are the definitions: Maclaurin series below |x| = 3, Laplace's continued fraction
 * for erfc above; both accurate to ~1e-15 absolute, and erfc keeps its relative accuracy in the tail.
 * They cost ~50 ns, so {@link #fast} evaluates erf on [0, 4.5] from piecewise degree-7 polynomials
 * (36 pieces of width 1/8), fitted at class load by Chebyshev interpolation of {@link #erf}
 * (error ~1e-15).
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;

    /** Beyond this |x|, the polynomial table ends (erfc(4.5) = 2e-10). */
    static final double TABLE_END = 4.5;
    private static final int PIECES = 36, TERMS = 8;
    private static final double WIDTH = TABLE_END / PIECES;
    private static final double[] POLY = fit();

    private Erf() {
    }

    /** erf(x) for |x| < TABLE_END from the table. */
    static double fast(double x) {
        double ax = Math.abs(x);
        int p = (int) (ax * (1 / WIDTH));
        double t = (ax - (p + 0.5) * WIDTH) * (2 / WIDTH);
        int o = p * TERMS;
        double r = POLY[o + 7];
        for (int i = 6; i >= 0; i--) r = Math.fma(r, t, POLY[o + i]);
        return Math.copySign(r, x);
    }

    /** Per piece, the monomial coefficients in t in [-1, 1] of the Chebyshev interpolant of erf. */
    private static double[] fit() {
        double[] out = new double[PIECES * TERMS];
        for (int p = 0; p < PIECES; p++) {
            double center = (p + 0.5) * WIDTH, half = WIDTH / 2;
            double[] cheb = new double[TERMS];
            for (int k = 0; k < TERMS; k++) {
                double sum = 0;
                for (int j = 0; j < TERMS; j++) {
                    double angle = Math.PI * (j + 0.5) / TERMS;
                    sum += erf(center + half * Math.cos(angle)) * Math.cos(k * angle);
                }
                cheb[k] = sum * 2 / TERMS;
            }
            cheb[0] /= 2;
            // sum_k cheb[k] T_k(t) as a polynomial in t, with T_{k+1} = 2 t T_k - T_{k-1}.
            double[] prev = new double[TERMS], cur = new double[TERMS];
            prev[0] = 1;
            cur[1] = 1;
            out[p * TERMS] += cheb[0];
            for (int i = 0; i < TERMS; i++) out[p * TERMS + i] += cheb[1] * cur[i];
            for (int k = 2; k < TERMS; k++) {
                double[] next = new double[TERMS];
                for (int i = 0; i < TERMS; i++) next[i] = (i > 0 ? 2 * cur[i - 1] : 0) - prev[i];
                for (int i = 0; i < TERMS; i++) out[p * TERMS + i] += cheb[k] * next[i];
                prev = cur;
                cur = next;
            }
        }
        return out;
    }

    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 3.0) return series(x);
        if (ax > 6.5) return Math.copySign(1.0, x);
        return Math.copySign(1.0 - erfcTail(ax), x);
    }

    /** 1 - erf(x), relatively accurate for large positive x. */
    static double erfc(double x) {
        if (x < 3.0) return 1.0 - series(x);
        if (x > 27.0) return 0.0;
        return erfcTail(x);
    }

    /** erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)). */
    private static double series(double x) {
        double x2 = x * x;
        double term = x;   // (-1)^n x^(2n+1) / n!
        double sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    /**
     * erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), x >= 3,
     * evaluated bottom-up from a fixed depth (converges quickly this far out).
     */
    private static double erfcTail(double x) {
        double f = x;
        for (int n = 80; n >= 1; n--) {
            f = x + (n * 0.5) / f;
        }
        return Math.exp(-x * x) * ONE_OVER_SQRT_PI / f;
    }
}
