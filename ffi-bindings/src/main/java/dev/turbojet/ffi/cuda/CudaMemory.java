package dev.turbojet.ffi.cuda;

import static dev.turbojet.ffi.cuda.CudaCheck.check;
import static dev.turbojet.ffi.cuda.CudaDriver.fn;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.turbojet.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Device memory, pinned host memory, memsets and copies (all in the current context). */
@SuppressWarnings("restricted") // native loading, downcalls and sizing native memory are this class's job
public final class CudaMemory {
    private static final int HOST_ALLOC_PORTABLE = 0x01;

    private static final MethodHandle ALLOC = fn("cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle FREE = fn("cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle GET_INFO = fn("cuMemGetInfo_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle HOST_ALLOC =
            fn("cuMemHostAlloc", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FREE_HOST = fn("cuMemFreeHost", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MEMSET_D8 =
            fn("cuMemsetD8Async", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_BYTE, JAVA_LONG, ADDRESS));
    private static final MethodHandle MEMSET_D32 =
            fn("cuMemsetD32Async", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle HTOD = fn("cuMemcpyHtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG));
    private static final MethodHandle DTOH = fn("cuMemcpyDtoH_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle HTOD_ASYNC =
            fn("cuMemcpyHtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle DTOH_ASYNC =
            fn("cuMemcpyDtoHAsync_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
    private static final MethodHandle DTOD_ASYNC =
            fn("cuMemcpyDtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));

    /** Free and total device memory of the current context, in bytes. */
    public record Info(long freeBytes, long totalBytes) {}

    private CudaMemory() {}

    public static DeviceAllocation alloc(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("allocation size must be positive: " + bytes);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check("cuMemAlloc_v2", (int) ALLOC.invokeExact(out, bytes));
            return new DeviceAllocation(new DevicePtr(out.get(JAVA_LONG, 0)), bytes);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void free(DeviceAllocation allocation) {
        try {
            check("cuMemFree_v2", (int) FREE.invokeExact(allocation.ptr().address()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static Info info() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(JAVA_LONG);
            MemorySegment total = arena.allocate(JAVA_LONG);
            check("cuMemGetInfo_v2", (int) GET_INFO.invokeExact(free, total));
            return new Info(free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Page-locked host memory, portable across contexts: the source/target of truly async copies. */
    public static PinnedBuffer allocPinned(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuMemHostAlloc", (int) HOST_ALLOC.invokeExact(out, bytes, HOST_ALLOC_PORTABLE));
            return new PinnedBuffer(out.get(ADDRESS, 0).reinterpret(bytes));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void freePinned(PinnedBuffer buffer) {
        try {
            check("cuMemFreeHost", (int) FREE_HOST.invokeExact(buffer.segment()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Sets {@code count} bytes to {@code value}. */
    public static void memsetD8(DevicePtr dst, byte value, long count, Stream stream) {
        try {
            check("cuMemsetD8Async", (int) MEMSET_D8.invokeExact(dst.address(), value, count, stream.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Sets {@code count} 32-bit words to {@code value}; {@code dst} must be 4-byte aligned. */
    public static void memsetD32(DevicePtr dst, int value, long count, Stream stream) {
        requireAligned(dst, 4, "cuMemsetD32Async");
        try {
            check("cuMemsetD32Async", (int) MEMSET_D32.invokeExact(dst.address(), value, count, stream.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Synchronous copy of all of {@code src} (native memory) to {@code dst}. */
    public static void copyToDevice(DevicePtr dst, MemorySegment src) {
        requireNative(src);
        try {
            check("cuMemcpyHtoD_v2", (int) HTOD.invokeExact(dst.address(), src, src.byteSize()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Synchronous copy filling all of {@code dst} (native memory) from {@code src}. */
    public static void copyToHost(MemorySegment dst, DevicePtr src) {
        requireNative(dst);
        try {
            check("cuMemcpyDtoH_v2", (int) DTOH.invokeExact(dst, src.address(), dst.byteSize()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Async upload; overlaps with other work only when {@code src} is pinned. */
    public static void copyToDeviceAsync(DevicePtr dst, MemorySegment src, Stream stream) {
        requireNative(src);
        try {
            check("cuMemcpyHtoDAsync_v2", (int) HTOD_ASYNC.invokeExact(dst.address(), src, src.byteSize(), stream.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void copyToHostAsync(MemorySegment dst, DevicePtr src, Stream stream) {
        requireNative(dst);
        try {
            check("cuMemcpyDtoHAsync_v2", (int) DTOH_ASYNC.invokeExact(dst, src.address(), dst.byteSize(), stream.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void copyDeviceToDeviceAsync(DevicePtr dst, DevicePtr src, long bytes, Stream stream) {
        try {
            check("cuMemcpyDtoDAsync_v2", (int) DTOD_ASYNC.invokeExact(dst.address(), src.address(), bytes, stream.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    static void requireAligned(DevicePtr p, int bytes, String what) {
        if (!p.isAligned(bytes)) {
            throw new IllegalArgumentException(what + ": " + p + " is not " + bytes + "-byte aligned");
        }
    }

    private static void requireNative(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("host side of a device copy must be native memory, not a heap segment");
        }
    }
}
