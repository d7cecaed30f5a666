package dev.turbojet.vae;

import dev.turbojet.io.TensorSource;
import dev.turbojet.io.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;

/**
 * diffusers AutoencoderKL: the encoder (image -> latent distribution, for img2img) and the decoder
 * (latents / scaling_factor -> image), loaded from one checkpoint with one weight report.
 * Text-to-image needs only {@link VaeDecoder#load(TensorSource, Ops, VaeConfig)}.
 */
public record AutoencoderKL(VaeConfig config, VaeEncoder encoder, VaeDecoder decoder) {

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
}
