package dev.turbojet.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.GpuTests;
import dev.turbojet.ffi.cuda.DevicePtr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Layout, embedding and attention kernels on a real GPU against CPU references; skips without a GPU. */
class LayoutAttentionGpuTest {
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

    private static void check(String what, ElementType t, float[] actual, float[] expected) {
        assertTrue(Reference.relErr(actual, expected) < NormElementwiseGpuTest.tolerance(t),
                Reference.describe(what + " " + t, actual, expected));
    }

    @Test
    void transposesRoundTripExactly() {
        ElementType t = ElementType.F16;
        int n = 2, c = 5, h = 3, w = 7;
        float[] x = GpuFixture.rounded(t, GpuFixture.random(20, n * c * h * w));
        float[] nhwc = new float[x.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < h * w; i++) {
                    nhwc[(b * h * w + i) * c + ch] = x[(b * c + ch) * h * w + i];
                }
            }
        }
        DevicePtr dx = gpu.upload(t, x);
        DevicePtr y = gpu.alloc(x.length * 2L);
        DevicePtr z = gpu.alloc(x.length * 2L);
        gpu.run(LayoutKernels.nchwToNhwc(y, dx, n, c, h, w));
        assertArrayEquals(nhwc, gpu.download(t, y, x.length));
        gpu.run(LayoutKernels.nhwcToNchw(z, y, n, c, h, w));
        assertArrayEquals(x, gpu.download(t, z, x.length));
    }

    @Test
    void upsampleConcatPad() {
        ElementType t = ElementType.BF16;
        int h = 3, w = 4, c = 2, oh = 7, ow = 8;
        float[] x = GpuFixture.rounded(t, GpuFixture.random(21, h * w * c));
        float[] up = new float[oh * ow * c];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                int si = Math.min((int) Math.floor(i * ((float) h / oh)), h - 1);
                int sj = Math.min((int) Math.floor(j * ((float) w / ow)), w - 1);
                for (int ch = 0; ch < c; ch++) {
                    up[(i * ow + j) * c + ch] = x[(si * w + sj) * c + ch];
                }
            }
        }
        DevicePtr dx = gpu.upload(t, x);
        DevicePtr y = gpu.alloc(up.length * 2L);
        gpu.run(LayoutKernels.upsampleNearest(y, dx, 1, h, w, c, oh, ow));
        assertArrayEquals(up, gpu.download(t, y, up.length));

        float[] b = GpuFixture.rounded(t, GpuFixture.random(22, h * w * 3));
        float[] cat = new float[h * w * 5];
        for (int p = 0; p < h * w; p++) {
            System.arraycopy(x, p * 2, cat, p * 5, 2);
            System.arraycopy(b, p * 3, cat, p * 5 + 2, 3);
        }
        DevicePtr dcat = gpu.alloc(cat.length * 2L);
        gpu.run(LayoutKernels.concatChannels(dcat, dx, gpu.upload(t, b), h * w, 2, 3));
        assertArrayEquals(cat, gpu.download(t, dcat, cat.length));

        float[] padded = new float[(h + 1) * (w + 1) * c];
        java.util.Arrays.fill(padded, -1f);
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                for (int ch = 0; ch < c; ch++) {
                    padded[(i * (w + 1) + j) * c + ch] = x[(i * w + j) * c + ch];
                }
            }
        }
        DevicePtr dpad = gpu.alloc(padded.length * 2L);
        gpu.run(LayoutKernels.pad(t, dpad, dx, 1, h, w, c, 0, 1, 0, 1, -1f));
        assertArrayEquals(padded, gpu.download(t, dpad, padded.length));
    }

    @Test
    void timestepEmbeddingMatchesDiffusers() {
        ElementType t = ElementType.F16;
        float[] ts = {999f, 0f, 500.5f};
        int dim = 320;
        int half = dim / 2;
        float[] expected = new float[ts.length * dim];
        for (int r = 0; r < ts.length; r++) {
            for (int i = 0; i < half; i++) {
                double arg = ts[r] * Math.exp(-Math.log(10000) * i / half);
                expected[r * dim + i] = (float) Math.cos(arg);
                expected[r * dim + half + i] = (float) Math.sin(arg);
            }
        }
        DevicePtr y = gpu.alloc(expected.length * 2L);
        gpu.run(EmbeddingKernels.timestep(t, y, gpu.uploadF32(ts), ts.length, dim));
        check("timestep_embedding", t, gpu.download(t, y, expected.length), expected);
    }

    @Test
    void embeddingLookup() {
        ElementType t = ElementType.BF16;
        int vocab = 50, dim = 12;
        float[] table = GpuFixture.rounded(t, GpuFixture.random(23, vocab * dim));
        int[] ids = {0, 49, 7, 7, 3};
        float[] expected = new float[ids.length * dim];
        for (int r = 0; r < ids.length; r++) {
            System.arraycopy(table, ids[r] * dim, expected, r * dim, dim);
        }
        DevicePtr dt = gpu.upload(t, table);
        DevicePtr y = gpu.alloc(expected.length * 2L);
        gpu.run(EmbeddingKernels.lookup(t, EmbeddingKernels.IdType.I32, y, dt, gpu.uploadInts(ids), ids.length, dim, vocab));
        assertArrayEquals(expected, gpu.download(t, y, expected.length));
        long[] longIds = java.util.Arrays.stream(ids).asLongStream().toArray();
        gpu.run(EmbeddingKernels.lookup(t, EmbeddingKernels.IdType.I64, y, dt, gpu.uploadLongs(longIds), ids.length, dim, vocab));
        assertArrayEquals(expected, gpu.download(t, y, expected.length));
    }

    private void attention(ElementType t, int batch, int nq, int nk, int heads, int d, boolean causal) {
        float[] q = GpuFixture.rounded(t, GpuFixture.random(30 + d, batch * nq * heads * d));
        float[] k = GpuFixture.rounded(t, GpuFixture.random(31 + d, batch * nk * heads * d));
        float[] v = GpuFixture.rounded(t, GpuFixture.random(32 + d, batch * nk * heads * d));
        DevicePtr out = gpu.alloc(q.length * 2L);
        Launch launch = AttentionKernel.plan(t, out, gpu.upload(t, q), gpu.upload(t, k), gpu.upload(t, v),
                AttentionKernel.Shape.of(batch, nq, nk, heads, d, causal));
        gpu.run(launch);
        check(launch.kernel() + " nq=" + nq + " nk=" + nk + " causal=" + causal, t, gpu.download(t, out, q.length),
                Reference.attention(q, k, v, batch, nq, nk, heads, d, causal));
    }

    @Test
    void flashAttentionHeadDim64() {
        attention(ElementType.F16, 2, 130, 130, 3, 64, false);  // self-attention, ragged tiles
        attention(ElementType.F16, 1, 200, 77, 2, 64, false);   // cross-attention with CLIP's 77 tokens
        attention(ElementType.BF16, 1, 77, 77, 2, 64, true);    // CLIP's causal text attention
    }

    @Test
    void flashAttentionOtherHeadDims() {
        attention(ElementType.F16, 1, 70, 90, 2, 40, false);
        attention(ElementType.BF16, 1, 65, 64, 1, 80, false);
        attention(ElementType.F16, 1, 64, 129, 2, 128, false);
    }

    @Test
    void genericAttention() {
        attention(ElementType.F16, 1, 40, 40, 1, 512, false);  // the VAE's single 512-wide head
        attention(ElementType.BF16, 2, 9, 20, 3, 96, false);
        attention(ElementType.F16, 1, 33, 33, 2, 32, true);
    }
}
