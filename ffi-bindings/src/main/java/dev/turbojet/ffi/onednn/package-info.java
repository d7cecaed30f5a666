/**
 * oneDNN over FFM: the CPU backend's SGEMM and direct convolutions on AVX-512, where the library is
 * present (bytedeco's Maven Central jar on the class path, or a system libdnnl.so.3).
 *
 * <p>May depend on: {@code ffi}.
 */
package dev.turbojet.ffi.onednn;
