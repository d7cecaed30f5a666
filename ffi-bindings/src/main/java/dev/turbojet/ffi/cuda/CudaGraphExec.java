package dev.turbojet.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** A CUgraphExec: an instantiated graph, ready to launch. */
public record CudaGraphExec(MemorySegment handle) {}
