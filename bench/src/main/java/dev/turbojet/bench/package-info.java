/**
 * The JMH benchmarks (UNet pass, text encoders, VAE decode, pipeline, GEMM and conv) and the
 * reading of their results.
 *
 * <p>May depend on: {@code tensor}, {@code ops}, {@code clip}, {@code vae}, {@code profile}.
 */
package dev.turbojet.bench;
