package dev.turbojet.ops.cpu;

/** A 4 x 4 micro-kernel in plain Java: the GEMM path when the Vector API module is not present. */
final class ScalarKernel implements Gemm.Kernel {
    @Override
    public int mr() {
        return 4;
    }

    @Override
    public int nr() {
        return 4;
    }

    @Override
    public String name() {
        return "scalar 4x4";
    }

    @Override
    public void run(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int k = 0; k < kc; k++, ao += 4, bo += 4) {
            float b0 = b[bo], b1 = b[bo + 1], b2 = b[bo + 2], b3 = b[bo + 3];
            float a0 = a[ao], a1 = a[ao + 1], a2 = a[ao + 2], a3 = a[ao + 3];
            c00 = Math.fma(a0, b0, c00); c01 = Math.fma(a0, b1, c01); c02 = Math.fma(a0, b2, c02); c03 = Math.fma(a0, b3, c03);
            c10 = Math.fma(a1, b0, c10); c11 = Math.fma(a1, b1, c11); c12 = Math.fma(a1, b2, c12); c13 = Math.fma(a1, b3, c13);
            c20 = Math.fma(a2, b0, c20); c21 = Math.fma(a2, b1, c21); c22 = Math.fma(a2, b2, c22); c23 = Math.fma(a2, b3, c23);
            c30 = Math.fma(a3, b0, c30); c31 = Math.fma(a3, b1, c31); c32 = Math.fma(a3, b2, c32); c33 = Math.fma(a3, b3, c33);
        }
        c[co] += c00; c[co + 1] += c01; c[co + 2] += c02; c[co + 3] += c03;
        co += ldc;
        c[co] += c10; c[co + 1] += c11; c[co + 2] += c12; c[co + 3] += c13;
        co += ldc;
        c[co] += c20; c[co + 1] += c21; c[co + 2] += c22; c[co + 3] += c23;
        co += ldc;
        c[co] += c30; c[co + 1] += c31; c[co + 2] += c32; c[co + 3] += c33;
    }
}
