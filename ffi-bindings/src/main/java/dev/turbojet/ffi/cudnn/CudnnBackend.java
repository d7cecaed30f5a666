package dev.turbojet.ffi.cudnn;

import static dev.turbojet.ffi.cudnn.Cudnn.check;
import static dev.turbojet.ffi.cudnn.Cudnn.fn;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.turbojet.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The cuDNN backend (graph) API: create a descriptor, set its attributes, finalize it. Each setter
 * passes the attribute type cuDNN expects for that attribute (see {@link Attribute}).
 */
public final class CudnnBackend {
    private static final MethodHandle CREATE =
            fn("cudnnBackendCreateDescriptor", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle DESTROY = fn("cudnnBackendDestroyDescriptor", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FINALIZE = fn("cudnnBackendFinalize", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SET = fn("cudnnBackendSetAttribute",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle GET = fn("cudnnBackendGetAttribute",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle EXECUTE =
            fn("cudnnBackendExecute", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

    private CudnnBackend() {}

    public static Descriptor create(DescriptorType type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cudnnBackendCreateDescriptor(" + type + ")", (int) CREATE.invokeExact(type.value, out));
            return new Descriptor(out.get(ADDRESS, 0), type);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void finalize(Descriptor d) {
        try {
            check("cudnnBackendFinalize(" + d.type() + ")", (int) FINALIZE.invokeExact(d.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void destroy(Descriptor d) {
        try {
            check("cudnnBackendDestroyDescriptor(" + d.type() + ")", (int) DESTROY.invokeExact(d.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    static void setLongs(Descriptor d, Attribute a, long... values) {
        try (Arena arena = Arena.ofConfined()) {
            set(d, a, values.length, arena.allocateFrom(JAVA_LONG, values));
        }
    }

    /** An attribute whose cuDNN type is a C enum (data type, convolution mode, heuristic mode). */
    static void setEnum(Descriptor d, Attribute a, int value) {
        try (Arena arena = Arena.ofConfined()) {
            set(d, a, 1, arena.allocateFrom(JAVA_INT, value));
        }
    }

    static void setFloat(Descriptor d, Attribute a, float value) {
        try (Arena arena = Arena.ofConfined()) {
            set(d, a, 1, arena.allocateFrom(JAVA_FLOAT, value));
        }
    }

    static void setHandle(Descriptor d, Attribute a, CudnnHandle handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(ADDRESS);
            array.set(ADDRESS, 0, handle.handle());
            set(d, a, 1, array);
        }
    }

    static void setDescriptors(Descriptor d, Attribute a, Descriptor... values) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(ADDRESS, values.length);
            for (int i = 0; i < values.length; i++) {
                array.setAtIndex(ADDRESS, i, values[i].handle());
            }
            set(d, a, values.length, array);
        }
    }

    /** Device pointers (as raw addresses). */
    static void setPointers(Descriptor d, Attribute a, long... addresses) {
        try (Arena arena = Arena.ofConfined()) {
            set(d, a, addresses.length, arena.allocateFrom(JAVA_LONG, addresses));
        }
    }

    static long getLong(Descriptor d, Attribute a) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_LONG);
            MemorySegment value = arena.allocate(JAVA_LONG);
            int status = (int) GET.invokeExact(d.handle(), a.value, a.type.value, 1L, count, value);
            check("cudnnBackendGetAttribute(" + a + ")", status);
            return value.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Reads a descriptor-array attribute (e.g. heuristic results) into freshly created descriptors of {@code type}. */
    static List<Descriptor> getDescriptors(Descriptor d, Attribute a, DescriptorType type, int max) {
        List<Descriptor> out = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            out.add(create(type));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_LONG);
            MemorySegment array = arena.allocate(ADDRESS, max);
            for (int i = 0; i < max; i++) {
                array.setAtIndex(ADDRESS, i, out.get(i).handle());
            }
            int status = (int) GET.invokeExact(d.handle(), a.value, a.type.value, (long) max, count, array);
            check("cudnnBackendGetAttribute(" + a + ")", status);
            int n = (int) Math.min(max, count.get(JAVA_LONG, 0));
            out.subList(n, max).forEach(CudnnBackend::destroy);
            return List.copyOf(out.subList(0, n));
        } catch (Throwable t) {
            out.forEach(CudnnBackend::destroy);  // the pre-created descriptors are ours until the call succeeds
            throw Native.unchecked(t);
        }
    }

    static void execute(CudnnHandle handle, Descriptor plan, Descriptor variantPack) {
        try {
            check("cudnnBackendExecute", (int) EXECUTE.invokeExact(handle.handle(), plan.handle(), variantPack.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    private static void set(Descriptor d, Attribute a, long count, MemorySegment values) {
        try {
            int status = (int) SET.invokeExact(d.handle(), a.value, a.type.value, count, values);
            check("cudnnBackendSetAttribute(" + d.type() + ", " + a + ")", status);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }
}
