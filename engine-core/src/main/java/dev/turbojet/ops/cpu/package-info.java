/**
 * The fp32 reference backend: multi-threaded, vectorised with the Vector API where it is present.
 *
 * <p>May depend on: {@code tensor}, {@code io}, {@code ops}, {@code ffi}, {@code ffi.openblas}, {@code ffi.onednn}.
 */
package dev.turbojet.ops.cpu;
