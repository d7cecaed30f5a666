package dev.turbojet.vae;

import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * diffusers UpDecoderBlock2D: layers_per_block + 1 resnets, then (except in the last block)
 * Upsample2D: nearest 2x resize and a 3x3 conv.
 */
public record VaeUpBlock(String path, List<VaeResnetBlock> resnets, Optional<Conv2d> upsampler) {
    public VaeUpBlock {
        resnets = List.copyOf(resnets);
    }

    public static VaeUpBlock load(Weights w, VaeConfig cfg, int in, int out, boolean upsample) {
        List<VaeResnetBlock> resnets = new ArrayList<>();
        for (int j = 0; j < cfg.layersPerBlock() + 1; j++) {
            resnets.add(VaeResnetBlock.load(w.at("resnets").at(j), cfg.normNumGroups(), j == 0 ? in : out, out));
        }
        return new VaeUpBlock(w.path(), resnets, upsample
                ? Optional.of(Conv2d.load(w.at("upsamplers").at(0).at("conv"), out, out, 3))
                : Optional.empty());
    }

    /** x [N, in, H, W] -> [N, out, 2H, 2W] (or [N, out, H, W] without upsampler), marked as {@code path}. */
    public Tensor forward(Ops ops, Tensor x) {
        Tensor h = x;
        for (VaeResnetBlock resnet : resnets) h = resnet.forward(ops, h);
        if (upsampler.isPresent()) {
            int height = h.shape().intDim(2), width = h.shape().intDim(3);
            h = ops.upsampleNearest(h, 2 * height, 2 * width);                             // [N, out, 2H, 2W]
            h = ops.mark(path + ".upsamplers.0", upsampler.get().forward(ops, h));
        }
        return ops.mark(path, h);
    }
}
