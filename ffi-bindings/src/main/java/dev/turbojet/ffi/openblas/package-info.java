/**
 * OpenBLAS over FFM: the CPU backend's SGEMM where the library is present (bytedeco's Maven Central
 * jar on the class path, or a system libopenblas.so.0).
 *
 * <p>May depend on: {@code ffi}.
 */
package dev.turbojet.ffi.openblas;
