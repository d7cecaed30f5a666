package dev.turbojet.unet;

import dev.turbojet.nn.Linear;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/** diffusers TimestepEmbedding: linear_1, SiLU, linear_2 (no cond_proj, no post activation). */
public record TimestepEmbedding(Linear linear1, Linear linear2) {
    public static TimestepEmbedding load(Weights w, int in, int out) {
        return new TimestepEmbedding(
                Linear.load(w.at("linear_1"), in, out),    // weight [out, in]
                Linear.load(w.at("linear_2"), out, out));  // weight [out, out]
    }

    /** x [N, in] -> [N, out] */
    public Tensor forward(Ops ops, Tensor x) {
        return linear2.forward(ops, ops.silu(linear1.forward(ops, x)));
    }
}
