package dev.turbojet.vae;

import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.SafetensorsSource;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.Variant;
import dev.turbojet.nn.Conv2d;
import dev.turbojet.nn.GroupNorm;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Act;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The decoding half of diffusers AutoencoderKL: {@code post_quant_conv} (1x1) then the Decoder
 * ({@code decoder.conv_in}, {@code decoder.mid_block}, {@code decoder.up_blocks.*} from the lowest
 * resolution up, {@code decoder.conv_norm_out} + SiLU, {@code decoder.conv_out}). {@code path} is the VAE's
 * scope ("" for a VAE checkpoint); the marks are named under it as the checkpoint names the modules.
 */
public record VaeDecoder(String path, Optional<Conv2d> postQuantConv, Conv2d convIn, VaeMidBlock midBlock, List<VaeUpBlock> upBlocks,
                         GroupNorm convNormOut, Conv2d convOut) {
    public VaeDecoder {
        upBlocks = List.copyOf(upBlocks);
    }

    /**
     * The vae component of a diffusers folder, weights of the first available variant in
     * {@code preference} (FP32 when empty); the file closes once {@code ops} has bound the weights.
     */
    public static VaeDecoder load(ModelFolder folder, Ops ops, Variant... preference) {
        try (SafetensorsSource w = folder.openWeights("vae", preference)) {
            return load(w, ops, VaeConfig.read(folder.config("vae")));
        }
    }

    /** Loads only what decoding needs from a whole-VAE checkpoint (encoder.* and quant_conv.* are skipped on purpose). */
    public static VaeDecoder load(TensorSource src, Ops ops, VaeConfig cfg) {
        Weights w = Weights.of(src, ops);
        VaeDecoder decoder = load(w, cfg);
        for (String name : src.names()) {
            if (name.startsWith("encoder.") || name.startsWith("quant_conv.")) w.ignore(name);
        }
        w.report().check();
        return decoder;
    }

    /** Binds post_quant_conv.* and decoder.* under the VAE's root scope {@code w}. */
    public static VaeDecoder load(Weights w, VaeConfig cfg) {
        int latent = cfg.latentChannels();
        int top = cfg.channels(cfg.blocks() - 1);
        Weights d = w.at("decoder");
        List<VaeUpBlock> ups = new ArrayList<>();
        int out = top;
        for (int i = 0; i < cfg.blocks(); i++) {
            int in = out;
            out = cfg.channels(cfg.blocks() - 1 - i);                       // reversed block_out_channels
            ups.add(VaeUpBlock.load(d.at("up_blocks").at(i), cfg, in, out, i < cfg.blocks() - 1));
        }
        return new VaeDecoder(w.path(),
                cfg.usePostQuantConv() ? Optional.of(Conv2d.load(w.at("post_quant_conv"), latent, latent, 1)) : Optional.empty(),
                Conv2d.load(d.at("conv_in"), latent, top, 3),
                VaeMidBlock.load(d.at("mid_block"), cfg, top),
                ups,
                GroupNorm.load(d.at("conv_norm_out"), cfg.normNumGroups(), cfg.channels(0), VaeResnetBlock.EPS),
                Conv2d.load(d.at("conv_out"), cfg.channels(0), cfg.outChannels(), 3));
    }

    /**
     * vae.decode(z).sample: z [N, latent, h, w], latents already divided by scaling_factor (the
     * pipeline does that) -> raw image [N, out, 8h, 8w], nominally in [-1, 1].
     */
    public Tensor decode(Ops ops, Tensor z) {
        Tensor h = z;
        if (postQuantConv.isPresent()) h = ops.mark(Weights.join(path, "post_quant_conv"), postQuantConv.get().forward(ops, h));
        h = ops.mark(Weights.join(path, "decoder.conv_in"), convIn.forward(ops, h));       // [N, top, h, w]
        h = midBlock.forward(ops, h);
        for (VaeUpBlock block : upBlocks) h = block.forward(ops, h);                      // 2x per block but the last
        h = convNormOut.forward(ops, h, Act.SILU);                                        // conv_norm_out + SiLU, fused
        return ops.mark(Weights.join(path, "decoder.conv_out"), convOut.forward(ops, h));  // [N, out, H, W]
    }

    /**
     * diffusers tiled_decode: z [N, latent, h, w] on the host, already divided by scaling_factor -> image
     * [N, out, D h, D w] on the host, D = {@link #downscale()}, decoded tile by tile as {@code tiling}
     * lays the tiles ({@link VaeTiling}). Each tile is uploaded, decoded and downloaded in a pass of its own,
     * so a backend that allocates from an arena reuses one tile's memory for the next: call it outside a
     * pass. The blends run in fp32 on the host (diffusers blends in the decoder's dtype; in fp32 they agree).
     */
    public HostTensor decodeTiled(Ops ops, HostTensor z, VaeTiling tiling) {
        if (z.shape().rank() != 4) throw new IllegalArgumentException("latents " + z.shape() + " are not [N, C, h, w]");
        VaeTiling.Grid grid = tiling.grid(downscale(), z.shape().intDim(2), z.shape().intDim(3));
        return TiledDecode.decode(ops, this, z, grid);
    }

    /** How many times larger the image is than the latents: 2 per up block with an upsampler (8 for SDXL). */
    public int downscale() {
        int factor = 1;
        for (VaeUpBlock block : upBlocks) if (block.upsampler().isPresent()) factor *= 2;
        return factor;
    }
}
