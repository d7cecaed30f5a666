package dev.turbojet.ffi.nvrtc;

import java.lang.foreign.MemorySegment;

/** An nvrtcProgram. */
public record NvrtcProgram(MemorySegment handle) {}
