package dev.turbojet.ffi.cuda;

import java.lang.foreign.MemorySegment;

/** Page-locked host memory from cuMemHostAlloc, as a segment of its full size. */
public record PinnedBuffer(MemorySegment segment) {
    public long bytes() {
        return segment.byteSize();
    }
}
