package dev.turbojet.ffi.cublas;

import java.lang.foreign.MemorySegment;

/** A cublasLtHandle_t. */
public record CublasLtHandle(MemorySegment handle) {}
