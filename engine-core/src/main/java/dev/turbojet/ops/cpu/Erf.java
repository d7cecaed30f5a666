package dev.turbojet.ops.cpu;

/**
 * The error function in double precision, for exact GELU (Java has no Math.erf). Maclaurin series
 * below |x| = 3, Laplace's continued fraction for erfc above; both accurate to ~1e-15 absolute,
 * and erfc keeps its relative accuracy in the tail.
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;

    private Erf() {
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
