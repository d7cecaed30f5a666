package dev.turbojet.nn;

import dev.turbojet.ops.Act;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/** torch.nn.GroupNorm (affine): weight and bias [channels]. */
public record GroupNorm(Tensor weight, Tensor bias, int groups, int channels, float eps) {
    public static GroupNorm load(Weights w, int groups, int channels, float eps) {
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException(w.path() + ": " + channels + " channels do not split into " + groups + " groups");
        }
        return new GroupNorm(w.tensor("weight", channels), w.tensor("bias", channels), groups, channels, eps);
    }

    /** x [N, C, *spatial] -> same shape */
    public Tensor forward(Ops ops, Tensor x) {
        return ops.groupNorm(x, weight, bias, groups, eps, Act.NONE);
    }

    /** GroupNorm followed by {@code act}, fused. */
    public Tensor forward(Ops ops, Tensor x, Act act) {
        return ops.groupNorm(x, weight, bias, groups, eps, act);
    }
}
