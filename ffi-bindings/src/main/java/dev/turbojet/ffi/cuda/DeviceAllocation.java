package dev.turbojet.ffi.cuda;

/** Device memory from cuMemAlloc: its pointer and size. Free it with {@link CudaMemory#free}. */
public record DeviceAllocation(DevicePtr ptr, long bytes) {}
