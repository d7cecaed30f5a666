package dev.turbojet.unet;

import dev.turbojet.nn.LayerNorm;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/**
 * diffusers BasicTransformerBlock with norm_type "layer_norm" (eps 1e-5): self-attention, cross-attention
 * to the text embedding, GEGLU feed-forward, each pre-normed and added back to the residual stream.
 */
public record BasicTransformerBlock(String path, LayerNorm norm1, Attention attn1, LayerNorm norm2, Attention attn2,
                                    LayerNorm norm3, FeedForward ff) {
    static final float EPS = 1e-5f;

    public static BasicTransformerBlock load(Weights w, int dim, int contextDim, int heads) {
        return new BasicTransformerBlock(w.path(),
                LayerNorm.load(w.at("norm1"), dim, EPS),
                Attention.load(w.at("attn1"), dim, dim, heads),
                LayerNorm.load(w.at("norm2"), dim, EPS),
                Attention.load(w.at("attn2"), dim, contextDim, heads),
                LayerNorm.load(w.at("norm3"), dim, EPS),
                FeedForward.load(w.at("ff"), dim));
    }

    /** x [B, N, dim] tokens, context [B, M, contextDim] -> [B, N, dim] */
    public Tensor forward(Ops ops, Tensor x, Tensor context) {
        Tensor h = ops.mark(path + ".norm1", norm1.forward(ops, x));
        x = ops.add(x, ops.mark(path + ".attn1", attn1.forward(ops, h, h)));
        h = ops.mark(path + ".norm2", norm2.forward(ops, x));
        x = ops.add(x, ops.mark(path + ".attn2", attn2.forward(ops, h, context)));
        h = ops.mark(path + ".norm3", norm3.forward(ops, x));
        return ops.add(x, ops.mark(path + ".ff", ff.forward(ops, h)));
    }
}
