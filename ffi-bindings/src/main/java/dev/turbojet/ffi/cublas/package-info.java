/**
 * cuBLASLt: matmul descriptors, layouts, epilogues, algorithm search and the cached GEMM plans.
 *
 * <p>May depend on: {@code ffi}, {@code ffi.cuda}.
 */
package dev.turbojet.ffi.cublas;
