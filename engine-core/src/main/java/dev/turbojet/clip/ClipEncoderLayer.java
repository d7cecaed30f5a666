package dev.turbojet.clip;

import dev.turbojet.nn.LayerNorm;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/** transformers CLIPEncoderLayer: pre-LN causal self-attention and MLP, each with a residual. */
public record ClipEncoderLayer(String path, LayerNorm layerNorm1, ClipAttention selfAttn, LayerNorm layerNorm2, ClipMlp mlp) {
    public static ClipEncoderLayer load(Weights w, ClipTextConfig cfg) {
        int hidden = cfg.hiddenSize();
        float eps = cfg.layerNormEps();
        return new ClipEncoderLayer(w.path(),
                LayerNorm.load(w.at("layer_norm1"), hidden, eps),
                ClipAttention.load(w.at("self_attn"), hidden, cfg.numAttentionHeads()),
                LayerNorm.load(w.at("layer_norm2"), hidden, eps),
                ClipMlp.load(w.at("mlp"), hidden, cfg.intermediateSize(), cfg.hiddenAct()));
    }

    /** x [B, T, hidden] -> same shape, marked as {@code path} */
    public Tensor forward(Ops ops, Tensor x) {
        Tensor h = ops.add(x, selfAttn.forward(ops, layerNorm1.forward(ops, x)));
        return ops.mark(path, ops.add(h, mlp.forward(ops, layerNorm2.forward(ops, h))));
    }
}
