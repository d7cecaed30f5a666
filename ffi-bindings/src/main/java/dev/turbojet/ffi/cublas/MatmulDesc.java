package dev.turbojet.ffi.cublas;

import java.lang.foreign.MemorySegment;

/** A cublasLtMatmulDesc_t. */
public record MatmulDesc(MemorySegment handle) {}
