package dev.turbojet.vae;

import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.SafetensorsSource;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.Variant;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Tensor;

/**
 * diffusers AutoencoderKL: the encoder (image -> latent distribution, for img2img) and the decoder
 * (latents / scaling_factor -> image), loaded from one checkpoint with one weight report.
 * Text-to-image needs only {@link VaeDecoder#load(TensorSource, Ops, VaeConfig)}.
 */
public record AutoencoderKL(VaeConfig config, VaeEncoder encoder, VaeDecoder decoder) {

    /**
     * The vae component of a diffusers folder, weights of the first available variant in
     * {@code preference} (FP32 when empty); the file closes once {@code ops} has bound the weights.
     */
    public static AutoencoderKL load(ModelFolder folder, Ops ops, Variant... preference) {
        try (SafetensorsSource w = folder.openWeights("vae", preference)) {
            return load(w, ops, VaeConfig.read(folder.config("vae")));
        }
    }

    public static AutoencoderKL load(TensorSource src, Ops ops, VaeConfig cfg) {
        Weights w = Weights.of(src, ops);
        AutoencoderKL vae = new AutoencoderKL(cfg, VaeEncoder.load(w, cfg), VaeDecoder.load(w, cfg));
        w.report().check();
        return vae;
    }

    /** image [N, 3, H, W] in [-1, 1] -> posterior over latents [N, 4, H/8, W/8]. */
    public LatentDistribution encode(Ops ops, Tensor image) {
        return encoder.encode(ops, image);
    }

    /** latents already divided by scaling_factor [N, 4, h, w] -> raw image [N, 3, 8h, 8w]. */
    public Tensor decode(Ops ops, Tensor latentsScaled) {
        return decoder.decode(ops, latentsScaled);
    }

    /**
     * vae.decode(z) with diffusers' tiling where {@code mode} asks for it ({@link VaeTiling#tiles}): z
     * [N, 4, h, w] on the host, already divided by scaling_factor -> raw image [N, 3, 8h, 8w] on the host.
     * Untiled, the whole latent decodes in one pass; tiled, each tile in its own
     * ({@link VaeDecoder#decodeTiled}): call it outside a pass.
     */
    public HostTensor decode(Ops ops, HostTensor latentsScaled, VaeTiling.Mode mode, VaeTiling tiling) {
        if (latentsScaled.shape().rank() != 4) {
            throw new IllegalArgumentException("latents " + latentsScaled.shape() + " are not [N, C, h, w]");
        }
        if (tiling.tiles(mode, decoder.downscale(), latentsScaled.shape().intDim(2), latentsScaled.shape().intDim(3))) {
            return decoder.decodeTiled(ops, latentsScaled, tiling);
        }
        try (Ops.Pass pass = ops.pass()) {
            return ops.download(decoder.decode(ops, ops.upload(latentsScaled)));
        }
    }
}
