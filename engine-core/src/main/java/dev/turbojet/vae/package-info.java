/**
 * diffusers AutoencoderKL: the decoder, the encoder for img2img, and the image post-processing.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code ops}, {@code nn}.
 */
package dev.turbojet.vae;
