package dev.turbojet.unet;

import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One level of the UNet's expanding path (diffusers' up_blocks.i): per layer, the hidden state
 * concatenated with a skip goes through a resnet (and, in {@link CrossAttnUpBlock2D}, a transformer),
 * then an upsampler unless it is the last level.
 */
public sealed interface UpBlock permits UpBlock2D, CrossAttnUpBlock2D {

    /** The checkpoint path the block was loaded from ("up_blocks.1"). */
    String path();

    /** One resnet per layer, each consuming one skip. */
    List<ResnetBlock2D> resnets();

    /** The Upsample2D that ends the block, absent on the last level. */
    Optional<Upsample2D> upsampler();

    /** What follows resnet {@code j} on {@code h}: nothing in UpBlock2D, the layer's transformer in CrossAttnUpBlock2D. */
    Tensor afterResnet(Ops ops, int j, Tensor h, Tensor context);

    /**
     * x [B, prev, H, W] and this block's skips (in the order the down path produced them; the last is
     * consumed first, one per resnet, concatenated on channels) -> [B, out, H, W], or
     * [B, out, upH, upW] when the block has an upsampler.
     */
    default Tensor forward(Ops ops, Tensor x, List<Tensor> skips, Tensor temb, Tensor context, int upH, int upW) {
        Tensor h = x;
        for (int j = 0; j < resnets().size(); j++) {
            h = ops.concat(1, h, skips.get(skips.size() - 1 - j));   // [B, cur + skip, H, W]
            h = resnets().get(j).forward(ops, h, temb);
            h = afterResnet(ops, j, h, context);
        }
        if (upsampler().isPresent()) h = upsampler().get().forward(ops, h, upH, upW);
        return ops.mark(path(), h);
    }

    /** Number of skips consumed: one per resnet. */
    default int skipCount() {
        return resnets().size();
    }

    /** Whether the block ends with an Upsample2D. */
    default boolean upsamples() {
        return upsampler().isPresent();
    }

    /**
     * The block's resnets: resnet j reads the running width (prevOut for j = 0, else out) plus its skip's
     * (skipIn for the last, else out); layers = layers_per_block + 1.
     */
    static List<ResnetBlock2D> loadResnets(Weights w, int prevOut, int skipIn, int out, int layers, int tembDim, int groups,
                                           float eps) {
        List<ResnetBlock2D> resnets = new ArrayList<>();
        for (int j = 0; j < layers; j++) {
            int skip = j == layers - 1 ? skipIn : out;
            resnets.add(ResnetBlock2D.load(w.at("resnets").at(j), (j == 0 ? prevOut : out) + skip, out, tembDim, groups, eps));
        }
        return resnets;
    }

    /** upsamplers.0 when {@code add}, else none. */
    static Optional<Upsample2D> loadUpsampler(Weights w, int out, boolean add) {
        return add ? Optional.of(Upsample2D.load(w.at("upsamplers").at(0), out)) : Optional.empty();
    }
}
