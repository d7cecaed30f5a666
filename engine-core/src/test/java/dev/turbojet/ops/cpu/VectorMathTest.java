package dev.turbojet.ops.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VectorMath's lanes give the bits of their ScalarMath twins (so vector bodies and scalar tails agree),
 * and SiLU / GELU stay within their stated error of the fp64 definitions.
 */
class VectorMathTest {
    private static float[] inputs() {
        Random rnd = new Random(5);
        float[] x = new float[4099];
        float[] special = {0f, -0f, 1e-30f, -1e-30f, 1e-3f, -1e-3f, 3f, -3f, 9f, -9f, 88f, -88f, 200f, -200f,
                Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        System.arraycopy(special, 0, x, 0, special.length);
        for (int i = special.length; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * (i % 3 == 0 ? 10 : 2));
        return x;
    }

    @Test
    void lanesMatchTheScalarTwinsBitForBit() {
        float[] x = inputs(), v = new float[x.length];
        VectorMath.silu(x, v, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(ScalarMath.silu(x[i])), Float.floatToRawIntBits(v[i]), "silu(" + x[i] + ")");
        }
        float[] rows = new float[2 * x.length], g = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            rows[i] = 1.5f;
            rows[x.length + i] = x[i];
        }
        VectorMath.geglu(rows, 0, g, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(1.5f * ScalarMath.gelu(x[i])), Float.floatToRawIntBits(g[i]), "gelu(" + x[i] + ")");
        }
        float[] a = new float[x.length];
        VectorMath.affine(x, a, 3, x.length, 0.75f, -0.5f, true);
        for (int i = 3; i < x.length; i++) assertEquals(ScalarMath.silu(Math.fma(x[i], 0.75f, -0.5f)), a[i], "affine silu " + i);
    }

    @Test
    void siluAndGeluAreWithinTheirErrorBounds() {
        for (float x : inputs()) {
            if (!Float.isFinite(x) || Math.abs(x) > 1e30f) continue;
            double silu = x / (1 + Math.exp(-x));
            assertTrue(Math.abs(ScalarMath.silu(x) - silu) <= 1e-6 * Math.max(1e-30, Math.abs(silu)) + 1e-37, "silu(" + x + ")");
            double gelu = 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
            assertTrue(Math.abs(ScalarMath.gelu(x) - gelu) <= 5e-7 * Math.max(1, Math.abs(x)), "gelu(" + x + ") = " + ScalarMath.gelu(x) + ", not " + gelu);
        }
    }

    @Test
    void blockedSumsAgreeWithFp64() {
        float[] x = inputs();
        int from = 18, n = x.length - from; // the finite part
        double exact = 0, magnitude = 0;
        for (int i = from; i < x.length; i++) {
            exact += x[i];
            magnitude += Math.abs(x[i]);
        }
        assertEquals(exact, VectorMath.sum(x, from, n), 1e-6 * magnitude, "fp32 partial sums of at most 1024 / lanes terms");
        double mean = exact / n, dev = 0;
        for (int i = from; i < x.length; i++) dev += (x[i] - (float) mean) * (x[i] - (float) mean);
        assertEquals(dev, VectorMath.sumSquaredDeviations(x, from, n, (float) mean), dev * 1e-6);
    }
}
