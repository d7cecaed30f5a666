package dev.turbojet.ops;

import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each op's output shape, and each class of bad input with the message every backend gives for it. */
class OpShapesTest {

    private static Shape s(long... dims) {
        return Shape.of(dims);
    }

    private static void rejects(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void weightsMustBeFloatingPoint() {
        TensorView f16 = new TensorView("w", DType.F16, s(3, 4), Arena.ofAuto().allocate(24), "test");
        assertEquals(s(3, 4), OpShapes.weight(f16));
        TensorView ids = new TensorView("position_ids", DType.I64, s(1, 77), Arena.ofAuto().allocate(8 * 77), "clip.safetensors");
        rejects("clip.safetensors: tensor 'position_ids' is I64, not floating point", () -> OpShapes.weight(ids));
    }

    @Test
    void conv2d() {
        assertEquals(s(2, 320, 64, 64), OpShapes.conv2d(s(2, 4, 64, 64), s(320, 4, 3, 3), s(320), 1, 1));
        assertEquals(s(1, 8, 4, 4), OpShapes.conv2d(s(1, 3, 8, 7), s(8, 3, 3, 3), null, 2, 1));  // (8 + 2 - 3) / 2 + 1, (7 + 2 - 3) / 2 + 1
        assertEquals(s(1, 8, 1, 1), OpShapes.conv2d(s(1, 3, 2, 2), s(8, 3, 2, 2), null, 1, 0));
        rejects("conv2d: x [1, 3, 4, 4] and weight [2, 4, 3, 3] must be [N, Cin, H, W] and [Cout, Cin, kh, kw]",
                () -> OpShapes.conv2d(s(1, 3, 4, 4), s(2, 4, 3, 3), null, 1, 1));
        rejects("conv2d: x [3, 4, 4] and weight [2, 3, 3, 3] must be [N, Cin, H, W] and [Cout, Cin, kh, kw]",
                () -> OpShapes.conv2d(s(3, 4, 4), s(2, 3, 3, 3), null, 1, 1));
        rejects("conv2d: stride 0 must be >= 1 and padding 1 >= 0", () -> OpShapes.conv2d(s(1, 3, 4, 4), s(2, 3, 3, 3), null, 0, 1));
        rejects("conv2d: stride 1 must be >= 1 and padding -1 >= 0", () -> OpShapes.conv2d(s(1, 3, 4, 4), s(2, 3, 3, 3), null, 1, -1));
        rejects("conv2d: bias [3] must be [2]", () -> OpShapes.conv2d(s(1, 3, 4, 4), s(2, 3, 3, 3), s(3), 1, 1));
        rejects("conv2d: kernel 5x5 larger than padded input [1, 3, 2, 2]", () -> OpShapes.conv2d(s(1, 3, 2, 2), s(2, 3, 5, 5), null, 1, 1));
    }

    @Test
    void linear() {
        assertEquals(s(2, 77, 1280), OpShapes.linear(s(2, 77, 768), s(1280, 768), s(1280)));
        assertEquals(s(2, 5), OpShapes.linear(s(2, 3), s(5, 3), null));
        rejects("linear: x [2, 3] does not match weight [4, 5] ([out, in])", () -> OpShapes.linear(s(2, 3), s(4, 5), null));
        rejects("linear: x [2, 3] does not match weight [4, 3, 1] ([out, in])", () -> OpShapes.linear(s(2, 3), s(4, 3, 1), null));
        rejects("linear: x [] does not match weight [4, 3] ([out, in])", () -> OpShapes.linear(s(), s(4, 3), null));
        rejects("linear: bias [3] must be [4]", () -> OpShapes.linear(s(2, 3), s(4, 3), s(3)));
    }

    @Test
    void norms() {
        assertEquals(s(2, 64, 8, 8), OpShapes.groupNorm(s(2, 64, 8, 8), s(64), s(64), 32));
        assertEquals(s(2, 64), OpShapes.groupNorm(s(2, 64), s(64), s(64), 32));
        rejects("groupNorm: x [64] must be [N, C, *spatial]", () -> OpShapes.groupNorm(s(64), s(64), s(64), 32));
        rejects("groupNorm: 6 channels of x [1, 6, 2] do not split into 4 groups", () -> OpShapes.groupNorm(s(1, 6, 2), s(6), s(6), 4));
        rejects("groupNorm: 6 channels of x [1, 6, 2] do not split into 0 groups", () -> OpShapes.groupNorm(s(1, 6, 2), s(6), s(6), 0));
        rejects("groupNorm: gamma [6] and beta [5] must be [6] for x [1, 6, 2]", () -> OpShapes.groupNorm(s(1, 6, 2), s(6), s(5), 3));
        assertEquals(s(2, 77, 768), OpShapes.layerNorm(s(2, 77, 768), s(768), s(768)));
        rejects("layerNorm: x [] has no feature dim", () -> OpShapes.layerNorm(s(), s(1), s(1)));
        rejects("layerNorm: gamma [8] and beta [8] must be [768] for x [2, 768]", () -> OpShapes.layerNorm(s(2, 768), s(8), s(8)));
    }

    @Test
    void attention() {
        assertEquals(s(2, 4096, 640), OpShapes.attention(s(2, 4096, 640), s(2, 77, 640), s(2, 77, 640), 10));
        String need = " heads; need q [B, Nq, heads*d], k = v [B, Nk, heads*d]";
        rejects("attention: q [1, 4, 6], k [1, 5, 6], v [1, 5, 7] with 2" + need,
                () -> OpShapes.attention(s(1, 4, 6), s(1, 5, 6), s(1, 5, 7), 2));
        rejects("attention: q [1, 4, 6], k [2, 5, 6], v [2, 5, 6] with 2" + need,
                () -> OpShapes.attention(s(1, 4, 6), s(2, 5, 6), s(2, 5, 6), 2));
        rejects("attention: q [1, 4, 6], k [1, 5, 8], v [1, 5, 8] with 2" + need,
                () -> OpShapes.attention(s(1, 4, 6), s(1, 5, 8), s(1, 5, 8), 2));
        rejects("attention: q [1, 4, 6], k [1, 5, 6], v [1, 5, 6] with 4" + need,
                () -> OpShapes.attention(s(1, 4, 6), s(1, 5, 6), s(1, 5, 6), 4));
        rejects("attention: q [4, 6], k [5, 6], v [5, 6] with 1" + need, () -> OpShapes.attention(s(4, 6), s(5, 6), s(5, 6), 1));
        rejects("attention: q [1, 4, 6], k [1, 5, 6], v [1, 5, 6] with 0" + need,
                () -> OpShapes.attention(s(1, 4, 6), s(1, 5, 6), s(1, 5, 6), 0));
    }

    @Test
    void pointwise() {
        assertEquals(s(2, 3, 4), OpShapes.activation(s(2, 3, 4)));
        assertEquals(s(2, 3, 4), OpShapes.affine(s(2, 3, 4)));
        assertEquals(s(2, 4096, 1280), OpShapes.geglu(s(2, 4096, 2560)));
        rejects("geglu: last dim of x [2, 5] must be even", () -> OpShapes.geglu(s(2, 5)));
        rejects("geglu: last dim of x [] must be even", () -> OpShapes.geglu(s()));
        assertEquals(s(2, 3, 4, 4), OpShapes.add(s(2, 3, 4, 4), s(2, 3, 4, 4)));
        assertEquals(s(2, 3, 4, 4), OpShapes.add(s(2, 3, 4, 4), s(3, 1, 1)));
        assertEquals(s(2, 3, 4, 4), OpShapes.mul(s(2, 3, 4, 4), s(2, 1, 1, 1)));
        assertEquals(s(4, 5), OpShapes.mul(s(4, 5), s()));
        rejects("add: [3] does not broadcast to [2, 4]", () -> OpShapes.add(s(2, 4), s(3)));
        rejects("add: [1, 4] does not broadcast to [4]", () -> OpShapes.add(s(4), s(1, 4)));
        rejects("mul: [3, 1] does not broadcast to [2, 4]", () -> OpShapes.mul(s(2, 4), s(3, 1)));
        assertEquals(s(2, 320, 8, 8), OpShapes.addChannelVector(s(2, 320, 8, 8), s(2, 320)));
        rejects("addChannelVector: v [3] must be [N, C] for x [1, 3, 4, 4]", () -> OpShapes.addChannelVector(s(1, 3, 4, 4), s(3)));
        rejects("addChannelVector: v [1] must be [N, C] for x [3]", () -> OpShapes.addChannelVector(s(3), s(1)));
    }

    @Test
    void shapeOps() {
        assertEquals(s(6, 4), OpShapes.reshape(s(2, 3, 4), s(6, 4)));
        rejects("reshape: [2, 12] has 24 elements, [5, 5] needs 25", () -> OpShapes.reshape(s(2, 12), s(5, 5)));
        assertEquals(s(4, 2, 3), OpShapes.permute(s(2, 3, 4), 2, 0, 1));
        rejects("permute: [0, 0] is not a permutation of the dims of [2, 3]", () -> OpShapes.permute(s(2, 3), 0, 0));
        rejects("permute: [0, 2] is not a permutation of the dims of [2, 3]", () -> OpShapes.permute(s(2, 3), 0, 2));
        rejects("permute: [0] is not a permutation of the dims of [2, 3]", () -> OpShapes.permute(s(2, 3), 0));
        assertEquals(s(2, 7, 4), OpShapes.concat(1, s(2, 3, 4), s(2, 4, 4)));
        assertEquals(s(2, 3, 9), OpShapes.concat(-1, s(2, 3, 4), s(2, 3, 5)));
        rejects("concat: no tensors", () -> OpShapes.concat(0));
        rejects("concat: dim 2 out of range for [2, 3]", () -> OpShapes.concat(2, s(2, 3), s(2, 3)));
        rejects("concat: shapes [2, 3], [3, 3] differ outside dim 1", () -> OpShapes.concat(1, s(2, 3), s(3, 3)));
        rejects("concat: shapes [2, 3], [2, 3, 1] differ outside dim 0", () -> OpShapes.concat(0, s(2, 3), s(2, 3, 1)));
        assertEquals(s(2, 2, 4), OpShapes.slice(s(2, 5, 4), 1, 1, 3));
        assertEquals(s(2, 5, 0), OpShapes.slice(s(2, 5, 4), -1, 4, 4));
        rejects("slice: [2:4] along dim 1 is outside [4, 3]", () -> OpShapes.slice(s(4, 3), 1, 2, 4));
        rejects("slice: [2:1] along dim 0 is outside [4, 3]", () -> OpShapes.slice(s(4, 3), 0, 2, 1));
        rejects("slice: [-1:1] along dim 0 is outside [4, 3]", () -> OpShapes.slice(s(4, 3), 0, -1, 1));
        rejects("slice: [0:1] along dim 2 is outside [4, 3]", () -> OpShapes.slice(s(4, 3), 2, 0, 1));
        assertEquals(s(1, 4, 16, 12), OpShapes.upsampleNearest(s(1, 4, 8, 6), 16, 12));
        rejects("upsampleNearest: x [4, 8, 6] must be [N, C, H, W] and the size 16x12 positive",
                () -> OpShapes.upsampleNearest(s(4, 8, 6), 16, 12));
        rejects("upsampleNearest: x [1, 4, 8, 6] must be [N, C, H, W] and the size 0x12 positive",
                () -> OpShapes.upsampleNearest(s(1, 4, 8, 6), 0, 12));
        assertEquals(s(1, 4, 9, 7), OpShapes.pad2d(s(1, 4, 8, 6), 0, 1, 0, 1));
        assertEquals(s(1, 4, 12, 9), OpShapes.pad2d(s(1, 4, 8, 6), 1, 2, 3, 1));
        rejects("pad2d: x [1, 4, 8, 6] must be [N, C, H, W] and the padding (0, -1, 0, 1) non-negative",
                () -> OpShapes.pad2d(s(1, 4, 8, 6), 0, -1, 0, 1));
        rejects("pad2d: x [4, 8, 6] must be [N, C, H, W] and the padding (0, 1, 0, 1) non-negative",
                () -> OpShapes.pad2d(s(4, 8, 6), 0, 1, 0, 1));
    }

    @Test
    void embeddings() {
        assertEquals(s(2, 320), OpShapes.timestepEmbedding(2, 320));
        rejects("timestepEmbedding: dim 0 and 2 timesteps must be positive", () -> OpShapes.timestepEmbedding(2, 0));
        rejects("timestepEmbedding: dim 320 and 0 timesteps must be positive", () -> OpShapes.timestepEmbedding(0, 320));
        assertEquals(s(2, 3, 8), OpShapes.embedding(s(10, 8), new int[][] {{1, 2, 3}, {9, 0, 0}}));
        rejects("embedding: table [10] must be [V, C] and ids non-empty", () -> OpShapes.embedding(s(10), new int[][] {{1}}));
        rejects("embedding: table [10, 8] must be [V, C] and ids non-empty", () -> OpShapes.embedding(s(10, 8), new int[0][]));
        rejects("embedding: id row 1 has 2 ids, row 0 has 3", () -> OpShapes.embedding(s(10, 8), new int[][] {{1, 2, 3}, {1, 2}}));
        rejects("embedding: id 10 at [0, 1] outside [0, 10)", () -> OpShapes.embedding(s(10, 8), new int[][] {{1, 10}}));
        rejects("embedding: id -1 at [1, 0] outside [0, 10)", () -> OpShapes.embedding(s(10, 8), new int[][] {{1}, {-1}}));
        assertEquals(s(2, 1280), OpShapes.gatherRows(s(2, 77, 1280), new int[] {5, 76}));
        rejects("gatherRows: x [2, 77, 1280] must be [B, T, C] with B = 1 indices", () -> OpShapes.gatherRows(s(2, 77, 1280), new int[] {5}));
        rejects("gatherRows: x [2, 1280] must be [B, T, C] with B = 2 indices", () -> OpShapes.gatherRows(s(2, 1280), new int[] {5, 6}));
        rejects("gatherRows: index 77 of row 1 outside [0, 77)", () -> OpShapes.gatherRows(s(2, 77, 8), new int[] {5, 77}));
    }

    @Test
    void timestepEmbeddingsFollowDiffusers() {
        // half = 2, freq = exp(-ln(10000) * i / 2): 1 and 0.01; t = 100 -> args 100 and 1
        float[] e = TimestepEmbeddings.compute(new float[] {0f, 100f}, 5, true, 0f, 10000f);
        float[] expected = {1f, 1f, 0f, 0f, 0f,
                (float) Math.cos(100f), (float) Math.cos(1f), (float) Math.sin(100f), (float) Math.sin(1f), 0f};
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], e[i], 1e-6f, "element " + i);
        // downscale_freq_shift 1: freq = exp(-ln(10000) * i / (half - 1)) = 1, 1e-4; [sin, cos] order
        float[] shifted = TimestepEmbeddings.compute(new float[] {2f}, 4, false, 1f, 10000f);
        assertEquals((float) Math.sin(2f), shifted[0], 1e-6f);
        assertEquals((float) Math.sin(2e-4f), shifted[1], 1e-6f);
        assertEquals((float) Math.cos(2f), shifted[2], 1e-6f);
        assertEquals((float) Math.cos(2e-4f), shifted[3], 1e-6f);
    }
}
