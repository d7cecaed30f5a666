package dev.turbojet.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Native memory from the C library's {@code aligned_alloc}, freed by {@code free} once the segment is
 * unreachable. Unlike {@link Arena#allocate}, it is not counted against the JVM's direct-memory limit
 * ({@code -XX:MaxDirectMemorySize}, by default the heap's maximum), so gigabytes of model weights may live
 * outside a small heap.
 */
@SuppressWarnings("restricted") // binding libc's allocator is this class's job
public final class HostMemory {
    private static final Linker LINKER = Linker.nativeLinker();
    // void *aligned_alloc(size_t alignment, size_t size); void free(void *ptr)
    private static final MethodHandle ALIGNED_ALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().find("aligned_alloc").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));

    private HostMemory() {
    }

    /**
     * {@code bytes} of uninitialised native memory aligned to {@code alignment} (a power of two), freed when
     * the returned segment (and every slice of it) is unreachable; an {@link OutOfMemoryError} naming the size
     * when the C library has none to give.
     */
    public static MemorySegment allocate(long bytes, long alignment) {
        if (bytes < 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("allocate " + bytes + " bytes aligned to " + alignment);
        }
        // aligned_alloc wants the size a multiple of the alignment
        long size = Math.max(alignment, (bytes + alignment - 1) / alignment * alignment);
        MemorySegment raw;
        try {
            raw = (MemorySegment) ALIGNED_ALLOC.invokeExact(alignment, size);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
        if (raw.address() == 0) throw new OutOfMemoryError("aligned_alloc of " + size + " bytes of native memory failed");
        return raw.reinterpret(bytes, Arena.ofAuto(), HostMemory::free);
    }

    private static void free(MemorySegment segment) {
        try {
            FREE.invokeExact(segment);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }
}
