/**
 * cuDNN's backend API: descriptors and attributes, and the convolution graphs and plans built from
 * them.
 *
 * <p>May depend on: {@code ffi}, {@code ffi.cuda}.
 */
package dev.turbojet.ffi.cudnn;
