/**
 * Per-op timing and counting of whole passes, the workloads the benchmarks share, synthetic models
 * of any size.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code ops}, {@code nn},
 * {@code clip}, {@code unet}, {@code vae}, {@code schedule}.
 */
package dev.turbojet.profile;
