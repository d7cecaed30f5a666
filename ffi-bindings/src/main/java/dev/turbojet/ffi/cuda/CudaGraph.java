package dev.turbojet.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** A CUgraph captured from a stream. */
public record CudaGraph(MemorySegment handle) {}
