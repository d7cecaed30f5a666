package dev.turbojet.clip;

import dev.turbojet.nn.Linear;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/** transformers CLIPAttention, causal (CLIP's text encoder passes no padding mask); dropout: identity. */
public record ClipAttention(Linear qProj, Linear kProj, Linear vProj, Linear outProj, int heads) {
    public static ClipAttention load(Weights w, int hidden, int heads) {
        return new ClipAttention(
                Linear.load(w.at("q_proj"), hidden, hidden),
                Linear.load(w.at("k_proj"), hidden, hidden),
                Linear.load(w.at("v_proj"), hidden, hidden),
                Linear.load(w.at("out_proj"), hidden, hidden),
                heads);
    }

    /** x [B, T, hidden] -> [B, T, hidden]; softmax(q k^T / sqrt(headDim)) per head, query i sees keys 0..i. */
    public Tensor forward(Ops ops, Tensor x) {
        Tensor q = qProj.forward(ops, x);
        Tensor k = kProj.forward(ops, x);
        Tensor v = vProj.forward(ops, x);
        return outProj.forward(ops, ops.attention(q, k, v, heads, true));
    }
}
