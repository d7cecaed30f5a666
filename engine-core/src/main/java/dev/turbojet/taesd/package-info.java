/**
 * madebyollin's TAESD tiny autoencoder (decoder and encoder) and the per-step latent previews
 * built on it.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code ops}, {@code nn}, {@code image},
 * {@code vae}.
 */
package dev.turbojet.taesd;
