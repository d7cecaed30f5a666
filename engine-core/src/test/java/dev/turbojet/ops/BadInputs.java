package dev.turbojet.ops;

import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.function.Consumer;

/**
 * One bad input per class of the {@link OpShapes} contract, as calls on a backend, each with the
 * message every backend must reject it with. Inputs are uploaded zeros (the CPU, counting and CUDA
 * backends all upload a {@link HostTensor}), small enough for the CUDA emulator.
 */
public final class BadInputs {
    private BadInputs() {}

    /** {@code call} must throw an {@link IllegalArgumentException} whose message is {@code message}. */
    public record Case(String name, String message, Consumer<Ops> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Tensor zeros(Ops ops, long... dims) {
        return ops.upload(HostTensor.zeros(Shape.of(dims)));
    }

    public static List<Case> all() {
        String attentionNeed = " heads; need q [B, Nq, heads*d], k = v [B, Nk, heads*d]";
        return List.of(
                new Case("weight of integer type", "test.safetensors: tensor 'position_ids' is I64, not floating point",
                        ops -> ops.weight(new TensorView("position_ids", DType.I64, Shape.of(1, 4), Arena.ofAuto().allocate(32),
                                "test.safetensors"))),
                new Case("conv2d channels", "conv2d: x [1, 3, 4, 4] and weight [2, 4, 3, 3] must be [N, Cin, H, W] and [Cout, Cin, kh, kw]",
                        ops -> ops.conv2d(zeros(ops, 1, 3, 4, 4), zeros(ops, 2, 4, 3, 3), null, 1, 1)),
                new Case("conv2d stride", "conv2d: stride 0 must be >= 1 and padding 1 >= 0",
                        ops -> ops.conv2d(zeros(ops, 1, 3, 4, 4), zeros(ops, 2, 3, 3, 3), null, 0, 1)),
                new Case("conv2d bias", "conv2d: bias [3] must be [2]",
                        ops -> ops.conv2d(zeros(ops, 1, 3, 4, 4), zeros(ops, 2, 3, 3, 3), zeros(ops, 3), 1, 1)),
                new Case("conv2d kernel", "conv2d: kernel 5x5 larger than padded input [1, 3, 2, 2]",
                        ops -> ops.conv2d(zeros(ops, 1, 3, 2, 2), zeros(ops, 2, 3, 5, 5), null, 1, 1)),
                new Case("linear features", "linear: x [2, 3] does not match weight [4, 5] ([out, in])",
                        ops -> ops.linear(zeros(ops, 2, 3), zeros(ops, 4, 5))),
                new Case("linear bias", "linear: bias [3] must be [4]",
                        ops -> ops.linear(zeros(ops, 2, 3), zeros(ops, 4, 3), zeros(ops, 3))),
                new Case("groupNorm rank", "groupNorm: x [6] must be [N, C, *spatial]",
                        ops -> ops.groupNorm(zeros(ops, 6), zeros(ops, 6), zeros(ops, 6), 2, 1e-5f, Act.NONE)),
                new Case("groupNorm groups", "groupNorm: 6 channels of x [1, 6, 2] do not split into 4 groups",
                        ops -> ops.groupNorm(zeros(ops, 1, 6, 2), zeros(ops, 6), zeros(ops, 6), 4, 1e-5f, Act.SILU)),
                new Case("groupNorm affine", "groupNorm: gamma [6] and beta [5] must be [6] for x [1, 6, 2]",
                        ops -> ops.groupNorm(zeros(ops, 1, 6, 2), zeros(ops, 6), zeros(ops, 5), 3, 1e-5f, Act.NONE)),
                new Case("layerNorm affine", "layerNorm: gamma [8] and beta [8] must be [16] for x [2, 16]",
                        ops -> ops.layerNorm(zeros(ops, 2, 16), zeros(ops, 8), zeros(ops, 8), 1e-5f)),
                new Case("attention widths", "attention: q [1, 4, 6], k [1, 5, 8], v [1, 5, 8] with 2" + attentionNeed,
                        ops -> ops.attention(zeros(ops, 1, 4, 6), zeros(ops, 1, 5, 8), zeros(ops, 1, 5, 8), 2, false)),
                new Case("attention k and v", "attention: q [1, 4, 6], k [1, 5, 6], v [1, 3, 6] with 2" + attentionNeed,
                        ops -> ops.attention(zeros(ops, 1, 4, 6), zeros(ops, 1, 5, 6), zeros(ops, 1, 3, 6), 2, false)),
                new Case("attention heads", "attention: q [1, 4, 6], k [1, 5, 6], v [1, 5, 6] with 4" + attentionNeed,
                        ops -> ops.attention(zeros(ops, 1, 4, 6), zeros(ops, 1, 5, 6), zeros(ops, 1, 5, 6), 4, false)),
                new Case("geglu odd", "geglu: last dim of x [2, 5] must be even", ops -> ops.geglu(zeros(ops, 2, 5))),
                new Case("add broadcast", "add: [3] does not broadcast to [2, 4]", ops -> ops.add(zeros(ops, 2, 4), zeros(ops, 3))),
                new Case("mul rank", "mul: [1, 4] does not broadcast to [4]", ops -> ops.mul(zeros(ops, 4), zeros(ops, 1, 4))),
                new Case("addChannelVector", "addChannelVector: v [3] must be [N, C] for x [1, 3, 4, 4]",
                        ops -> ops.addChannelVector(zeros(ops, 1, 3, 4, 4), zeros(ops, 3))),
                new Case("reshape size", "reshape: [2, 12] has 24 elements, [5, 5] needs 25",
                        ops -> ops.reshape(zeros(ops, 2, 12), Shape.of(5, 5))),
                new Case("permute repeat", "permute: [0, 0] is not a permutation of the dims of [2, 3]",
                        ops -> ops.permute(zeros(ops, 2, 3), 0, 0)),
                new Case("permute rank", "permute: [1, 0, 2] is not a permutation of the dims of [2, 3]",
                        ops -> ops.permute(zeros(ops, 2, 3), 1, 0, 2)),
                new Case("concat none", "concat: no tensors", ops -> ops.concat(0)),
                new Case("concat dim", "concat: dim 2 out of range for [2, 3]", ops -> ops.concat(2, zeros(ops, 2, 3), zeros(ops, 2, 3))),
                new Case("concat shapes", "concat: shapes [2, 3], [3, 3] differ outside dim 1",
                        ops -> ops.concat(1, zeros(ops, 2, 3), zeros(ops, 3, 3))),
                new Case("slice range", "slice: [2:4] along dim 1 is outside [4, 3]", ops -> ops.slice(zeros(ops, 4, 3), 1, 2, 4)),
                new Case("slice dim", "slice: [0:1] along dim -3 is outside [4, 3]", ops -> ops.slice(zeros(ops, 4, 3), -3, 0, 1)),
                new Case("upsampleNearest size", "upsampleNearest: x [1, 4, 8, 6] must be [N, C, H, W] and the size 0x12 positive",
                        ops -> ops.upsampleNearest(zeros(ops, 1, 4, 8, 6), 0, 12)),
                new Case("pad2d negative", "pad2d: x [1, 4, 8, 6] must be [N, C, H, W] and the padding (0, -1, 0, 1) non-negative",
                        ops -> ops.pad2d(zeros(ops, 1, 4, 8, 6), 0, -1, 0, 1)),
                new Case("timestepEmbedding dim", "timestepEmbedding: dim 0 and 2 timesteps must be positive",
                        ops -> ops.timestepEmbedding(new float[] {1f, 2f}, 0, true, 0f, 10000f)),
                new Case("timestepEmbedding none", "timestepEmbedding: dim 320 and 0 timesteps must be positive",
                        ops -> ops.timestepEmbedding(new float[0], 320, true, 0f, 10000f)),
                new Case("embedding table", "embedding: table [10] must be [V, C] and ids non-empty",
                        ops -> ops.embedding(zeros(ops, 10), new int[][] {{1}})),
                new Case("embedding ragged", "embedding: id row 1 has 2 ids, row 0 has 3",
                        ops -> ops.embedding(zeros(ops, 10, 8), new int[][] {{1, 2, 3}, {1, 2}})),
                new Case("embedding id", "embedding: id 10 at [0, 1] outside [0, 10)",
                        ops -> ops.embedding(zeros(ops, 10, 8), new int[][] {{1, 10}})),
                new Case("gatherRows batch", "gatherRows: x [2, 7, 8] must be [B, T, C] with B = 1 indices",
                        ops -> ops.gatherRows(zeros(ops, 2, 7, 8), new int[] {5})),
                new Case("gatherRows index", "gatherRows: index 7 of row 1 outside [0, 7)",
                        ops -> ops.gatherRows(zeros(ops, 2, 7, 8), new int[] {5, 7})));
    }

    /** The message {@code ops} rejects {@code c} with, or a failure naming what it did instead. */
    public static String messageOf(Ops ops, Case c) {
        try {
            c.call().accept(ops);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError(c.name() + ": " + ops.describe() + " accepted the bad input");
    }
}
