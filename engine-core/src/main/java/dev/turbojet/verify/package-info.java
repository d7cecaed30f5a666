/**
 * Checks the engine against the golden tensors of diffusers and transformers, one suite per kind
 * of golden file.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code ops}, {@code clip}, {@code unet},
 * {@code vae}, {@code taesd}, {@code schedule}, {@code pipeline}.
 */
package dev.turbojet.verify;
