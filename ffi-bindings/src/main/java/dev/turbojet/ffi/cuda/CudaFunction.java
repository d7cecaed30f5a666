package dev.turbojet.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** A CUfunction (a kernel entry point) and its name, for error messages. */
public record CudaFunction(MemorySegment handle, String name) {}
