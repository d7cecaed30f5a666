package dev.turbojet.ops.cpu;

import dev.turbojet.io.TensorView;
import dev.turbojet.ops.Act;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.verify.Comparison;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Every CpuOps method against the plain fp64 definitions in {@link Reference}. */
class CpuOpsTest {
    /** fp32 result vs fp64 reference on random data: relErr = ||a - e|| / ||e||. */
    static final double FP32_REL_TOL = 1e-5;
    /** Ops that only move data must be exact. */
    static final double EXACT = 0;

    private final CpuOps ops = new CpuOps(2);
    private final Random rnd = new Random(1234);

    static void check(String op, HostTensor actual, Shape shape, double[] expected, double tol) {
        assertEquals(shape, actual.shape(), op + ": shape");
        float[] e = new float[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = (float) expected[i];
        Comparison c = Comparison.of(op, actual, new HostTensor(shape, e));
        assertTrue(c.withinRelative(tol), () -> c.summary() + " exceeds relErr " + tol + ";" + c.firstMismatches());
    }

    private HostTensor run(Tensor t) {
        return ops.download(t);
    }

    private Tensor up(HostTensor h) {
        return ops.upload(h);
    }

    // ---- convolution and linear ----------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(CpuOps.Simd.class)
    void conv2dMatchesReference(CpuOps.Simd simd) {
        CpuOps ops = new CpuOps(2, simd);
        int[][] cases = { // n, cin, h, w, cout, kh, kw, stride, pad, bias
                {1, 3, 5, 7, 4, 3, 3, 1, 1, 1},
                {2, 5, 9, 8, 6, 1, 1, 1, 0, 1},
                {1, 4, 9, 9, 3, 3, 3, 2, 1, 1},
                {1, 4, 8, 10, 3, 3, 3, 2, 0, 0},
                {1, 2, 6, 5, 3, 2, 3, 1, 0, 1},
                {1, 17, 13, 11, 19, 3, 3, 1, 1, 1},
                {2, 33, 20, 18, 40, 3, 3, 1, 1, 0},
                {1, 1, 1, 1, 1, 1, 1, 1, 0, 1},
                {1, 3, 4, 4, 2, 5, 5, 1, 2, 1},
                {1, 40, 40, 30, 24, 3, 3, 1, 1, 1},
                {2, 7, 33, 35, 5, 3, 3, 2, 1, 1},
        };
        for (int[] c : cases) {
            HostTensor x = Reference.random(rnd, c[0], c[1], c[2], c[3]);
            HostTensor w = Reference.random(rnd, c[4], c[1], c[5], c[6]);
            HostTensor b = c[9] == 1 ? Reference.random(rnd, c[4]) : null;
            int ho = (c[2] + 2 * c[8] - c[5]) / c[7] + 1, wo = (c[3] + 2 * c[8] - c[6]) / c[7] + 1;
            HostTensor y = run(ops.conv2d(up(x), up(w), b == null ? null : up(b), c[7], c[8]));
            check("conv2d " + simd + " x" + x.shape() + " w" + w.shape() + " s" + c[7] + " p" + c[8], y,
                    Shape.of(c[0], c[4], ho, wo), Reference.conv2d(x, w, b, c[7], c[8]), FP32_REL_TOL);
        }
    }

    @ParameterizedTest
    @EnumSource(CpuOps.Simd.class)
    void linearMatchesReference(CpuOps.Simd simd) {
        CpuOps ops = new CpuOps(2, simd);
        int[][] cases = { // leading dims..., in, out, bias
                {7, 13, 5, 1}, {2, 3, 33, 17, 0}, {1, 1, 1, 1}, {3, 37, 70, 45, 1}, {130, 257, 129, 1}, {1, 77, 768, 64, 1},
                {20, 400, 900, 1},
        };
        for (int[] c : cases) {
            int in = c[c.length - 3], out = c[c.length - 2];
            int[] xd = java.util.Arrays.copyOf(c, c.length - 2);
            HostTensor x = Reference.random(rnd, xd);
            HostTensor w = Reference.random(rnd, out, in);
            HostTensor b = c[c.length - 1] == 1 ? Reference.random(rnd, out) : null;
            int[] yd = xd.clone();
            yd[yd.length - 1] = out;
            HostTensor y = run(ops.linear(up(x), up(w), b == null ? null : up(b)));
            check("linear " + simd + " x" + x.shape() + " w" + w.shape(), y, Shape.of(yd), Reference.linear(x, w, b), FP32_REL_TOL);
        }
    }

    // ---- normalisation -------------------------------------------------------------------------

    @Test
    void groupNormMatchesReference() {
        int[][] cases = {{2, 6, 5, 3, 3}, {1, 32, 4, 4, 32}, {2, 4, 7, 0, 2}, {1, 64, 9, 7, 32}};
        for (int[] c : cases) {
            HostTensor x = c[3] == 0 ? Reference.random(rnd, c[0], c[1], c[2]) : Reference.random(rnd, c[0], c[1], c[2], c[3]);
            x = shifted(x, 3.0f);
            HostTensor g = Reference.random(rnd, c[1]), b = Reference.random(rnd, c[1]);
            for (Act act : new Act[]{Act.NONE, Act.SILU}) {
                HostTensor y = run(ops.groupNorm(up(x), up(g), up(b), c[4], 1e-5f, act));
                check("groupNorm " + act + " x" + x.shape() + " groups " + c[4], y, x.shape(),
                        Reference.groupNorm(x, g, b, c[4], 1e-5f, act == Act.SILU), FP32_REL_TOL);
            }
        }
    }

    @Test
    void layerNormMatchesReference() {
        int[][] cases = {{3, 5, 17}, {1, 77, 768}, {4, 1}, {2, 2, 33}};
        for (int[] c : cases) {
            HostTensor x = shifted(Reference.random(rnd, c), -2.0f);
            int ch = c[c.length - 1];
            HostTensor g = Reference.random(rnd, ch), b = Reference.random(rnd, ch);
            HostTensor y = run(ops.layerNorm(up(x), up(g), up(b), 1e-5f));
            check("layerNorm x" + x.shape(), y, x.shape(), Reference.layerNorm(x, g, b, 1e-5f), FP32_REL_TOL);
        }
    }

    private static HostTensor shifted(HostTensor x, float by) {
        float[] d = x.data().clone();
        for (int i = 0; i < d.length; i++) d[i] += by;
        return new HostTensor(x.shape(), d);
    }

    // ---- attention -----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(CpuOps.Simd.class)
    void attentionMatchesReference(CpuOps.Simd simd) {
        CpuOps ops = new CpuOps(2, simd);
        int[][] cases = { // b, nq, nk, heads, d, causal
                {2, 5, 7, 3, 4, 0}, {1, 9, 9, 2, 8, 1}, {1, 33, 20, 1, 64, 0}, {2, 77, 77, 4, 16, 1},
                {1, 1, 1, 1, 1, 0}, {1, 70, 77, 2, 40, 0}, {1, 130, 130, 1, 17, 1},
        };
        for (int[] c : cases) {
            int width = c[3] * c[4];
            HostTensor q = Reference.random(rnd, c[0], c[1], width);
            HostTensor k = Reference.random(rnd, c[0], c[2], width);
            HostTensor v = Reference.random(rnd, c[0], c[2], width);
            boolean causal = c[5] == 1;
            HostTensor y = run(ops.attention(up(q), up(k), up(v), c[3], causal));
            check("attention " + simd + " q" + q.shape() + " k" + k.shape() + " heads " + c[3] + (causal ? " causal" : ""), y,
                    q.shape(), Reference.attention(q, k, v, c[3], causal), FP32_REL_TOL);
        }
    }

    // ---- pointwise -----------------------------------------------------------------------------

    @Test
    void activationsMatchReference() {
        HostTensor x = Reference.random(rnd, 3, 7, 23);
        float[] xd = x.data();
        for (int i = 0; i < xd.length; i++) xd[i] *= 3;
        for (Act act : Act.values()) {
            double[] e = new double[xd.length];
            for (int i = 0; i < e.length; i++) {
                double v = xd[i];
                e[i] = switch (act) {
                    case NONE -> v;
                    case SILU -> v / (1 + Math.exp(-v));
                    case GELU -> Reference.gelu(v);
                    case QUICK_GELU -> v / (1 + Math.exp(-1.702 * v));
                    case RELU -> Math.max(v, 0);
                    case TANH -> Math.tanh(v);
                };
            }
            check("activation " + act, run(ops.activation(up(x), act)), x.shape(), e, FP32_REL_TOL);
        }
        check("silu", run(ops.silu(up(x))), x.shape(), toDouble(run(ops.activation(up(x), Act.SILU))), EXACT);
    }

    @Test
    void erfMatchesKnownValues() {
        double[][] known = { // x, erf(x)
                {0, 0}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
                {1.5, 0.9661051464753108}, {2, 0.9953222650189527}, {2.9, 0.9999589021219005},
                {3, 0.9999779095030014}, {3.5, 0.9999992569016276}, {-1, -0.8427007929497149}, {-0.25, -0.2763263901682369},
        };
        for (double[] k : known) assertEquals(k[1], Erf.erf(k[0]), 1e-14 + 1e-12 * Math.abs(k[1]), "erf(" + k[0] + ")");
        double[][] tails = {{3, 2.209049699858544e-05}, {4, 1.541725790028002e-08}, {5, 1.537459794428035e-12}, {2, 4.677734981047266e-03}};
        for (double[] k : tails) assertEquals(k[1], Erf.erfc(k[0]), 1e-10 * k[1], "erfc(" + k[0] + ")");
    }

    @Test
    void erfTableMatchesTheDefinition() {
        double worst = 0;
        for (int i = -45000; i <= 45000; i++) {
            double x = i * 1e-4 * 0.99999;
            worst = Math.max(worst, Math.abs(Erf.fast(x) - Erf.erf(x)));
        }
        assertTrue(worst < 1e-12, "erf table max |diff| " + worst); // float needs 6e-8
        // Simpson's 1 + erf cancels below x = -5; the far tail is checked against known values.
        for (int i = -400; i <= 1000; i++) {
            float x = i * 0.0123f;
            double want = Reference.gelu(x);
            assertEquals(want, Pointwise.gelu(x), 1.5e-7 * Math.abs(want) + 1e-30, "gelu(" + x + ")");
        }
    }

    @Test
    void geluMatchesKnownValues() {
        double[][] known = { // x, 0.5 x (1 + erf(x / sqrt 2))
                {1, 0.8413447460685429}, {-1, -0.15865525393145707}, {2, 1.9544997361036416},
                {-3, -0.0040496940948903}, {0.5, 0.3457312306200373}, {-6, -5.919525870226207e-09}, {-10, -7.619853024160593e-23},
        };
        for (double[] k : known) {
            float g = Pointwise.gelu((float) k[0]);
            // 1 + erf(z) cancels for z near -4.5: ~1e-15 absolute, far below what fp32 activations resolve
            assertEquals(k[1], g, 2e-7 * Math.abs(k[1]) + 1e-14, "gelu(" + k[0] + ")");
        }
    }

    @Test
    void gegluMatchesReference() {
        HostTensor x = Reference.random(rnd, 2, 5, 2 * 19);
        double[] e = new double[2 * 5 * 19];
        for (int r = 0; r < 10; r++)
            for (int i = 0; i < 19; i++) e[r * 19 + i] = x.data()[r * 38 + i] * Reference.gelu(x.data()[r * 38 + 19 + i]);
        check("geglu", run(ops.geglu(up(x))), Shape.of(2, 5, 19), e, FP32_REL_TOL);
    }

    @Test
    void addAndMulBroadcast() {
        HostTensor a = Reference.random(rnd, 2, 3, 4);
        int[][] bShapes = {{2, 3, 4}, {4}, {3, 1}, {2, 1, 4}, {1}, {1, 3, 4}, {2, 3, 1}};
        for (int[] bs : bShapes) {
            HostTensor b = Reference.random(rnd, bs);
            double[] sum = new double[24], prod = new double[24];
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++)
                    for (int k = 0; k < 4; k++) {
                        double bv = b.data()[bIndex(bs, i, j, k)];
                        int ai = (i * 3 + j) * 4 + k;
                        sum[ai] = a.data()[ai] + bv;
                        prod[ai] = a.data()[ai] * bv;
                    }
            check("add b" + b.shape(), run(ops.add(up(a), up(b))), a.shape(), sum, 1e-7);
            check("mul b" + b.shape(), run(ops.mul(up(a), up(b))), a.shape(), prod, 1e-7);
        }
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> ops.add(up(a), up(Reference.random(rnd, 3))));
        assertTrue(ex.getMessage().contains("add") && ex.getMessage().contains("[3]"), ex.getMessage());
    }

    /** b's flat index for a's index (i, j, k) under numpy broadcasting of b's dims to [2, 3, 4]. */
    private static int bIndex(int[] bs, int i, int j, int k) {
        int[] idx = {i, j, k};
        int off = 3 - bs.length, flat = 0;
        for (int d = 0; d < bs.length; d++) flat = flat * bs[d] + (bs[d] == 1 ? 0 : idx[d + off]);
        return flat;
    }

    @Test
    void affineAndScale() {
        HostTensor x = Reference.random(rnd, 5, 11);
        double[] e = new double[55], s = new double[55];
        for (int i = 0; i < 55; i++) {
            e[i] = x.data()[i] * 0.18215 + 0.5;
            s[i] = x.data()[i] * -2.0;
        }
        check("affine", run(ops.affine(up(x), 0.18215f, 0.5f)), x.shape(), e, 1e-7);
        check("scale", run(ops.scale(up(x), -2f)), x.shape(), s, EXACT);
    }

    @Test
    void addChannelVector() {
        HostTensor x = Reference.random(rnd, 2, 3, 4, 5), v = Reference.random(rnd, 2, 3);
        double[] e = new double[x.data().length];
        for (int i = 0; i < e.length; i++) e[i] = x.data()[i] + v.data()[i / 20];
        check("addChannelVector", run(ops.addChannelVector(up(x), up(v))), x.shape(), e, EXACT);
        assertThrows(IllegalArgumentException.class, () -> ops.addChannelVector(up(x), up(Reference.random(rnd, 3))));
    }

    // ---- shape ---------------------------------------------------------------------------------

    @Test
    void reshapeKeepsOrder() {
        HostTensor x = Reference.random(rnd, 2, 3, 4);
        HostTensor y = run(ops.reshape(up(x), Shape.of(4, 6)));
        check("reshape", y, Shape.of(4, 6), toDouble(x), EXACT);
        assertThrows(IllegalArgumentException.class, () -> ops.reshape(up(x), Shape.of(5, 5)));
    }

    @Test
    void permuteMatchesIndexing() {
        HostTensor x = Reference.random(rnd, 2, 3, 4, 5);
        int[] perm = {0, 2, 3, 1};
        double[] e = new double[120];
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 3; b++)
                for (int c = 0; c < 4; c++)
                    for (int d = 0; d < 5; d++) e[((a * 4 + c) * 5 + d) * 3 + b] = x.data()[((a * 3 + b) * 4 + c) * 5 + d];
        check("permute 0231", run(ops.permute(up(x), perm)), Shape.of(2, 4, 5, 3), e, EXACT);
        HostTensor m = Reference.random(rnd, 7, 9);
        double[] t = new double[63];
        for (int i = 0; i < 7; i++) for (int j = 0; j < 9; j++) t[j * 7 + i] = m.data()[i * 9 + j];
        check("permute 10", run(ops.permute(up(m), 1, 0)), Shape.of(9, 7), t, EXACT);
        assertThrows(IllegalArgumentException.class, () -> ops.permute(up(m), 0, 0));
    }

    @Test
    void concatAndSlice() {
        HostTensor a = Reference.random(rnd, 2, 3, 4), b = Reference.random(rnd, 2, 5, 4);
        Tensor cat = ops.concat(1, up(a), up(b));
        assertEquals(Shape.of(2, 8, 4), cat.shape());
        HostTensor c = run(cat);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 8; j++)
                for (int k = 0; k < 4; k++) {
                    float want = j < 3 ? a.data()[(i * 3 + j) * 4 + k] : b.data()[(i * 5 + j - 3) * 4 + k];
                    assertEquals(want, c.data()[(i * 8 + j) * 4 + k]);
                }
        check("slice back a", run(ops.slice(cat, 1, 0, 3)), a.shape(), toDouble(a), EXACT);
        check("slice back b", run(ops.slice(cat, 1, 3, 8)), b.shape(), toDouble(b), EXACT);
        HostTensor last = run(ops.concat(-1, up(a), up(a)));
        assertEquals(Shape.of(2, 3, 8), last.shape());
        check("slice last dim", run(ops.slice(up(last), -1, 4, 8)), a.shape(), toDouble(a), EXACT);
        check("concat dim 0", run(ops.slice(ops.concat(0, up(a), up(a)), 0, 2, 4)), a.shape(), toDouble(a), EXACT);
        assertThrows(IllegalArgumentException.class, () -> ops.concat(0, up(a), up(b)));
        assertThrows(IllegalArgumentException.class, () -> ops.slice(up(a), 1, 2, 4));
    }

    @Test
    void upsampleNearestAsPyTorch() {
        HostTensor x = Reference.random(rnd, 1, 2, 3, 4);
        for (int[] size : new int[][]{{6, 8}, {5, 7}, {3, 4}, {2, 2}}) {
            int oh = size[0], ow = size[1];
            double[] e = new double[2 * oh * ow];
            for (int c = 0; c < 2; c++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++) {
                        int sy = Math.min((int) Math.floor(y * (3.0f / oh)), 2), sx = Math.min((int) Math.floor(xx * (4.0f / ow)), 3);
                        e[(c * oh + y) * ow + xx] = x.data()[(c * 3 + sy) * 4 + sx];
                    }
            check("upsampleNearest to " + oh + "x" + ow, run(ops.upsampleNearest(up(x), oh, ow)), Shape.of(1, 2, oh, ow), e, EXACT);
        }
    }

    @Test
    void pad2dZeroPads() {
        HostTensor x = Reference.random(rnd, 2, 1, 2, 3);
        HostTensor y = run(ops.pad2d(up(x), 0, 1, 0, 1));
        assertEquals(Shape.of(2, 1, 3, 4), y.shape());
        for (int n = 0; n < 2; n++)
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 4; c++) {
                    float want = r < 2 && c < 3 ? x.data()[(n * 2 + r) * 3 + c] : 0f;
                    assertEquals(want, y.data()[(n * 3 + r) * 4 + c]);
                }
        HostTensor z = run(ops.pad2d(up(x), 2, 1, 1, 3));
        assertEquals(Shape.of(2, 1, 6, 6), z.shape());
        assertEquals(x.data()[4], z.data()[(1 + 1) * 6 + 2 + 1]);
    }

    // ---- embeddings ----------------------------------------------------------------------------

    @Test
    void timestepEmbeddingByHand() {
        // dim 4, half 2, shift 1: freq = exp(-ln(10000) * [0, 1] / 1) = [1, 1e-4]
        HostTensor e = run(ops.timestepEmbedding(new float[]{0f, 999f}, 4, true, 1f, 10000f));
        double[] want = {1, 1, 0, 0, Math.cos(999), Math.cos(0.0999), Math.sin(999), Math.sin(0.0999)};
        check("timestepEmbedding flip", e, Shape.of(2, 4), want, 1e-6);
        // dim 6, half 3, shift 0: freq = exp(-ln(10000) * [0, 1, 2] / 3)
        HostTensor s = run(ops.timestepEmbedding(new float[]{10f}, 6, false, 0f, 10000f));
        double f1 = Math.pow(10000, -1.0 / 3), f2 = Math.pow(10000, -2.0 / 3);
        double[] want2 = {Math.sin(10), Math.sin(10 * f1), Math.sin(10 * f2), Math.cos(10), Math.cos(10 * f1), Math.cos(10 * f2)};
        check("timestepEmbedding sin-cos", s, Shape.of(1, 6), want2, 1e-6);
        // odd dim: one zero column at the end
        HostTensor o = run(ops.timestepEmbedding(new float[]{3f}, 5, true, 1f, 10000f));
        double[] want3 = {Math.cos(3), Math.cos(3e-4), Math.sin(3), Math.sin(3e-4), 0};
        check("timestepEmbedding odd dim", o, Shape.of(1, 5), want3, 1e-6);
    }

    @Test
    void embeddingAndGatherRows() {
        HostTensor table = Reference.random(rnd, 10, 3);
        HostTensor y = run(ops.embedding(up(table), new int[][]{{1, 9}, {0, 1}}));
        assertEquals(Shape.of(2, 2, 3), y.shape());
        int[] ids = {1, 9, 0, 1};
        for (int t = 0; t < 4; t++)
            for (int c = 0; c < 3; c++) assertEquals(table.data()[ids[t] * 3 + c], y.data()[t * 3 + c]);
        assertThrows(IllegalArgumentException.class, () -> ops.embedding(up(table), new int[][]{{10}}));

        HostTensor g = run(ops.gatherRows(ops.upload(y), new int[]{1, 0}));
        assertEquals(Shape.of(2, 3), g.shape());
        for (int c = 0; c < 3; c++) {
            assertEquals(table.data()[9 * 3 + c], g.data()[c]);
            assertEquals(table.data()[c], g.data()[3 + c]);
        }
        assertThrows(IllegalArgumentException.class, () -> ops.gatherRows(up(y), new int[]{2, 0}));
    }

    // ---- data movement and errors --------------------------------------------------------------

    @Test
    void weightWidensEveryFloatType() {
        float[] values = {1.5f, -2.25f, 0.0078125f, 65504f, -0.5f, 3f};
        try (Arena arena = Arena.ofConfined()) {
            for (DType dt : new DType[]{DType.F32, DType.F16, DType.BF16}) {
                MemorySegment seg = arena.allocate((long) values.length * dt.byteSize());
                for (int i = 0; i < values.length; i++) {
                    switch (dt) {
                        case F32 -> seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, values[i]);
                        case F16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, Float.floatToFloat16(values[i]));
                        default -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i,
                                (short) (Float.floatToRawIntBits(values[i]) >>> 16));
                    }
                }
                Tensor w = ops.weight(new TensorView("w", dt, Shape.of(2, 3), seg, "test"));
                assertEquals(DType.F32, w.dtype());
                HostTensor h = run(w);
                for (int i = 0; i < values.length; i++) {
                    float want = dt == DType.BF16 ? Float.intBitsToFloat(Float.floatToRawIntBits(values[i]) & 0xffff0000) : values[i];
                    assertEquals(want, h.data()[i], dt + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void uploadDownloadRoundTripIsACopy() {
        HostTensor x = Reference.random(rnd, 3, 4);
        Tensor t = up(x);
        float before = x.data()[0];
        x.data()[0] = 42f;
        assertEquals(before, run(t).data()[0]);
        run(t).data()[1] = 7f;
        assertNotEquals(7f, run(t).data()[1]);
    }

    @Test
    void foreignTensorsAndBadShapesAreNamed() {
        Tensor foreign = new Tensor() {
            public Shape shape() {
                return Shape.of(2, 2);
            }

            public DType dtype() {
                return DType.F16;
            }
        };
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> ops.activation(foreign, Act.SILU));
        assertTrue(ex.getMessage().contains("CpuOps"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> ops.linear(up(Reference.random(rnd, 2, 3)), up(Reference.random(rnd, 4, 5))));
        assertTrue(ex.getMessage().startsWith("linear") && ex.getMessage().contains("[2, 3]") && ex.getMessage().contains("[4, 5]"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> ops.conv2d(up(Reference.random(rnd, 1, 3, 4, 4)), up(Reference.random(rnd, 2, 4, 3, 3)), null, 1, 1));
        assertTrue(ex.getMessage().startsWith("conv2d"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> ops.attention(up(Reference.random(rnd, 1, 4, 6)), up(Reference.random(rnd, 1, 5, 6)),
                up(Reference.random(rnd, 1, 5, 6)), 4, false));
        assertTrue(ex.getMessage().startsWith("attention"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> ops.groupNorm(up(Reference.random(rnd, 1, 6, 2)), up(Reference.random(rnd, 6)),
                up(Reference.random(rnd, 6)), 4, 1e-5f, Act.NONE));
        assertTrue(ex.getMessage().startsWith("groupNorm"), ex.getMessage());
    }

    @Test
    void describeNamesThreadsAndGemmPath() {
        String best = switch (CpuOps.defaultSimd()) {
            case ONEDNN -> "cpu fp32, 2 threads, GEMM oneDNN ";
            case OPENBLAS -> "cpu fp32, 2 threads, GEMM OpenBLAS sgemm (";
            case VECTOR_API -> "cpu fp32, 2 threads, GEMM vector";
            case SCALAR -> "cpu fp32, 2 threads, GEMM scalar";
        };
        assertTrue(ops.describe().startsWith(best), ops.describe());
        if (CpuOps.oneDnnPresent()) {
            assertTrue(new CpuOps(2, CpuOps.Simd.ONEDNN).describe().matches("cpu fp32, 2 threads, GEMM oneDNN \\d+\\.\\d+\\.\\d+ sgemm \\(ISA 0x[0-9a-f]+\\).*"),
                    new CpuOps(2, CpuOps.Simd.ONEDNN).describe());
        }
        if (CpuOps.openBlasPresent()) {
            assertTrue(new CpuOps(2, CpuOps.Simd.OPENBLAS).describe().startsWith("cpu fp32, 2 threads, GEMM OpenBLAS sgemm ("));
        }
        assertTrue(new CpuOps(2, CpuOps.Simd.VECTOR_API).describe().startsWith("cpu fp32, 2 threads, GEMM vector"));
        assertTrue(new CpuOps(1, CpuOps.Simd.SCALAR).describe().startsWith("cpu fp32, 1 thread, GEMM scalar"));
    }

    private static double[] toDouble(HostTensor h) {
        double[] d = new double[h.data().length];
        for (int i = 0; i < d.length; i++) d[i] = h.data()[i];
        return d;
    }
}
