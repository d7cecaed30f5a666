package dev.turbojet.ops.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The softmax's exponentials on FloatVector lanes: {@link FastExp}'s algorithm, lane for lane, and a
 * sum whose order is fixed (fp32 per lane, then lanes 0..L-1 in fp64, then the tail), so the bits
 * do not depend on whether the JIT has compiled this yet. Only loaded when jdk.incubator.vector is present.
 */
final class VectorExp implements Attention.RowExp {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(FastExp.ROUNDER);

    static int lanes() {
        return L;
    }

    private static final FloatVector NEG_LN2_HI = FloatVector.broadcast(S, -FastExp.LN2_HI),
            NEG_LN2_LO = FloatVector.broadcast(S, -FastExp.LN2_LO), C7 = FloatVector.broadcast(S, FastExp.C7),
            C6 = FloatVector.broadcast(S, FastExp.C6), C5 = FloatVector.broadcast(S, FastExp.C5),
            C4 = FloatVector.broadcast(S, FastExp.C4), C3 = FloatVector.broadcast(S, FastExp.C3),
            C2 = FloatVector.broadcast(S, FastExp.C2), ONE = FloatVector.broadcast(S, 1f);

    static FloatVector exp(FloatVector x) {
        x = x.max(FastExp.LO).min(0f);
        FloatVector t = x.fma(FastExp.LOG2E, FastExp.ROUNDER);
        FloatVector n = t.sub(FastExp.ROUNDER);
        FloatVector r = n.fma(NEG_LN2_HI, x);
        r = n.fma(NEG_LN2_LO, r);
        FloatVector p = C7.fma(r, C6);
        p = p.fma(r, C5);
        p = p.fma(r, C4);
        p = p.fma(r, C3);
        p = p.fma(r, C2);
        p = p.fma(r, ONE);
        p = p.fma(r, ONE);
        IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    @Override
    public double expInPlace(float[] a, int off, int n, float max, float scale) {
        FloatVector acc = FloatVector.zero(S);
        int j = off, end = off + n;
        for (int bound = off + S.loopBound(n); j < bound; j += L) {
            FloatVector e = exp(FloatVector.fromArray(S, a, j).sub(max).mul(scale));
            e.intoArray(a, j);
            acc = acc.add(e);
        }
        double sum = 0;
        for (int l = 0; l < L; l++) sum += acc.lane(l);
        for (; j < end; j++) {
            float e = FastExp.exp((a[j] - max) * scale);
            a[j] = e;
            sum += e;
        }
        return sum;
    }
}
