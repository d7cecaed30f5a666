/**
 * turbojet's own CUDA kernels as Java sees them: the fatbin loaded once, and one launcher per .cu
 * that owns the grid maths and checks its arguments.
 *
 * <p>May depend on: {@code ffi.cuda}, {@code ffi.nvrtc}.
 */
package dev.turbojet.kernels;
