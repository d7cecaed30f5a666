package dev.turbojet.vae;

import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.Optional;

/** diffusers UNetMidBlock2D without time embedding: resnet, attention (unless mid_block_add_attention is false), resnet. */
public record VaeMidBlock(VaeResnetBlock resnet0, Optional<VaeAttention> attention, VaeResnetBlock resnet1) {
    public static VaeMidBlock load(Weights w, VaeConfig cfg, int channels) {
        int groups = cfg.normNumGroups();
        return new VaeMidBlock(
                VaeResnetBlock.load(w.at("resnets").at(0), groups, channels, channels),
                cfg.midBlockAddAttention()
                        ? Optional.of(VaeAttention.load(w.at("attentions").at(0), groups, channels))
                        : Optional.empty(),
                VaeResnetBlock.load(w.at("resnets").at(1), groups, channels, channels));
    }

    /** x [N, C, H, W] -> same shape; {@code path} ("decoder.mid_block") names the marks. */
    public Tensor forward(Ops ops, Tensor x, String path) {
        Tensor h = ops.mark(path + ".resnets.0", resnet0.forward(ops, x));
        if (attention.isPresent()) h = ops.mark(path + ".attentions.0", attention.get().forward(ops, h));
        return ops.mark(path + ".resnets.1", resnet1.forward(ops, h));
    }
}
