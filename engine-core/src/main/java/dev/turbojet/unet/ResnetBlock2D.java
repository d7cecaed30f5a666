package dev.turbojet.unet;

import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.GroupNorm;
import dev.turbojet.nn.Linear;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.Optional;

/**
 * diffusers ResnetBlock2D as the SDXL UNet uses it: time_embedding_norm "default" (the projected
 * embedding is added per channel), SiLU, output_scale_factor 1, a 1x1 conv_shortcut when in != out.
 * The norms run unfused from their SiLU so that norm1 / norm2 can be observed as diffusers' modules.
 */
public record ResnetBlock2D(String path, GroupNorm norm1, Conv2d conv1, Linear timeEmbProj,
                            GroupNorm norm2, Conv2d conv2, Optional<Conv2d> convShortcut) {

    public static ResnetBlock2D load(Weights w, int in, int out, int tembDim, int groups, float eps) {
        return new ResnetBlock2D(w.path(),
                GroupNorm.load(w.at("norm1"), groups, in, eps),          // weight [in]
                Conv2d.load(w.at("conv1"), in, out, 3),                  // weight [out, in, 3, 3]
                Linear.load(w.at("time_emb_proj"), tembDim, out),        // weight [out, temb]
                GroupNorm.load(w.at("norm2"), groups, out, eps),         // weight [out]
                Conv2d.load(w.at("conv2"), out, out, 3),                 // weight [out, out, 3, 3]
                in == out ? Optional.empty() : Optional.of(Conv2d.load(w.at("conv_shortcut"), in, out, 1)));
    }

    /** x [N, in, H, W], temb [N, tembDim] (before its SiLU) -> [N, out, H, W] */
    public Tensor forward(Ops ops, Tensor x, Tensor temb) {
        Tensor h = ops.mark(path + ".norm1", norm1.forward(ops, x));
        h = ops.mark(path + ".conv1", conv1.forward(ops, ops.silu(h)));
        Tensor t = ops.mark(path + ".time_emb_proj", timeEmbProj.forward(ops, ops.silu(temb)));   // [N, out]
        h = ops.addChannelVector(h, t);
        h = ops.mark(path + ".norm2", norm2.forward(ops, h));
        h = ops.mark(path + ".conv2", conv2.forward(ops, ops.silu(h)));                             // dropout: identity
        Tensor shortcut = convShortcut.map(c -> ops.mark(path + ".conv_shortcut", c.forward(ops, x))).orElse(x);
        return ops.mark(path, ops.add(shortcut, h));
    }
}
