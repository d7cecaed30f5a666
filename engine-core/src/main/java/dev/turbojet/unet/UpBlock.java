package dev.turbojet.unet;

import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.List;

/** One level of the UNet's expanding path (diffusers' up_blocks.i). */
public sealed interface UpBlock permits UpBlock2D, CrossAttnUpBlock2D {

    /**
     * x [B, prev, H, W] and this block's skips (in the order the down path produced them; the last is
     * consumed first, one per resnet, concatenated on channels) -> [B, out, H, W], or
     * [B, out, upH, upW] when the block has an upsampler.
     */
    Tensor forward(Ops ops, Tensor x, List<Tensor> skips, Tensor temb, Tensor context, int upH, int upW);

    /** Number of skips consumed: one per resnet. */
    int skipCount();

    /** Whether the block ends with an Upsample2D. */
    boolean upsamples();

    /** The channel width of resnet j's input: the running width (prev for j = 0, else out) plus its skip's. */
    static int resnetIn(int j, int layers, int prevOut, int skipIn, int out) {
        int skip = j == layers - 1 ? skipIn : out;
        return (j == 0 ? prevOut : out) + skip;
    }

    /** The skip consumed by resnet j: skips are popped from the end. */
    static Tensor skipFor(List<Tensor> skips, int j) {
        return skips.get(skips.size() - 1 - j);
    }
}
