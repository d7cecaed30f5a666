package dev.turbojet.vae;

import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.Optional;

/** diffusers UNetMidBlock2D without time embedding: resnet, attention (unless mid_block_add_attention is false), resnet. */
public record VaeMidBlock(String path, VaeResnetBlock resnet0, Optional<VaeAttention> attention, VaeResnetBlock resnet1) {
    public static VaeMidBlock load(Weights w, VaeConfig cfg, int channels) {
        int groups = cfg.normNumGroups();
        return new VaeMidBlock(w.path(),
                VaeResnetBlock.load(w.at("resnets").at(0), groups, channels, channels),
                cfg.midBlockAddAttention()
                        ? Optional.of(VaeAttention.load(w.at("attentions").at(0), groups, channels))
                        : Optional.empty(),
                VaeResnetBlock.load(w.at("resnets").at(1), groups, channels, channels));
    }

    /** x [N, C, H, W] -> same shape, marked as {@code path} ("decoder.mid_block"), its parts under it. */
    public Tensor forward(Ops ops, Tensor x) {
        Tensor h = resnet0.forward(ops, x);
        if (attention.isPresent()) h = attention.get().forward(ops, h);
        return ops.mark(path, resnet1.forward(ops, h));
    }
}
