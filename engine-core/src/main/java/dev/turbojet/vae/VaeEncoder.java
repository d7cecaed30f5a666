package dev.turbojet.vae;

import dev.turbojet.io.TensorSource;
import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.GroupNorm;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Act;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The encoding half of diffusers AutoencoderKL: the Encoder ({@code encoder.conv_in},
 * {@code encoder.down_blocks.*}, {@code encoder.mid_block}, {@code encoder.conv_norm_out} + SiLU,
 * {@code encoder.conv_out} to 2 x latent channels) then {@code quant_conv} (1x1) giving the
 * posterior's moments. {@code path} is the VAE's scope ("" for a VAE checkpoint); the marks are named
 * under it as the checkpoint names the modules.
 */
public record VaeEncoder(String path, Conv2d convIn, List<VaeDownBlock> downBlocks, VaeMidBlock midBlock,
                         GroupNorm convNormOut, Conv2d convOut, Optional<Conv2d> quantConv, int latentChannels) {
    public VaeEncoder {
        downBlocks = List.copyOf(downBlocks);
    }

    /** Loads only what encoding needs from a whole-VAE checkpoint (decoder.* and post_quant_conv.* are skipped on purpose). */
    public static VaeEncoder load(TensorSource src, Ops ops, VaeConfig cfg) {
        Weights w = Weights.of(src, ops);
        VaeEncoder encoder = load(w, cfg);
        for (String name : src.names()) {
            if (name.startsWith("decoder.") || name.startsWith("post_quant_conv.")) w.ignore(name);
        }
        w.report().check();
        return encoder;
    }

    /** Binds encoder.* and quant_conv.* under the VAE's root scope {@code w}. */
    public static VaeEncoder load(Weights w, VaeConfig cfg) {
        int latent2 = 2 * cfg.latentChannels();
        int top = cfg.channels(cfg.blocks() - 1);
        Weights e = w.at("encoder");
        List<VaeDownBlock> downs = new ArrayList<>();
        int out = cfg.channels(0);
        for (int i = 0; i < cfg.blocks(); i++) {
            int in = out;
            out = cfg.channels(i);
            downs.add(VaeDownBlock.load(e.at("down_blocks").at(i), cfg, in, out, i < cfg.blocks() - 1));
        }
        return new VaeEncoder(w.path(),
                Conv2d.load(e.at("conv_in"), cfg.inChannels(), cfg.channels(0), 3),
                downs,
                VaeMidBlock.load(e.at("mid_block"), cfg, top),
                GroupNorm.load(e.at("conv_norm_out"), cfg.normNumGroups(), top, VaeResnetBlock.EPS),
                Conv2d.load(e.at("conv_out"), top, latent2, 3),
                cfg.useQuantConv() ? Optional.of(Conv2d.load(w.at("quant_conv"), latent2, latent2, 1)) : Optional.empty(),
                cfg.latentChannels());
    }

    /** image [N, in, H, W] in [-1, 1] -> moments [N, 2 x latent, H/8, W/8]: mean channels then logvar (unclamped). */
    public Tensor moments(Ops ops, Tensor image) {
        Tensor h = ops.mark(Weights.join(path, "encoder.conv_in"), convIn.forward(ops, image));
        for (VaeDownBlock block : downBlocks) h = block.forward(ops, h);
        h = midBlock.forward(ops, h);
        h = convNormOut.forward(ops, h, Act.SILU);                                       // conv_norm_out + SiLU, fused
        h = ops.mark(Weights.join(path, "encoder.conv_out"), convOut.forward(ops, h));
        if (quantConv.isPresent()) h = ops.mark(Weights.join(path, "quant_conv"), quantConv.get().forward(ops, h));
        return h;
    }

    /** vae.encode(image).latent_dist, on the host (the latents are small). */
    public LatentDistribution encode(Ops ops, Tensor image) {
        return LatentDistribution.of(ops.download(moments(ops, image)), latentChannels);
    }
}
