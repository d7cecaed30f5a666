package dev.turbojet.unet;

import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.List;
import java.util.Optional;

/** diffusers UpBlock2D: resnets on (hidden ++ skip), then an upsampler unless it is the last block. */
public record UpBlock2D(String path, List<ResnetBlock2D> resnets, Optional<Upsample2D> upsampler) implements UpBlock {

    public UpBlock2D {
        resnets = List.copyOf(resnets);
    }

    /** prevOut: width coming from below; skipIn: width of the block's first-produced skip; layers = layers_per_block + 1. */
    public static UpBlock2D load(Weights w, int prevOut, int skipIn, int out, int layers, int tembDim, int groups,
                                 float eps, boolean addUpsample) {
        return new UpBlock2D(w.path(), UpBlock.loadResnets(w, prevOut, skipIn, out, layers, tembDim, groups, eps),
                UpBlock.loadUpsampler(w, out, addUpsample));
    }

    @Override
    public Tensor afterResnet(Ops ops, int j, Tensor h, Tensor context) {
        return h;
    }
}
