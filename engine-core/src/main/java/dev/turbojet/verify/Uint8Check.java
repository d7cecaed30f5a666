package dev.turbojet.verify;

import dev.turbojet.tensor.HostTensor;

/**
 * The uint8 image rule of the reference kit: |diff| <= 1 everywhere, on at most 0.1% of the values
 * (rounding of values that fall on .5 boundaries).
 */
final class Uint8Check {
    static final double MAX_OFF_BY_ONE_FRACTION = 1e-3;

    private Uint8Check() {
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
        float[] a = new float[actual.length];
        int off = 0;
        int worst = 0;
        for (int i = 0; i < a.length; i++) {
            a[i] = actual[i] & 0xff;
            int d = (int) Math.abs(a[i] - e[i]);
            if (d > 0) off++;
            worst = Math.max(worst, d);
        }
        boolean pass = worst <= 1 && off <= MAX_OFF_BY_ONE_FRACTION * a.length;
        Comparison c = Comparison.of(name, new HostTensor(expected.shape(), a), expected);
        String note = String.format("%d of %d values differ (max %d; allowed: by 1 on <= %.1f%%)", off, a.length, worst,
                100 * MAX_OFF_BY_ONE_FRACTION);
        report.add(new CheckLine(report.fileName(), name, pass ? CheckLine.Status.PASS : CheckLine.Status.FAIL, c, Tolerance.EXACT, note));
    }
}
