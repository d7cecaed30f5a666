package dev.turbojet.unet;

import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
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
        List<ResnetBlock2D> resnets = new ArrayList<>();
        for (int j = 0; j < layers; j++) {
            resnets.add(ResnetBlock2D.load(w.at("resnets").at(j), UpBlock.resnetIn(j, layers, prevOut, skipIn, out), out,
                    tembDim, groups, eps));
        }
        return new UpBlock2D(w.path(), resnets,
                addUpsample ? Optional.of(Upsample2D.load(w.at("upsamplers").at(0), out)) : Optional.empty());
    }

    @Override
    public Tensor forward(Ops ops, Tensor x, List<Tensor> skips, Tensor temb, Tensor context, int upH, int upW) {
        Tensor h = x;
        for (int j = 0; j < resnets.size(); j++) {
            h = ops.concat(1, h, UpBlock.skipFor(skips, j));   // [B, cur + skip, H, W]
            h = resnets.get(j).forward(ops, h, temb);
        }
        if (upsampler.isPresent()) h = upsampler.get().forward(ops, h, upH, upW);
        return ops.mark(path, h);
    }

    @Override
    public int skipCount() {
        return resnets.size();
    }

    @Override
    public boolean upsamples() {
        return upsampler.isPresent();
    }
}
