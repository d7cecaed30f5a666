package dev.turbojet.unet;

import dev.turbojet.nn.Linear;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/**
 * diffusers Attention with the classic processor as BasicTransformerBlock builds it: to_q / to_k /
 * to_v without bias, to_out.0 with bias (to_out.1 is dropout), softmax(q k^T / sqrt(headDim)).
 * Self-attention when the context is the input itself, cross-attention otherwise.
 */
public record Attention(Linear toQ, Linear toK, Linear toV, Linear toOut, int heads) {
    /** dim: query width, contextDim: key/value source width; inner width = dim (heads * dim / heads). */
    public static Attention load(Weights w, int dim, int contextDim, int heads) {
        return new Attention(
                Linear.loadNoBias(w.at("to_q"), dim, dim),          // weight [dim, dim]
                Linear.loadNoBias(w.at("to_k"), contextDim, dim),   // weight [dim, contextDim]
                Linear.loadNoBias(w.at("to_v"), contextDim, dim),   // weight [dim, contextDim]
                Linear.load(w.at("to_out").at(0), dim, dim),        // weight [dim, dim]
                heads);
    }

    /** x [B, N, dim], context [B, M, contextDim] -> [B, N, dim] */
    public Tensor forward(Ops ops, Tensor x, Tensor context) {
        Tensor q = toQ.forward(ops, x);
        Tensor k = toK.forward(ops, context);
        Tensor v = toV.forward(ops, context);
        return toOut.forward(ops, ops.attention(q, k, v, heads, false));
    }
}
