package dev.turbojet.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** A CUstream. {@link #LEGACY_DEFAULT} is the NULL stream. */
public record Stream(MemorySegment handle) {
    public static final Stream LEGACY_DEFAULT = new Stream(MemorySegment.NULL);
}
