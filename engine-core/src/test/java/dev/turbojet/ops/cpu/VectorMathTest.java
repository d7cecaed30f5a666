package dev.turbojet.ops.cpu;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
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
        float[] gl = new float[x.length];
        VectorMath.gelu(x, gl, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(ScalarMath.gelu(x[i])), Float.floatToRawIntBits(gl[i]), "gelu lanes(" + x[i] + ")");
            if (!Float.isFinite(x[i])) continue;
            double want = x[i] / (1 + Math.exp(-1.702 * x[i]));
            float quick = ScalarMath.quickGelu(x[i]);
            assertEquals(want, quick, 1e-5 * Math.abs(want) + 1e-37, "quick gelu(" + x[i] + ")"); // 1.702 x rounds to fp32
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

    @Test
    void halfWideningIsFloat16ToFloatForEveryBitPattern() {
        short[] bits = new short[3 + 65536];
        for (int i = 0; i < 65536; i++) bits[3 + i] = (short) i;
        float[] f16 = new float[65536 + 5], bf16 = new float[65536 + 5];
        // from native memory (where CpuTensor keeps 16-bit weights) and, below, from a heap array
        MemorySegment held = java.lang.foreign.Arena.ofAuto().allocateFrom(java.lang.foreign.ValueLayout.JAVA_SHORT, bits);
        VectorMath.widenF16(held, 3, f16, 5, 65536);
        VectorMath.widenBF16(held, 3, bf16, 5, 65536);
        for (int i = 0; i < 65536; i++) {
            int expected = Float.floatToRawIntBits(Float.float16ToFloat((short) i));
            int quiet = (i & 0x7C00) == 0x7C00 && (i & 0x3FF) != 0 ? 0x00400000 : 0; // a NaN: quiet or not
            assertEquals(expected | quiet, Float.floatToRawIntBits(f16[5 + i]) | quiet, "f16 bits " + Integer.toHexString(i));
            assertEquals(i << 16, Float.floatToRawIntBits(bf16[5 + i]), "bf16 bits");
        }
        // lengths that leave tails for the scalar loop, from unaligned offsets
        for (int n : new int[]{0, 1, 7, 15, 17, 33}) {
            float[] out = new float[n + 1];
            out[n] = 42f;
            VectorMath.widenF16(MemorySegment.ofArray(bits), 3 + 0x3C00, out, 0, n);
            for (int i = 0; i < n; i++) assertEquals(Float.float16ToFloat((short) (0x3C00 + i)), out[i], "n " + n + " element " + i);
            assertEquals(42f, out[n], "wrote past n = " + n);
        }
    }
}
