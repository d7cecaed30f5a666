package dev.turbojet.ffi.cudnn;

import java.lang.foreign.MemorySegment;

/** A cudnnBackendDescriptor_t and what kind of descriptor it is. */
public record Descriptor(MemorySegment handle, DescriptorType type) {}
