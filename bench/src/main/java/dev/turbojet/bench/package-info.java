/**
 * The JMH benchmarks (UNet pass, text encoders, VAE decode, pipeline, GEMM and conv), the reading of
 * their results, and {@link dev.turbojet.bench.ComponentRun}, one component per process for the
 * CPU side-by-side with PyTorch ({@code bench/peer/cpu-side-by-side.sh}).
 *
 * <p>May depend on: {@code tensor}, {@code ops}, {@code ops.cpu}, {@code clip}, {@code vae}, {@code profile}, {@code io}.
 */
package dev.turbojet.bench;
