package dev.turbojet.ops.cpu;

import dev.turbojet.ffi.onednn.OneDnn;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.turbojet.ops.cpu.CpuOpsTest.FP32_REL_TOL;
import static dev.turbojet.ops.cpu.CpuOpsTest.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The 16-bit linears on oneDNN's matmul against the reference linear on the same 16-bit values: F16 and BF16
 * weights, with and without a bias, one task and split over the workers by columns or by rows (sizes that
 * leave a narrower last slice), and through CpuOps.linear from a checkpoint-like 16-bit weight, matmul on and off.
 */
class DnnlLinearsTest {
    private final Random rnd = new Random(23);

    @BeforeAll
    static void needsOneDnn() {
        assumeTrue(CpuOps.oneDnnPresent(), "oneDNN does not load here: " + OneDnn.whyUnavailable());
    }

    /** A [n, k] weight rounded to {@code type}: its fp32 values and its 16-bit storage. */
    private record Weight(HostTensor values, CpuTensor stored) {
    }

    private Weight weight(int n, int k, DType type) {
        HostTensor w = Reference.random(rnd, n, k);
        float[] wd = w.data();
        short[] bits = new short[wd.length];
        for (int i = 0; i < wd.length; i++) {
            bits[i] = type == DType.F16 ? Float.floatToFloat16(wd[i]) : (short) (Float.floatToRawIntBits(wd[i]) >>> 16);
            wd[i] = type == DType.F16 ? Float.float16ToFloat(bits[i]) : Float.intBitsToFloat(bits[i] << 16);
        }
        return new Weight(w, CpuTensor.half(w.shape(), bits, type, false));
    }

    @Test
    void matmulsMatchTheReference() {
        int[][] cases = {{3, 20, 24}, {77, 96, 200}, {130, 64, 1000}, {1, 300, 517}, {1030, 64, 100}}; // m, k, n
        Workers workers = new Workers(2);
        try {
            DnnlLinears linears = new DnnlLinears(OneDnn.load(), workers);
            for (int[] c : cases) {
                for (DType type : new DType[]{DType.F16, DType.BF16}) {
                    Weight w = weight(c[2], c[1], type);
                    HostTensor x = Reference.random(rnd, c[0], c[1]), bias = Reference.random(rnd, c[2]);
                    for (HostTensor b : new HostTensor[]{bias, null}) {
                        float[] out = new float[c[0] * c[2]];
                        java.util.Arrays.fill(out, Float.NaN); // every element must be written
                        String what = "matmul " + java.util.Arrays.toString(c) + " " + type + (b == null ? " no bias" : "");
                        assertTrue(linears.linear(x.data(), c[0], c[1], w.stored(), c[2], b == null ? null : b.data(), out), what);
                        check(what, new HostTensor(Shape.of(c[0], c[2]), out), Shape.of(c[0], c[2]),
                                Reference.linear(x, w.values(), b), FP32_REL_TOL);
                    }
                }
            }
        } finally {
            workers.close();
        }
    }

    @Test
    void cpuOpsLinearTakesTheMatmulOrNotWithTheSameResult() {
        Weight w = weight(512, 160, DType.F16); // 81,920 elements: kept 16-bit
        HostTensor x = Reference.random(rnd, 2, 5, 160), bias = Reference.random(rnd, 512);
        double[] want = Reference.linear(x, w.values(), bias);
        String before = System.getProperty(CpuOps.ONEDNN_MATMUL_PROPERTY);
        try {
            for (String matmul : new String[]{"true", "false"}) {
                System.setProperty(CpuOps.ONEDNN_MATMUL_PROPERTY, matmul);
                try (CpuOps ops = new CpuOps(2, CpuOps.Simd.ONEDNN)) {
                    HostTensor got = ops.download(ops.linear(ops.upload(x), w.stored(), ops.upload(bias)));
                    check("CpuOps.linear, matmul " + matmul, got, Shape.of(2, 5, 512), want, FP32_REL_TOL);
                }
            }
        } finally {
            if (before == null) System.clearProperty(CpuOps.ONEDNN_MATMUL_PROPERTY);
            else System.setProperty(CpuOps.ONEDNN_MATMUL_PROPERTY, before);
        }
    }

    @Test
    void takesOnlySkinnyLinearsOfRowMajor16BitWeights() {
        assertTrue(DnnlLinears.takes(77, weight(4, 4, DType.F16).stored()));
        assertFalse(DnnlLinears.takes(1024, weight(4, 4, DType.F16).stored()), "many rows stay on sgemm");
        assertFalse(DnnlLinears.takes(77, new CpuTensor(Shape.of(4, 4), new float[16])), "fp32 weights stay on sgemm (on the heap)");
        assertFalse(DnnlLinears.takes(77, CpuTensor.half(Shape.of(2, 2, 3, 3), new short[36], DType.F16, true)), "tap-major conv weights");
        assertEquals(DType.BF16, weight(4, 4, DType.BF16).stored().dtype());
    }
}
