package dev.turbojet.ffi.cudnn;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.Native;
import dev.turbojet.ffi.cuda.Stream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** cuDNN 9 (libcudnn.so.9, a dispatcher that loads libcudnn_graph and friends from its own folder). */
public final class Cudnn {
    private static final MethodHandle GET_VERSION = fn("cudnnGetVersion", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle ERROR_STRING = fn("cudnnGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle LAST_ERROR = fn("cudnnGetLastErrorString", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
    private static final MethodHandle CREATE = fn("cudnnCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DESTROY = fn("cudnnDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SET_STREAM = fn("cudnnSetStream", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private Cudnn() {}

    static MethodHandle fn(String name, FunctionDescriptor descriptor) {
        return Native.downcall(Lib.CUDNN, name, descriptor);
    }

    /** cudnnGetVersion: major*10000 + minor*100 + patch, e.g. 92400 (needs no GPU). */
    public static long version() {
        try {
            return (long) GET_VERSION.invokeExact();
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** cuDNN's name for a status, e.g. CUDNN_STATUS_BAD_PARAM. */
    public static String statusName(int status) {
        return Native.statusString(ERROR_STRING, status);
    }

    /** The message cuDNN kept about its most recent error on this thread ("" if none). */
    public static String lastError() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(1024);
            LAST_ERROR.invokeExact(buffer, 1024L);
            return buffer.getString(0);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    static void check(String function, int status) {
        if (status != 0) {
            throw new CudnnException(function, status, statusName(status), lastError());
        }
    }

    public static CudnnHandle create() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cudnnCreate", (int) CREATE.invokeExact(out));
            return new CudnnHandle(out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void destroy(CudnnHandle handle) {
        try {
            check("cudnnDestroy", (int) DESTROY.invokeExact(handle.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Work issued through {@code handle} goes to {@code stream}. */
    public static void setStream(CudnnHandle handle, Stream stream) {
        try {
            check("cudnnSetStream", (int) SET_STREAM.invokeExact(handle.handle(), stream.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }
}
