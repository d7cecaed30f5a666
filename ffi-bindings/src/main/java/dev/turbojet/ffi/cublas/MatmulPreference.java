package dev.turbojet.ffi.cublas;

import java.lang.foreign.MemorySegment;

/** A cublasLtMatmulPreference_t. */
public record MatmulPreference(MemorySegment handle) {}
