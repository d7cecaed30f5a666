package dev.turbojet.vae;

import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * diffusers DownEncoderBlock2D: resnets, then (except in the last block) Downsample2D with
 * padding 0, which pads (0, 1, 0, 1) and applies a 3x3 conv with stride 2.
 */
public record VaeDownBlock(String path, List<VaeResnetBlock> resnets, Optional<Conv2d> downsampler) {
    public VaeDownBlock {
        resnets = List.copyOf(resnets);
    }

    public static VaeDownBlock load(Weights w, VaeConfig cfg, int in, int out, boolean downsample) {
        List<VaeResnetBlock> resnets = new ArrayList<>();
        for (int j = 0; j < cfg.layersPerBlock(); j++) {
            resnets.add(VaeResnetBlock.load(w.at("resnets").at(j), cfg.normNumGroups(), j == 0 ? in : out, out));
        }
        return new VaeDownBlock(w.path(), resnets, downsample
                ? Optional.of(Conv2d.load(w.at("downsamplers").at(0).at("conv"), out, out, 3, 2, 0))
                : Optional.empty());
    }

    /** x [N, in, H, W] -> [N, out, H/2, W/2] (or [N, out, H, W] without downsampler), marked as {@code path}. */
    public Tensor forward(Ops ops, Tensor x) {
        Tensor h = x;
        for (VaeResnetBlock resnet : resnets) h = resnet.forward(ops, h);
        if (downsampler.isPresent()) {
            h = ops.pad2d(h, 0, 1, 0, 1);                                                   // [N, out, H+1, W+1]
            h = ops.mark(path + ".downsamplers.0", downsampler.get().forward(ops, h));     // [N, out, H/2, W/2]
        }
        return ops.mark(path, h);
    }
}
