package dev.turbojet.unet;

import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/** diffusers Downsample2D with use_conv: a 3x3 conv, stride 2, padding 1 (downsample_padding 1). */
public record Downsample2D(String path, Conv2d conv) {
    public static Downsample2D load(Weights w, int channels) {
        return new Downsample2D(w.path(), Conv2d.load(w.at("conv"), channels, channels, 3, 2, 1));
    }

    /** x [N, C, H, W] -> [N, C, (H + 1) / 2, (W + 1) / 2] */
    public Tensor forward(Ops ops, Tensor x) {
        return ops.mark(path, conv.forward(ops, x));
    }
}
