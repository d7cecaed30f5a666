/**
 * diffusers UNet2DConditionModel as SDXL configures it, one record per diffusers module.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code ops}, {@code nn}.
 */
package dev.turbojet.unet;
