package dev.turbojet.nn;

import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/** torch.nn.Conv2d with a square kernel, groups 1: weight [out, in, k, k], bias [out]. */
public record Conv2d(Tensor weight, Tensor bias, int in, int out, int kernel, int stride, int padding) {
    /** A k x k conv with stride 1 and "same" padding (k / 2), as every SDXL conv but the downsamplers. */
    public static Conv2d load(Weights w, int in, int out, int kernel) {
        return load(w, in, out, kernel, 1, kernel / 2);
    }

    public static Conv2d load(Weights w, int in, int out, int kernel, int stride, int padding) {
        return new Conv2d(w.tensor("weight", out, in, kernel, kernel), w.tensor("bias", out),
                in, out, kernel, stride, padding);
    }

    /** x [N, in, H, W] -> [N, out, Ho, Wo] */
    public Tensor forward(Ops ops, Tensor x) {
        return ops.conv2d(x, weight, bias, stride, padding);
    }
}
