package dev.turbojet.vae;

import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.GroupNorm;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Act;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.Optional;

/**
 * diffusers ResnetBlock2D as the VAE builds it: no time embedding, eps 1e-6, a 1x1
 * {@code conv_shortcut} when the channel count changes, output_scale_factor 1.
 */
public record VaeResnetBlock(String path, GroupNorm norm1, Conv2d conv1, GroupNorm norm2, Conv2d conv2,
                             Optional<Conv2d> convShortcut) {
    static final float EPS = 1e-6f;

    public static VaeResnetBlock load(Weights w, int groups, int in, int out) {
        return new VaeResnetBlock(w.path(),
                GroupNorm.load(w.at("norm1"), groups, in, EPS),
                Conv2d.load(w.at("conv1"), in, out, 3),
                GroupNorm.load(w.at("norm2"), groups, out, EPS),
                Conv2d.load(w.at("conv2"), out, out, 3),
                in == out ? Optional.empty() : Optional.of(Conv2d.load(w.at("conv_shortcut"), in, out, 1)));
    }

    /** x [N, in, H, W] -> [N, out, H, W], marked as {@code path} */
    public Tensor forward(Ops ops, Tensor x) {
        Tensor h = conv1.forward(ops, norm1.forward(ops, x, Act.SILU));
        h = conv2.forward(ops, norm2.forward(ops, h, Act.SILU));                 // dropout: identity
        return ops.mark(path, ops.add(convShortcut.map(c -> c.forward(ops, x)).orElse(x), h));
    }
}
