package dev.turbojet.ops.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The softmax's exponentials with FloatVector EXP; only loaded when jdk.incubator.vector is present. */
final class VectorExp implements Attention.RowExp {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public double expInPlace(float[] a, int off, int n, float max, float scale) {
        FloatVector acc = FloatVector.zero(S);
        int j = off, end = off + n;
        for (int bound = off + S.loopBound(n); j < bound; j += S.length()) {
            FloatVector e = FloatVector.fromArray(S, a, j).sub(max).mul(scale).lanewise(VectorOperators.EXP);
            e.intoArray(a, j);
            acc = acc.add(e);
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < end; j++) {
            float e = (float) Math.exp((a[j] - max) * scale);
            a[j] = e;
            sum += e;
        }
        return sum;
    }
}
