package dev.turbojet.ops.cpu;

import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

/** The packed GEMM with each micro-kernel, thread count and operand layout, against an fp64 product. */
class GemmTest {
    private final Random rnd = new Random(99);

    @Test
    void everyKernelMatchesFp64() {
        List<Gemm.Kernel> kernels = List.of(new ScalarKernel(), new VectorKernel());
        int[][] sizes = { // m, n, k (crossing the MR, NR, KC and NC boundaries)
                {1, 1, 1}, {7, 33, 5}, {13, 1100, 300}, {100, 70, 513}, {8, 32, 256}, {17, 2049, 3},
        };
        for (Gemm.Kernel kernel : kernels) {
            Gemm gemm = new Gemm(kernel);
            for (int threads : new int[]{1, 2}) {
                Workers workers = new Workers(threads);
                for (int[] sz : sizes) {
                    int m = sz[0], n = sz[1], k = sz[2];
                    float[] a = random(m * k), b = random(k * n), c0 = random(m * n);
                    double[] want = new double[m * n];
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) {
                            double acc = c0[i * n + j];
                            for (int p = 0; p < k; p++) acc += (double) a[i * k + p] * b[p * n + j];
                            want[i * n + j] = acc;
                        }
                    // B row-major, then B given as its transpose (a linear layer's [out, in] weight)
                    float[] bt = new float[k * n];
                    for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
                    String what = kernel.name() + " x" + threads + " m" + m + " n" + n + " k" + k;

                    float[] c = c0.clone();
                    gemm.multiply(workers, new Gemm.Strided(a, 0, k, 1), m, new Gemm.Strided(b, 0, n, 1), n, k, c, 0, n);
                    CpuOpsTest.check("gemm " + what, new HostTensor(Shape.of(m, n), c), Shape.of(m, n), want, CpuOpsTest.FP32_REL_TOL);

                    float[] ct = c0.clone();
                    gemm.multiply(workers, new Gemm.Strided(a, 0, k, 1), m, new Gemm.Strided(bt, 0, 1, k), n, k, ct, 0, n);
                    CpuOpsTest.check("gemm B^T " + what, new HostTensor(Shape.of(m, n), ct), Shape.of(m, n), want, CpuOpsTest.FP32_REL_TOL);
                }
            }
        }
    }

    @Test
    void writesOnlyItsBlockOfALargerC() {
        // C is the middle [5, 40] of an [9, 50] array: ldc 50, offset (2, 3); the rest stays untouched.
        Gemm gemm = new Gemm(new VectorKernel());
        int m = 5, n = 40, k = 9, ldc = 50, off = 2 * ldc + 3;
        float[] a = random(m * k), b = random(k * n), c = new float[9 * ldc];
        java.util.Arrays.fill(c, 7f);
        gemm.multiply(new Workers(2), new Gemm.Strided(a, 0, k, 1), m, new Gemm.Strided(b, 0, n, 1), n, k, c, off, ldc);
        for (int r = 0; r < 9; r++)
            for (int col = 0; col < ldc; col++) {
                boolean inside = r >= 2 && r < 2 + m && col >= 3 && col < 3 + n;
                if (!inside) org.junit.jupiter.api.Assertions.assertEquals(7f, c[r * ldc + col], "outside element (" + r + ", " + col + ")");
            }
        double[] want = new double[m * n];
        float[] got = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double acc = 7;
                for (int p = 0; p < k; p++) acc += (double) a[i * k + p] * b[p * n + j];
                want[i * n + j] = acc;
                got[i * n + j] = c[off + i * ldc + j];
            }
        CpuOpsTest.check("gemm into a sub-block", new HostTensor(Shape.of(m, n), got), Shape.of(m, n), want, CpuOpsTest.FP32_REL_TOL);
    }

    private float[] random(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) rnd.nextGaussian();
        return f;
    }
}
