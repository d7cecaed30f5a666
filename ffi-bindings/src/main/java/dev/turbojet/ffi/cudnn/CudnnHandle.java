package dev.turbojet.ffi.cudnn;

import java.lang.foreign.MemorySegment;

/** A cudnnHandle_t. */
public record CudnnHandle(MemorySegment handle) {}
