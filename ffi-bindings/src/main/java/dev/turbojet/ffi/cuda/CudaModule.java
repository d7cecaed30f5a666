package dev.turbojet.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** A CUmodule loaded from a fatbin, cubin or PTX image. */
public record CudaModule(MemorySegment handle) {}
