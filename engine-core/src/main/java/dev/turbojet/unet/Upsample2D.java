package dev.turbojet.unet;

import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/**
 * diffusers Upsample2D with use_conv: nearest-neighbour resize then a 3x3 conv. The target size is
 * the next skip tensor's (diffusers' upsample_size), which is 2x unless the latent was not a
 * multiple of the total downsampling factor.
 */
public record Upsample2D(String path, Conv2d conv) {
    public static Upsample2D load(Weights w, int channels) {
        return new Upsample2D(w.path(), Conv2d.load(w.at("conv"), channels, channels, 3));
    }

    /** x [N, C, H, W] -> [N, C, outH, outW] */
    public Tensor forward(Ops ops, Tensor x, int outH, int outW) {
        return ops.mark(path, conv.forward(ops, ops.upsampleNearest(x, outH, outW)));
    }
}
