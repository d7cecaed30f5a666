package dev.turbojet.ops.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The norms' statistics and the SiLU / GELU activations on FloatVector lanes. Each element-wise function
 * has a scalar twin in {@link ScalarMath} doing the same fp32 operations in the same order, used for the
 * tails here and on the scalar path, so an element's bits do not depend on which of the two computed it.
 * Sums are fp32 per lane over blocks of {@link ScalarMath#BLOCK} elements, then fp64 across lanes and
 * blocks. Only loaded when jdk.incubator.vector is present.
 */
final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Ints as many as {@link #S}'s floats, and the shorts they widen from. */
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(I.vectorBitSize() / 2));

    private VectorMath() {
    }

    /** sum of a[off, off + n), as {@link ScalarMath#sum} defines it for {@code L} lanes. */
    static double sum(float[] a, int off, int n) {
        double total = 0;
        int j = off, end = off + n;
        while (end - j >= L) {
            int blockEnd = Math.min(end - (end - j) % L, j + ScalarMath.BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; j < blockEnd; j += L) acc = acc.add(FloatVector.fromArray(S, a, j));
            for (int l = 0; l < L; l++) total += acc.lane(l);
        }
        for (; j < end; j++) total += a[j];
        return total;
    }

    /** sum of (a[i] - mean)^2 over [off, off + n), blocked as {@link #sum}. */
    static double sumSquaredDeviations(float[] a, int off, int n, float mean) {
        double total = 0;
        int j = off, end = off + n;
        FloatVector m = FloatVector.broadcast(S, mean);
        while (end - j >= L) {
            int blockEnd = Math.min(end - (end - j) % L, j + ScalarMath.BLOCK);
            FloatVector acc = FloatVector.zero(S);
            for (; j < blockEnd; j += L) {
                FloatVector d = FloatVector.fromArray(S, a, j).sub(m);
                acc = d.fma(d, acc);
            }
            for (int l = 0; l < L; l++) total += acc.lane(l);
        }
        for (; j < end; j++) {
            float d = a[j] - mean;
            total += d * d;
        }
        return total;
    }

    /** max of a[off, off + n) (n >= 1; max is exact, so no twin is needed). */
    static float max(float[] a, int off, int n) {
        int j = off, end = off + n;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= L) {
            FloatVector acc = FloatVector.fromArray(S, a, j);
            for (j += L; j <= end - L; j += L) acc = acc.max(FloatVector.fromArray(S, a, j));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; j < end; j++) m = Math.max(m, a[j]);
        return m;
    }

    /** a[i] *= by over [off, off + n). */
    static void scale(float[] a, int off, int n, float by) {
        int j = off, end = off + n;
        for (; j <= end - L; j += L) FloatVector.fromArray(S, a, j).mul(by).intoArray(a, j);
        for (; j < end; j++) a[j] *= by;
    }

    /** x * sigmoid(x) per lane, as {@link ScalarMath#silu}. */
    static FloatVector silu(FloatVector x) {
        FloatVector e = VectorExp.exp(x.abs().neg()).blend(0f, x.compare(VectorOperators.LT, FastExp.LO));
        FloatVector one = FloatVector.broadcast(S, 1f);
        VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
        return x.mul(one.blend(e, negative).div(one.add(e)));
    }

    /** 0.5 x (1 + erf(x / sqrt 2)) per lane, as {@link ScalarMath#gelu}. */
    static FloatVector gelu(FloatVector x) {
        FloatVector z = x.mul(ScalarMath.INV_SQRT2).abs();
        FloatVector t = FloatVector.broadcast(S, 1f).div(z.fma(ScalarMath.P, 1f));
        FloatVector poly = t.fma(ScalarMath.A5, ScalarMath.A4);
        poly = poly.fma(t, FloatVector.broadcast(S, ScalarMath.A3));
        poly = poly.fma(t, FloatVector.broadcast(S, ScalarMath.A2));
        poly = poly.fma(t, FloatVector.broadcast(S, ScalarMath.A1));
        poly = poly.mul(t);
        FloatVector tail = poly.mul(VectorExp.exp(z.mul(z).neg())); // 1 - erf(|z|)
        VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
        FloatVector onePlusErf = FloatVector.broadcast(S, 2f).sub(tail).blend(tail, negative);
        return x.mul(0.5f).mul(onePlusErf);
    }

    /** out[o + i] = act(x[i] scale + shift) for i in [s, e), act SiLU or none. */
    static void affine(float[] x, float[] out, int s, int e, float scale, float shift, boolean silu) {
        int i = s;
        for (int bound = s + S.loopBound(e - s); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i).fma(scale, shift);
            (silu ? silu(v) : v).intoArray(out, i);
        }
        for (; i < e; i++) {
            float v = Math.fma(x[i], scale, shift);
            out[i] = silu ? ScalarMath.silu(v) : v;
        }
    }

    /** out[i] = silu(x[i]) for i in [s, e). */
    static void silu(float[] x, float[] out, int s, int e) {
        int i = s;
        for (int bound = s + S.loopBound(e - s); i < bound; i += L) silu(FloatVector.fromArray(S, x, i)).intoArray(out, i);
        for (; i < e; i++) out[i] = ScalarMath.silu(x[i]);
    }

    /** out[i] = gelu(x[i]) for i in [s, e), as {@link ScalarMath#gelu}. */
    static void gelu(float[] x, float[] out, int s, int e) {
        int i = s;
        for (int bound = s + S.loopBound(e - s); i < bound; i += L) gelu(FloatVector.fromArray(S, x, i)).intoArray(out, i);
        for (; i < e; i++) out[i] = ScalarMath.gelu(x[i]);
    }

    /** out[o + i] = x[xo + i] gelu(x[xo + f + i]) for i < f: one row of GEGLU. */
    static void geglu(float[] x, int xo, float[] out, int o, int f) {
        int i = 0;
        for (int bound = S.loopBound(f); i < bound; i += L) {
            FloatVector a = FloatVector.fromArray(S, x, xo + i), g = FloatVector.fromArray(S, x, xo + f + i);
            a.mul(gelu(g)).intoArray(out, o + i);
        }
        for (; i < f; i++) out[o + i] = x[xo + i] * ScalarMath.gelu(x[xo + f + i]);
    }

    /**
     * dst[dOff + i] = the IEEE binary16 value of bits[srcOff + i], for i < n: exactly
     * {@link Float#float16ToFloat} (every finite half is an fp32; infinities keep their sign, NaNs their
     * sign and payload and come out quiet, as x86's VCVTPH2PS makes them), eight or sixteen lanes at a time.
     */
    static void widenF16(MemorySegment bits, long srcOff, float[] dst, int dOff, int n) {
        int i = 0;
        for (int bound = I.loopBound(n); i < bound; i += I.length()) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H, bits, (srcOff + i) * 2, ByteOrder.nativeOrder())
                    .convertShape(VectorOperators.S2I, I, 0);
            IntVector em = h.and(0x7FFF), sign = h.lanewise(VectorOperators.LSHL, 16).and(0x80000000);
            IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
            // normal halves: rebias the exponent (15 -> 127); subnormal ones (em < 0x400): em x 2^-24,
            // exact in fp32; infinities and NaNs (em >= 0x7C00): all-ones exponent, payload kept
            IntVector normal = shifted.add(0x38000000);
            IntVector subnormal = ((FloatVector) em.convert(VectorOperators.I2F, 0)).mul(0x1p-24f)
                    .reinterpretAsInts();
            IntVector special = shifted.or(0x7F800000)
                    .blend(shifted.or(0x7FC00000), em.compare(VectorOperators.GT, 0x7C00)); // NaNs quiet, as F16C's
            IntVector magnitude = normal.blend(subnormal, em.compare(VectorOperators.LT, 0x400))
                    .blend(special, em.compare(VectorOperators.GE, 0x7C00));
            magnitude.or(sign).reinterpretAsFloats().intoArray(dst, dOff + i);
        }
        for (; i < n; i++) dst[dOff + i] = Float.float16ToFloat(bits.getAtIndex(ValueLayout.JAVA_SHORT, srcOff + i));
    }

    /** dst[dOff + i] = the bfloat16 bits[srcOff + i] as fp32 (its bits shifted up by 16), for i < n. */
    static void widenBF16(MemorySegment bits, long srcOff, float[] dst, int dOff, int n) {
        int i = 0;
        for (int bound = I.loopBound(n); i < bound; i += I.length()) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H, bits, (srcOff + i) * 2, ByteOrder.nativeOrder())
                    .convertShape(VectorOperators.S2I, I, 0);
            h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dOff + i);
        }
        for (; i < n; i++) dst[dOff + i] = Float.intBitsToFloat(bits.getAtIndex(ValueLayout.JAVA_SHORT, srcOff + i) << 16);
    }
}
