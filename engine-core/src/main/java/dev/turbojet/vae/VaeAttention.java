package dev.turbojet.vae;

import dev.turbojet.nn.GroupNorm;
import dev.turbojet.nn.Linear;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/**
 * diffusers Attention as the VAE mid block builds it: a GroupNorm in front, one head as wide as
 * the channels over the H*W positions, to_q/to_k/to_v/to_out.0 with biases, a residual and
 * rescale_output_factor 1 (to_out.1 is dropout: identity).
 */
public record VaeAttention(String path, GroupNorm groupNorm, Linear toQ, Linear toK, Linear toV, Linear toOut) {
    public static VaeAttention load(Weights w, int groups, int channels) {
        return new VaeAttention(w.path(),
                GroupNorm.load(w.at("group_norm"), groups, channels, VaeResnetBlock.EPS),
                Linear.load(w.at("to_q"), channels, channels),
                Linear.load(w.at("to_k"), channels, channels),
                Linear.load(w.at("to_v"), channels, channels),
                Linear.load(w.at("to_out").at(0), channels, channels));
    }

    /** x [N, C, H, W] -> same shape, marked as {@code path} */
    public Tensor forward(Ops ops, Tensor x) {
        long n = x.shape().dim(0), c = x.shape().dim(1), h = x.shape().dim(2), w = x.shape().dim(3);
        Tensor t = groupNorm.forward(ops, x);
        t = ops.permute(ops.reshape(t, Shape.of(n, c, h * w)), 0, 2, 1);          // [N, HW, C]
        Tensor q = toQ.forward(ops, t);
        Tensor k = toK.forward(ops, t);
        Tensor v = toV.forward(ops, t);
        Tensor a = toOut.forward(ops, ops.attention(q, k, v, 1, false));          // [N, HW, C]
        a = ops.reshape(ops.permute(a, 0, 2, 1), Shape.of(n, c, h, w));             // [N, C, H, W]
        return ops.mark(path, ops.add(a, x));
    }
}
