package dev.turbojet.ops.cpu;

import dev.turbojet.ops.Act;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The same inputs give the same bits on every run: the kernels with reductions compute in a fixed
 * order, whether the JIT has compiled them or not. (Lane reductions and the Vector API's EXP are
 * not bit-stable between the interpreter and C2; the softmax used to differ by ~4e-7 after warm-up.)
 */
class DeterminismTest {
    private static final int WARM_UP = 2_000;
    private final Random rnd = new Random(77);

    @Test
    void vectorExpMatchesItsScalarTwinBitwise() {
        VectorExp vector = new VectorExp();
        for (int n : new int[]{1, 7, 16, 33, 77, 256, 1029}) {
            float[] a = new float[n + 3];
            for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextGaussian() * 20);
            float[] b = a.clone();
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 2; i < 2 + n; i++) max = Math.max(max, a[i]);
            double sv = vector.expInPlace(a, 2, n, max, 0.125f);
            double ss = FastExp.expInPlace(b, 2, n, max, 0.125f, VectorExp.lanes());
            assertEquals(Double.doubleToRawLongBits(ss), Double.doubleToRawLongBits(sv), "sum, n = " + n);
            assertArrayEquals(b, a, "exponentials, n = " + n);
        }
    }

    @Test
    void fastExpIsAccurate() {
        double worst = 0;
        for (float x = -87f; x <= 0f; x += 0.001f) {
            double e = Math.exp(x);
            worst = Math.max(worst, Math.abs(FastExp.exp(x) - e) / e);
        }
        assertTrue(worst < 3e-7, "max relative error " + worst);
        assertEquals(1f, FastExp.exp(0f));
        assertEquals(FastExp.exp(-87f), FastExp.exp(-1000f));
    }

    @Test
    void reductionKernelsGiveTheSameBitsColdAndWarm() {
        CpuOps ops = new CpuOps(2);
        HostTensor q = Reference.random(rnd, 1, 40, 64), k = Reference.random(rnd, 1, 77, 64), v = Reference.random(rnd, 1, 77, 64);
        HostTensor x = Reference.random(rnd, 1, 8, 6, 5), gamma = Reference.random(rnd, 8), beta = Reference.random(rnd, 8);
        HostTensor t = Reference.random(rnd, 3, 37, 48), g2 = Reference.random(rnd, 48), b2 = Reference.random(rnd, 48);
        HostTensor w = Reference.random(rnd, 29, 48), bias = Reference.random(rnd, 29);
        Tensor qd = ops.upload(q), kd = ops.upload(k), vd = ops.upload(v), xd = ops.upload(x), gd = ops.upload(gamma),
                bd = ops.upload(beta), td = ops.upload(t), g2d = ops.upload(g2), b2d = ops.upload(b2), wd = ops.upload(w),
                biasd = ops.upload(bias);
        @SuppressWarnings("unchecked")
        Supplier<Tensor>[] kernels = new Supplier[]{
                () -> ops.attention(qd, kd, vd, 4, false),
                () -> ops.attention(qd, qd, qd, 2, true),
                () -> ops.groupNorm(xd, gd, bd, 4, 1e-5f, Act.SILU),
                () -> ops.layerNorm(td, g2d, b2d, 1e-5f),
                () -> ops.linear(td, wd, biasd),
        };
        float[][] cold = new float[kernels.length][];
        for (int i = 0; i < kernels.length; i++) cold[i] = ops.download(kernels[i].get()).data();
        for (int it = 0; it < WARM_UP; it++) {
            for (Supplier<Tensor> kernel : kernels) kernel.get();
        }
        for (int i = 0; i < kernels.length; i++) {
            float[] warm = ops.download(kernels[i].get()).data();
            int at = Arrays.mismatch(cold[i], warm);
            int kernel = i;
            assertEquals(-1, at, () -> "kernel " + kernel + " differs after warm-up at " + at + ": " + cold[kernel][at] + " vs " + warm[at]);
        }
    }
}
