/**
 * Downloads a diffusers model from the Hugging Face hub into the Hugging Face cache, with
 * progress.
 *
 * <p>May depend on: {@code io}.
 */
package dev.turbojet.hub;
