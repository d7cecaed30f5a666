/**
 * The CLIP text encoders (transformers CLIPTextModel and CLIPTextModelWithProjection) and the CLIP
 * BPE tokenizer.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code ops}, {@code nn}.
 */
package dev.turbojet.clip;
