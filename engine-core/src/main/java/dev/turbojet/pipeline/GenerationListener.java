package dev.turbojet.pipeline;

import dev.turbojet.tensor.HostTensor;

import java.time.Duration;

/**
 * Follows one generation: {@link #onStep} after every scheduler step (progress bars, previews), and
 * optionally the conditioning and starting latents (for checking a run against diffusers'
 * intermediates). Called on the generating thread; an exception thrown here ends the generation.
 */
@FunctionalInterface
public interface GenerationListener {
    /** Ignores everything. */
    GenerationListener NONE = step -> { };

    /**
     * One finished scheduler step.
     *
     * @param step      0-based index of the step just taken
     * @param total     steps this run takes (img2img: its shortened schedule)
     * @param timestep  the step's timestep (999 for SDXL Turbo's single step)
     * @param unetInput {@code scale_model_input(latents, t)} [B, 4, h, w] (the conditional half under guidance)
     * @param noisePred the UNet's eps after guidance [B, 4, h, w]
     * @param noise     the ancestral noise drawn by this step [B, 4, h, w]
     * @param latents   the latents after the step [B, 4, h, w]
     * @param elapsed   time since the generation started
     */
    record StepProgress(int step, int total, float timestep, HostTensor unetInput, HostTensor noisePred,
                        HostTensor noise, HostTensor latents, Duration elapsed) {
    }

    void onStep(StepProgress progress);

    /**
     * The UNet's conditioning, as it receives it: under guidance the batch is doubled,
     * unconditional rows first (diffusers' order).
     *
     * @param promptEmbeds [B', 77, cross_attention_dim]
     * @param pooled       [B', pooled dim] (added_cond_kwargs text_embeds)
     * @param timeIds      [B', 6] = (H, W, 0, 0, H, W)
     */
    default void onConditioning(HostTensor promptEmbeds, HostTensor pooled, HostTensor timeIds) {
    }

    /**
     * The starting point of the denoising loop.
     *
     * @param noise     text-to-image: the initial noise (latents = noise x init_noise_sigma);
     *                  img2img: the noise {@code add_noise} mixed into the encoded image
     * @param latents   the latents the first step starts from
     * @param timesteps the timesteps the loop will take
     */
    default void onStart(HostTensor noise, HostTensor latents, float[] timesteps) {
    }
}
