package dev.turbojet.taesd;

import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Act;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.Optional;

/**
 * taesd.py Block: relu(conv(x) + skip(x)) where conv is conv(in, out), ReLU, conv(out, out), ReLU,
 * conv(out, out) (3x3, padding 1, bias; weights {@code conv.0}, {@code conv.2}, {@code conv.4}) and
 * skip is the identity, or a bias-free 1x1 conv {@code skip} when the channel count changes.
 */
public record TaesdBlock(Conv2d conv0, Conv2d conv2, Conv2d conv4, Optional<Conv2d> skip) implements TaesdLayer {

    public static TaesdBlock load(Weights w, int in, int out) {
        Weights c = w.at("conv");
        return new TaesdBlock(
                Conv2d.load(c.at(0), in, out, 3),
                Conv2d.load(c.at(2), out, out, 3),
                Conv2d.load(c.at(4), out, out, 3),
                in == out ? Optional.empty()
                        : Optional.of(new Conv2d(w.at("skip").tensor("weight", out, in, 1, 1), null, in, out, 1, 1, 0)));
    }

    /** x [N, in, H, W] -> [N, out, H, W] */
    @Override
    public Tensor forward(Ops ops, Tensor x) {
        Tensor h = ops.activation(conv0.forward(ops, x), Act.RELU);
        h = ops.activation(conv2.forward(ops, h), Act.RELU);
        h = conv4.forward(ops, h);
        Tensor sum = ops.add(h, skip.map(s -> s.forward(ops, x)).orElse(x));
        return ops.activation(sum, Act.RELU);                                 // fuse
    }
}
