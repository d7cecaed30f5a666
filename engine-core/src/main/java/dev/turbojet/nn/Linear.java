package dev.turbojet.nn;

import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/** torch.nn.Linear: weight [out, in], bias [out] or absent (null). */
public record Linear(Tensor weight, Tensor bias, int in, int out) {
    public static Linear load(Weights w, int in, int out) {
        return new Linear(w.tensor("weight", out, in), w.tensor("bias", out), in, out);
    }

    public static Linear loadNoBias(Weights w, int in, int out) {
        return new Linear(w.tensor("weight", out, in), null, in, out);
    }

    /** x [..., in] -> [..., out] */
    public Tensor forward(Ops ops, Tensor x) {
        return ops.linear(x, weight, bias);
    }
}
