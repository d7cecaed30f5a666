package dev.turbojet.ffi.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Turns a CUresult into a {@link CudaException} named by the driver's cuGetErrorName / cuGetErrorString. */
final class CudaCheck {
    private static final FunctionDescriptor ERR = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle ERROR_NAME = Native.downcall(Lib.CUDA, "cuGetErrorName", ERR);
    private static final MethodHandle ERROR_STRING = Native.downcall(Lib.CUDA, "cuGetErrorString", ERR);

    private CudaCheck() {}

    static void check(String function, int status) {
        if (status != 0) {
            throw new CudaException(function, status, describe(ERROR_NAME, status, "CUDA_ERROR_" + status),
                    describe(ERROR_STRING, status, ""));
        }
    }

    private static String describe(MethodHandle fn, int status, String fallback) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) fn.invokeExact(status, out);
            return rc == 0 ? Native.string(out.get(ADDRESS, 0)) : fallback;
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }
}
