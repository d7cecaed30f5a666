package dev.turbojet.verify;

import dev.turbojet.tensor.HostTensor;

/**
 * The uint8 image rule of the reference kit: |diff| <= 1 everywhere, on at most 0.1% of the values
 * (rounding of values that fall on .5 boundaries).
 */
public final class Uint8Check {
    static final double MAX_OFF_BY_ONE_FRACTION = 1e-3;

    private Uint8Check() {
    }

    /**
     * How two 8-bit images of the same length differ.
     *
     * @param differ  values that differ at all
     * @param maxDiff the largest |actual - expected|
     * @param first   index of the first differing value, -1 if none
     */
    public record Diff(int length, int differ, int maxDiff, int first) {
        public static Diff of(byte[] actual, float[] expected) {
            if (actual.length != expected.length) {
                throw new IllegalArgumentException(actual.length + " values, expected " + expected.length);
            }
            int off = 0, worst = 0, first = -1;
            for (int i = 0; i < actual.length; i++) {
                int d = (int) Math.abs((actual[i] & 0xff) - expected[i]);
                if (d > 0) {
                    off++;
                    if (first < 0) first = i;
                }
                worst = Math.max(worst, d);
            }
            return new Diff(actual.length, off, worst, first);
        }

        public static Diff of(byte[] actual, byte[] expected) {
            float[] e = new float[expected.length];
            for (int i = 0; i < e.length; i++) e[i] = expected[i] & 0xff;
            return of(actual, e);
        }

        /** The most values allowed to differ (by 1). */
        public int allowed() {
            return (int) (MAX_OFF_BY_ONE_FRACTION * length);
        }

        public boolean passes() {
            return maxDiff <= 1 && differ <= MAX_OFF_BY_ONE_FRACTION * length;
        }
    }

    /**
     * The kit's rule when {@code exact} (fp32 backends); otherwise the 0..255 values are compared with
     * {@code tol} like any float output.
     */
    static void check(VerifyReport report, String name, byte[] actual, boolean exact, Tolerance tol) {
        if (!exact) {
            float[] a = new float[actual.length];
            for (int i = 0; i < a.length; i++) a[i] = actual[i] & 0xff;
            report.check(name, new HostTensor(report.golden(name).shape(), a), tol);
            return;
        }
        check(report, name, actual);
    }

    static void check(VerifyReport report, String name, byte[] actual) {
        HostTensor expected = report.input(name);
        float[] e = expected.data();
        if (e.length != actual.length) {
            report.error(name, new IllegalStateException(actual.length + " values, expected " + e.length));
            return;
        }
        Diff diff = Diff.of(actual, e);
        float[] a = new float[actual.length];
        for (int i = 0; i < a.length; i++) a[i] = actual[i] & 0xff;
        Comparison c = Comparison.of(name, new HostTensor(expected.shape(), a), expected);
        String note = String.format("%d of %d values differ (max %d; allowed: by 1 on <= %.1f%%)", diff.differ(), a.length,
                diff.maxDiff(), 100 * MAX_OFF_BY_ONE_FRACTION);
        report.add(new CheckLine(report.fileName(), name, diff.passes() ? CheckLine.Status.PASS : CheckLine.Status.FAIL, c,
                Tolerance.EXACT, note));
    }
}
