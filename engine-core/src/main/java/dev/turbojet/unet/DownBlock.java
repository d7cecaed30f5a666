package dev.turbojet.unet;

import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.List;

/** One level of the UNet's contracting path (diffusers' down_blocks.i). */
public sealed interface DownBlock permits DownBlock2D, CrossAttnDownBlock2D {

    /** The block's output and the skip tensors it hands to the up path, in production order. */
    record Output(Tensor hidden, List<Tensor> resSamples) {
        public Output {
            resSamples = List.copyOf(resSamples);
        }
    }

    /** x [B, in, H, W], temb [B, tembDim], context [B, M, contextDim] -> hidden [B, out, H', W'] and the skips */
    Output forward(Ops ops, Tensor x, Tensor temb, Tensor context);

    /** Marks the block's skips ("path.res_samples.j") and output ("path.out") as diffusers' hooks see them. */
    static Output marked(Ops ops, String path, Tensor hidden, List<Tensor> resSamples) {
        for (int j = 0; j < resSamples.size(); j++) ops.mark(path + ".res_samples." + j, resSamples.get(j));
        return new Output(ops.mark(path + ".out", hidden), resSamples);
    }
}
