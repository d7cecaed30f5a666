/**
 * SdxlPipeline: text (or an init image) to images with diffusers' semantics, from a model folder,
 * a single file or a hub repository id (ModelSource.resolve).
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code io.singlefile}, {@code hub}, {@code ops},
 * {@code clip}, {@code unet}, {@code vae}, {@code taesd}, {@code schedule}, {@code image}.
 */
package dev.turbojet.pipeline;
