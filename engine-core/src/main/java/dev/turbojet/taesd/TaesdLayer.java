package dev.turbojet.taesd;

import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Act;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/** One entry of taesd.py's nn.Sequential; the parameter-free ones have no weights under their index. */
public sealed interface TaesdLayer permits TaesdLayer.SoftClamp, TaesdLayer.Relu, TaesdLayer.Upsample,
        TaesdLayer.Conv, TaesdBlock {

    Tensor forward(Ops ops, Tensor x);

    /** taesd.py Clamp: tanh(x / 3) * 3, a soft clamp of the latents to (-3, 3). */
    record SoftClamp() implements TaesdLayer {
        @Override
        public Tensor forward(Ops ops, Tensor x) {
            return ops.scale(ops.activation(ops.scale(x, 1f / 3f), Act.TANH), 3f);
        }
    }

    /** nn.ReLU */
    record Relu() implements TaesdLayer {
        @Override
        public Tensor forward(Ops ops, Tensor x) {
            return ops.activation(x, Act.RELU);
        }
    }

    /** nn.Upsample(scale_factor=2), mode nearest: [N, C, H, W] -> [N, C, 2H, 2W]. */
    record Upsample() implements TaesdLayer {
        @Override
        public Tensor forward(Ops ops, Tensor x) {
            Shape s = x.shape();
            return ops.upsampleNearest(x, 2 * s.intDim(2), 2 * s.intDim(3));
        }
    }

    /** taesd.py conv(n_in, n_out): 3x3, padding 1 (symmetric), with or without bias, stride 1 or 2. */
    record Conv(Conv2d conv) implements TaesdLayer {
        /** {@code N.weight} [out, in, 3, 3] and, when {@code bias}, {@code N.bias} [out]. */
        static Conv load(Weights w, int in, int out, boolean bias, int stride) {
            return new Conv(new Conv2d(w.tensor("weight", out, in, 3, 3), bias ? w.tensor("bias", out) : null,
                    in, out, 3, stride, 1));
        }

        @Override
        public Tensor forward(Ops ops, Tensor x) {
            return conv.forward(ops, x);                                    // [N, out, H / stride, W / stride]
        }
    }
}
