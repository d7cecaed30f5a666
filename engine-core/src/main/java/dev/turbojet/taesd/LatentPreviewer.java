package dev.turbojet.taesd;

import dev.turbojet.image.RgbImage;
import dev.turbojet.tensor.HostTensor;

import java.util.List;

/**
 * Turns the latents of a denoising step (UNet space, [N, C, h, w]) into images a user can look at,
 * for per-step previews or as a fast final decode. Implementations say how they decode.
 */
public interface LatentPreviewer {
    /** One image per batch entry of {@code latents} [N, C, h, w]. */
    List<RgbImage> previewAll(HostTensor latents);

    /** The image of {@code latents} [1, C, h, w]; a larger batch is an {@link IllegalArgumentException}. */
    default RgbImage preview(HostTensor latents) {
        if (latents.shape().rank() != 4 || latents.shape().dim(0) != 1) {
            throw new IllegalArgumentException("preview takes latents [1, C, h, w], given " + latents.shape()
                    + " (previewAll decodes a batch)");
        }
        return previewAll(latents).getFirst();
    }

    /** What decodes, and on which backend, for logs ("taesd decoder on cpu fp32, 2 threads"). */
    String describe();
}
