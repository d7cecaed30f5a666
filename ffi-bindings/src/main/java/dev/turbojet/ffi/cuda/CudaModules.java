package dev.turbojet.ffi.cuda;

import static dev.turbojet.ffi.cuda.CudaCheck.check;
import static dev.turbojet.ffi.cuda.CudaDriver.fn;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.turbojet.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Modules (fatbin, cubin or PTX images held in memory), their kernels, and kernel launches. */
public final class CudaModules {
    private static final int FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;

    private static final MethodHandle LOAD_DATA = fn("cuModuleLoadData", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle UNLOAD = fn("cuModuleUnload", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle GET_FUNCTION =
            fn("cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FUNC_SET_ATTRIBUTE =
            fn("cuFuncSetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle LAUNCH = fn("cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

    private CudaModules() {}

    /**
     * Loads a fatbin, cubin or NUL-terminated PTX image. The driver picks the SASS for the current
     * device or JIT-compiles the embedded PTX.
     */
    public static CudaModule load(byte[] image) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(image.length + 1L, 16);
            MemorySegment.copy(image, 0, data, JAVA_BYTE, 0, image.length);
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuModuleLoadData", (int) LOAD_DATA.invokeExact(out, data));
            return new CudaModule(out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void unload(CudaModule module) {
        try {
            check("cuModuleUnload", (int) UNLOAD.invokeExact(module.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static CudaFunction function(CudaModule module, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int status = (int) GET_FUNCTION.invokeExact(out, module.handle(), arena.allocateFrom(name));
            check("cuModuleGetFunction(" + name + ")", status);
            return new CudaFunction(out.get(ADDRESS, 0), name);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Allows launches of {@code function} with up to {@code bytes} of dynamic shared memory (above 48 KiB needs this). */
    public static void setMaxDynamicSharedMemory(CudaFunction function, int bytes) {
        try {
            int status = (int) FUNC_SET_ATTRIBUTE.invokeExact(function.handle(),
                    FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
            check("cuFuncSetAttribute(" + function.name() + ")", status);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void launch(CudaFunction function, LaunchConfig config, Stream stream, KernelArgs args) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = args.pack(arena);
            int status = (int) LAUNCH.invokeExact(function.handle(), config.gridX(), config.gridY(), config.gridZ(),
                    config.blockX(), config.blockY(), config.blockZ(), config.sharedBytes(), stream.handle(),
                    params, MemorySegment.NULL);
            check("cuLaunchKernel(" + function.name() + ")", status);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }
}
