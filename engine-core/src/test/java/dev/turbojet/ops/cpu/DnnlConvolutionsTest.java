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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * oneDNN's direct convolutions by bands, against the reference convolution: bands of one row to the whole
 * image (so top, middle and bottom bands with their own padding), square and rectangular kernels, padded
 * and unpadded, fp32 and 16-bit weights row-major and tap-major, with and without a bias, batches of two.
 */
class DnnlConvolutionsTest {
    private final Random rnd = new Random(19);

    @BeforeAll
    static void needsOneDnn() {
        assumeTrue(CpuOps.oneDnnPresent(), "oneDNN does not load here: " + OneDnn.whyUnavailable());
    }

    @Test
    void bandsMatchTheReference() {
        int[][] cases = { // n, cin, h, w, cout, kh, kw, pad, band floats
                {1, 5, 9, 11, 16, 3, 3, 1, 1 << 20},  // one band
                {2, 5, 9, 11, 17, 3, 3, 1, 5 * 11 * 3}, // one-row bands: each with its own halo and padding
                {1, 6, 12, 10, 16, 3, 3, 1, 6 * 10 * 6}, // four-row bands
                {1, 4, 10, 9, 20, 5, 5, 2, 4 * 9 * 7},  // 5x5, pad 2: bands whose halo spans two rows each side
                {1, 3, 8, 12, 16, 1, 3, 0, 3 * 12 * 2}, // rectangular, unpadded
                {1, 7, 7, 7, 32, 3, 3, 0, 7 * 7 * 4},   // unpadded 3x3: the output smaller than the input
        };
        try (CpuOps ops = new CpuOps(2, CpuOps.Simd.ONEDNN)) {
            for (int[] c : cases) {
                DnnlConvolutions convs = new DnnlConvolutions(OneDnn.load(), 2, c[8]);
                HostTensor x = Reference.random(rnd, c[0], c[1], c[2], c[3]);
                HostTensor w = Reference.random(rnd, c[4], c[1], c[5], c[6]);
                float[] wd = w.data();
                short[] f16 = new short[wd.length];
                for (int i = 0; i < wd.length; i++) {
                    f16[i] = Float.floatToFloat16(wd[i]);
                    wd[i] = Float.float16ToFloat(f16[i]); // the reference sees the 16-bit values
                }
                HostTensor bias = Reference.random(rnd, c[4]);
                int ho = c[2] + 2 * c[7] - c[5] + 1, wo = c[3] + 2 * c[7] - c[6] + 1, taps = c[5] * c[6];
                for (CpuTensor weight : new CpuTensor[]{new CpuTensor(w.shape(), wd.clone()),
                        CpuTensor.tapMajor(w.shape(), CpuTensor.toTapMajor(wd, c[4], c[1], taps)),
                        CpuTensor.half(w.shape(), CpuTensor.toTapMajor(f16, c[4], c[1], taps), DType.F16, true),
                        CpuTensor.half(w.shape(), f16.clone(), DType.F16, false)}) {
                    for (HostTensor b : new HostTensor[]{bias, null}) {
                        float[] out = new float[c[0] * c[4] * ho * wo];
                        java.util.Arrays.fill(out, Float.NaN); // every element must be written
                        convs.conv2d(x.data(), c[0], c[1], c[2], c[3], weight, b == null ? null : b.data(), c[4], c[5], c[6], c[7], ho, wo, out);
                        check("oneDNN conv " + java.util.Arrays.toString(c) + " " + weight + (b == null ? " no bias" : ""),
                                new HostTensor(Shape.of(c[0], c[4], ho, wo), out), Shape.of(c[0], c[4], ho, wo),
                                Reference.conv2d(x, w, b, 1, c[7]), FP32_REL_TOL);
                    }
                }
            }
        }
    }

    @Test
    void takesOnlyLargeImagesWithManyChannels() {
        assertTrue(DnnlConvolutions.takes(128, 64, 64));
        assertFalse(DnnlConvolutions.takes(3, 512, 512), "three output channels stay on sgemm");
        assertFalse(DnnlConvolutions.takes(1280, 32, 32), "small images stay on sgemm (the weights' reorder would dominate)");
    }
}
