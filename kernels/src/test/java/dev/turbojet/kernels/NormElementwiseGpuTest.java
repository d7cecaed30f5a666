package dev.turbojet.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.GpuTests;
import dev.turbojet.ffi.cuda.DevicePtr;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Norm, softmax and elementwise kernels on a real GPU against {@link Reference}; skips without a GPU. */
class NormElementwiseGpuTest {
    static final double FP16_TOLERANCE = 3e-3;
    static final double BF16_TOLERANCE = 1e-2;
    private static GpuFixture gpu;

    /** Per test, so each GPU test is reported as skipped with the reason. */
    @BeforeEach
    void setUp() {
        assumeTrue(GpuTests.skipReason().isEmpty(), () -> GpuTests.skipReason().orElse(""));
        if (gpu == null) {
            gpu = new GpuFixture();
        }
    }

    @AfterAll
    static void tearDown() {
        if (gpu != null) {
            gpu.close();
        }
    }

    static double tolerance(ElementType t) {
        return t == ElementType.F16 ? FP16_TOLERANCE : BF16_TOLERANCE;
    }

    private static void check(String what, ElementType t, float[] actual, float[] expected) {
        assertTrue(Reference.relErr(actual, expected) < tolerance(t), Reference.describe(what + " " + t, actual, expected));
    }

    @Test
    void groupNormWithSilu() {
        for (ElementType t : ElementType.values()) {
            int n = 2, hw = 7 * 9, c = 64, groups = 8;
            float[] x = GpuFixture.rounded(t, GpuFixture.random(1, n * hw * c));
            float[] gamma = GpuFixture.rounded(t, GpuFixture.random(2, c));
            float[] beta = GpuFixture.rounded(t, GpuFixture.random(3, c));
            DevicePtr y = gpu.alloc(x.length * 2L);
            for (boolean silu : new boolean[] {false, true}) {
                gpu.run(NormKernels.groupNorm(t, y, gpu.upload(t, x), gpu.upload(t, gamma), gpu.upload(t, beta), n, hw, c,
                        groups, 1e-5f, silu));
                check("group_norm silu=" + silu, t, gpu.download(t, y, x.length),
                        Reference.groupNorm(x, gamma, beta, n, hw, c, groups, 1e-5, silu));
            }
        }
    }

    @Test
    void layerNormAndSoftmax() {
        for (ElementType t : ElementType.values()) {
            int rows = 77, cols = 768;
            float[] x = GpuFixture.rounded(t, GpuFixture.random(4, rows * cols));
            float[] gamma = GpuFixture.rounded(t, GpuFixture.random(5, cols));
            float[] beta = GpuFixture.rounded(t, GpuFixture.random(6, cols));
            DevicePtr dx = gpu.upload(t, x);
            DevicePtr y = gpu.alloc(x.length * 2L);
            gpu.run(NormKernels.layerNorm(t, y, dx, gpu.upload(t, gamma), gpu.upload(t, beta), rows, cols, 1e-5f));
            check("layer_norm", t, gpu.download(t, y, x.length), Reference.layerNorm(x, gamma, beta, rows, cols, 1e-5));
            gpu.run(NormKernels.softmax(t, y, dx, rows, cols));
            check("softmax", t, gpu.download(t, y, x.length), Reference.softmax(x, rows, cols));
        }
    }

    private static float[] map(float[] x, DoubleUnaryOperator f) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) f.applyAsDouble(x[i]);
        }
        return y;
    }

    @Test
    void activations() {
        ElementType t = ElementType.F16;
        float[] x = GpuFixture.rounded(t, GpuFixture.random(7, 5000));
        DevicePtr dx = gpu.upload(t, x);
        DevicePtr y = gpu.alloc(x.length * 2L);
        gpu.run(ElementwiseKernels.unary(ElementwiseKernels.Unary.SILU, t, y, dx, x.length));
        check("silu", t, gpu.download(t, y, x.length), map(x, Reference::silu));
        gpu.run(ElementwiseKernels.unary(ElementwiseKernels.Unary.GELU, t, y, dx, x.length));
        check("gelu", t, gpu.download(t, y, x.length), map(x, Reference::gelu));
        gpu.run(ElementwiseKernels.unary(ElementwiseKernels.Unary.QUICK_GELU, t, y, dx, x.length));
        check("quick_gelu", t, gpu.download(t, y, x.length), map(x, v -> v / (1 + Math.exp(-1.702 * v))));
        gpu.run(ElementwiseKernels.scale(t, y, dx, 0.5f, x.length));
        check("scale", t, gpu.download(t, y, x.length), map(x, v -> v * 0.5));
    }

    @Test
    void binaryAndBroadcastAdds() {
        ElementType t = ElementType.BF16;
        int n = 2, spatial = 30, c = 40;
        float[] a = GpuFixture.rounded(t, GpuFixture.random(8, n * spatial * c));
        float[] b = GpuFixture.rounded(t, GpuFixture.random(9, n * spatial * c));
        float[] row = GpuFixture.rounded(t, GpuFixture.random(10, c));
        float[] nc = GpuFixture.rounded(t, GpuFixture.random(11, n * c));
        DevicePtr da = gpu.upload(t, a);
        DevicePtr y = gpu.alloc(a.length * 2L);
        float[] sum = new float[a.length];
        float[] prod = new float[a.length];
        float[] rowSum = new float[a.length];
        float[] ncSum = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            sum[i] = a[i] + b[i];
            prod[i] = a[i] * b[i];
            rowSum[i] = a[i] + row[i % c];
            ncSum[i] = a[i] + nc[(i / (spatial * c)) * c + i % c];
        }
        gpu.run(ElementwiseKernels.binary(ElementwiseKernels.Binary.ADD, t, y, da, gpu.upload(t, b), a.length));
        check("add", t, gpu.download(t, y, a.length), sum);
        gpu.run(ElementwiseKernels.binary(ElementwiseKernels.Binary.MUL, t, y, da, gpu.upload(t, b), a.length));
        check("mul", t, gpu.download(t, y, a.length), prod);
        gpu.run(ElementwiseKernels.addRow(t, y, da, gpu.upload(t, row), a.length, c));
        check("add_row", t, gpu.download(t, y, a.length), rowSum);
        gpu.run(ElementwiseKernels.addBatchChannel(t, y, da, gpu.upload(t, nc), n, spatial, c));
        check("add_nc", t, gpu.download(t, y, a.length), ncSum);
    }

    @Test
    void gegluTakesHiddenFirstGateSecond() {
        ElementType t = ElementType.F16;
        int rows = 33, f = 48;
        float[] x = GpuFixture.rounded(t, GpuFixture.random(12, rows * 2 * f));
        float[] expected = new float[rows * f];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < f; j++) {
                expected[r * f + j] = (float) (x[r * 2 * f + j] * Reference.gelu(x[r * 2 * f + f + j]));
            }
        }
        DevicePtr y = gpu.alloc(expected.length * 2L);
        gpu.run(ElementwiseKernels.geglu(t, y, gpu.upload(t, x), rows, f));
        check("geglu", t, gpu.download(t, y, expected.length), expected);
    }

    @Test
    void conversions() {
        for (ElementType t : ElementType.values()) {
            float[] x = GpuFixture.random(13, 1000);
            DevicePtr half = gpu.alloc(x.length * 2L);
            gpu.run(ElementwiseKernels.fromF32(t, half, gpu.uploadF32(x), x.length));
            float[] expected = GpuFixture.rounded(t, x);
            float[] stored = gpu.download(t, half, x.length);
            assertTrue(java.util.Arrays.equals(expected, stored), "from_f32 must round to nearest even like Java's encoder");
            DevicePtr back = gpu.alloc(x.length * 4L);
            gpu.run(ElementwiseKernels.toF32(t, back, half, x.length));
            assertTrue(java.util.Arrays.equals(expected, gpu.downloadF32(back, x.length)), "to_f32 is exact");
        }
    }
}
