package dev.turbojet.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** A CUcontext: the primary context of {@code device}. */
public record Context(MemorySegment handle, Device device) {}
