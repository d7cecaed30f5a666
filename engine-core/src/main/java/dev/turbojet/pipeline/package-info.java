/**
 * SdxlPipeline: text (or an init image) to images with diffusers' semantics, from a model folder
 * or a single file.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code io.singlefile}, {@code ops}, {@code clip},
 * {@code unet}, {@code vae}, {@code taesd}, {@code schedule}, {@code image}.
 */
package dev.turbojet.pipeline;
