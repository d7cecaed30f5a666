package dev.turbojet.nn;

import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/** torch.nn.LayerNorm over the last dim: weight and bias [dim]. */
public record LayerNorm(Tensor weight, Tensor bias, int dim, float eps) {
    public static LayerNorm load(Weights w, int dim, float eps) {
        return new LayerNorm(w.tensor("weight", dim), w.tensor("bias", dim), dim, eps);
    }

    /** x [..., dim] -> same shape */
    public Tensor forward(Ops ops, Tensor x) {
        return ops.layerNorm(x, weight, bias, eps);
    }
}
