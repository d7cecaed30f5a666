/**
 * Binding a checkpoint to a backend (Weights, WeightReport) and the torch.nn layers the models
 * share: Linear, Conv2d, GroupNorm, LayerNorm.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code ops}.
 */
package dev.turbojet.nn;
