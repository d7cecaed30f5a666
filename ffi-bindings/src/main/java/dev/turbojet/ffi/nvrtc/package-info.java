/**
 * NVRTC: compiles the kernels' CUDA sources at run time when the build had no nvcc.
 *
 * <p>May depend on: {@code ffi}.
 */
package dev.turbojet.ffi.nvrtc;
