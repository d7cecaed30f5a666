package dev.turbojet.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** A CUevent. */
public record Event(MemorySegment handle) {}
