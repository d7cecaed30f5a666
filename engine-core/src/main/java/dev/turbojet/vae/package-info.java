/**
 * diffusers AutoencoderKL: the decoder, whole or by overlapping tiles in bounded memory
 * ({@link dev.turbojet.vae.VaeTiling}, diffusers' enable_tiling), the encoder for img2img, and the image
 * post-processing.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code ops}, {@code nn}.
 */
package dev.turbojet.vae;
