package dev.turbojet.ffi.cublas;

import java.lang.foreign.MemorySegment;

/** A cublasLtMatrixLayout_t. */
public record MatrixLayout(MemorySegment handle) {}
