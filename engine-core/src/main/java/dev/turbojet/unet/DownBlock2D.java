package dev.turbojet.unet;

import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** diffusers DownBlock2D: resnets, then a stride-2 downsampler unless it is the last block. */
public record DownBlock2D(String path, List<ResnetBlock2D> resnets, Optional<Downsample2D> downsampler)
        implements DownBlock {

    public DownBlock2D {
        resnets = List.copyOf(resnets);
    }

    public static DownBlock2D load(Weights w, int in, int out, int layers, int tembDim, int groups, float eps,
                                   boolean addDownsample) {
        List<ResnetBlock2D> resnets = new ArrayList<>();
        for (int j = 0; j < layers; j++) {
            resnets.add(ResnetBlock2D.load(w.at("resnets").at(j), j == 0 ? in : out, out, tembDim, groups, eps));
        }
        return new DownBlock2D(w.path(), resnets,
                addDownsample ? Optional.of(Downsample2D.load(w.at("downsamplers").at(0), out)) : Optional.empty());
    }

    @Override
    public Output forward(Ops ops, Tensor x, Tensor temb, Tensor context) {
        List<Tensor> skips = new ArrayList<>();
        Tensor h = x;
        for (ResnetBlock2D resnet : resnets) {
            h = resnet.forward(ops, h, temb);
            skips.add(h);
        }
        if (downsampler.isPresent()) {
            h = downsampler.get().forward(ops, h);   // [B, out, H, W] -> [B, out, ceil(H/2), ceil(W/2)]
            skips.add(h);
        }
        return DownBlock.marked(ops, path, h, skips);
    }
}
