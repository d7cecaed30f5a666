package dev.turbojet.verify;

import dev.turbojet.tensor.HostTensor;

import java.util.Arrays;

/**
 * How far an actual tensor is from its expected value: relErr = ||a - e||_2 / ||e||_2, the largest
 * |a - e| and where it is, and the expected tensor's largest magnitude (tolerances in the
 * reference kit are stated as {@code tol * max(1, max|e|)} on max |diff|).
 */
public record Comparison(String name, long[] shape, double relErr, double maxAbsDiff, long worstIndex,
                         double maxAbsExpected, String firstMismatches) {

    public static Comparison of(String name, HostTensor actual, HostTensor expected) {
        return of(name, actual, expected, 1e-4);
    }

    /**
     * As {@link #of(String, HostTensor, HostTensor)}; the first mismatches listed are the values off by
     * more than {@code scaledTol * max(1, max|expected|)} (any difference when it is 0).
     */
    public static Comparison of(String name, HostTensor actual, HostTensor expected, double scaledTol) {
        if (!actual.shape().equals(expected.shape())) {
            throw new IllegalArgumentException(name + ": shape " + actual.shape() + " differs from expected " + expected.shape());
        }
        float[] a = actual.data();
        float[] e = expected.data();
        double diff2 = 0, ref2 = 0, maxDiff = 0, maxRef = 0;
        long worst = -1;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - e[i];
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            diff2 += d * d;
            ref2 += (double) e[i] * e[i];
            double ad = Math.abs(d);
            if (ad > maxDiff || worst < 0) {
                maxDiff = ad;
                worst = i;
            }
            maxRef = Math.max(maxRef, Math.abs(e[i]));
        }
        double rel = ref2 == 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / ref2);
        return new Comparison(name, expected.shape().dims(), rel, maxDiff, worst, maxRef, mismatches(a, e, scaledTol * Math.max(1.0, maxRef)));
    }

    /** True when max |diff| <= tol * max(1, max|expected|) (the reference kit's criterion). */
    public boolean withinScaled(double tol) {
        return maxAbsDiff <= tol * Math.max(1.0, maxAbsExpected);
    }

    /** True when the relative L2 error is at most {@code tol}. */
    public boolean withinRelative(double tol) {
        return relErr <= tol;
    }

    public String summary() {
        return String.format("%-60s %-18s relErr %.3e  max|diff| %.3e at %d  (max|e| %.3g)",
                name, Arrays.toString(shape), relErr, maxAbsDiff, worstIndex, maxAbsExpected);
    }

    private static String mismatches(float[] a, float[] e, double threshold) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < a.length && shown < 5; i++) {
            if (!(Math.abs((double) a[i] - e[i]) <= threshold)) {
                sb.append(String.format(" [%d] actual %.9g expected %.9g;", i, a[i], e[i]));
                shown++;
            }
        }
        return sb.toString();
    }
}
