package dev.turbojet.ffi.nvrtc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** NVRTC (libnvrtc): run-time compilation of CUDA C++, the fallback when no fatbin was built. */
public final class Nvrtc {
    private static final int ERROR_COMPILATION = 6;

    private static final MethodHandle VERSION = fn("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ERROR_STRING = fn("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle CREATE = fn("nvrtcCreateProgram",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle DESTROY = fn("nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle COMPILE = fn("nvrtcCompileProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final FunctionDescriptor SIZE = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle LOG_SIZE = fn("nvrtcGetProgramLogSize", SIZE);
    private static final MethodHandle LOG = fn("nvrtcGetProgramLog", SIZE);
    private static final MethodHandle CUBIN_SIZE = fn("nvrtcGetCUBINSize", SIZE);
    private static final MethodHandle CUBIN = fn("nvrtcGetCUBIN", SIZE);
    private static final MethodHandle PTX_SIZE = fn("nvrtcGetPTXSize", SIZE);
    private static final MethodHandle PTX = fn("nvrtcGetPTX", SIZE);

    /** NVRTC's major.minor version. */
    public record Version(int major, int minor) {}

    private Nvrtc() {}

    private static MethodHandle fn(String name, FunctionDescriptor descriptor) {
        return Native.downcall(Lib.NVRTC, name, descriptor);
    }

    public static Version version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(JAVA_INT);
            MemorySegment minor = arena.allocate(JAVA_INT);
            check("nvrtcVersion", (int) VERSION.invokeExact(major, minor), "");
            return new Version(major.get(JAVA_INT, 0), minor.get(JAVA_INT, 0));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** NVRTC's name for a result code, e.g. NVRTC_ERROR_COMPILATION. */
    public static String statusName(int status) {
        return Native.statusString(ERROR_STRING, status);
    }

    /**
     * Compiles {@code source} with {@code options} (e.g. {@code --gpu-architecture=sm_89}). A real
     * architecture ({@code sm_XX}) yields a CUBIN, a virtual one ({@code compute_XX}) PTX.
     */
    public static CompiledKernel compile(String source, String name, List<String> options) {
        boolean cubin = options.stream().anyMatch(o -> o.matches("(--gpu-architecture=|-arch=?)sm_\\w+"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("nvrtcCreateProgram", (int) CREATE.invokeExact(out, arena.allocateFrom(source), arena.allocateFrom(name),
                    0, MemorySegment.NULL, MemorySegment.NULL), "");
            NvrtcProgram program = new NvrtcProgram(out.get(ADDRESS, 0));
            try {
                MemorySegment opts = arena.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) {
                    opts.setAtIndex(ADDRESS, i, arena.allocateFrom(options.get(i)));
                }
                int status = (int) COMPILE.invokeExact(program.handle(), options.size(), opts);
                String log = log(program);
                check("nvrtcCompileProgram(" + name + ")", status, status == ERROR_COMPILATION ? "\n" + log : log);
                byte[] image = cubin ? bytes(program, CUBIN_SIZE, CUBIN, "nvrtcGetCUBIN")
                        : bytes(program, PTX_SIZE, PTX, "nvrtcGetPTX");
                return new CompiledKernel(image, cubin, log);
            } finally {
                check("nvrtcDestroyProgram", (int) DESTROY.invokeExact(out), "");
            }
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** The compiler log without its trailing NUL. */
    private static String log(NvrtcProgram program) throws Throwable {
        byte[] raw = bytes(program, LOG_SIZE, LOG, "nvrtcGetProgramLog");
        int len = raw.length > 0 && raw[raw.length - 1] == 0 ? raw.length - 1 : raw.length;
        return new String(raw, 0, len, StandardCharsets.UTF_8);
    }

    /** Reads a size-then-data output (PTX keeps its trailing NUL, as cuModuleLoadData wants). */
    private static byte[] bytes(NvrtcProgram program, MethodHandle sizeFn, MethodHandle dataFn, String name)
            throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            check(name + "Size", (int) sizeFn.invokeExact(program.handle(), size), "");
            long n = size.get(JAVA_LONG, 0);
            MemorySegment data = arena.allocate(Math.max(1, n));
            check(name, (int) dataFn.invokeExact(program.handle(), data), "");
            return data.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    private static void check(String function, int status, String detail) {
        if (status != 0) {
            throw new NvrtcException(function, status, statusName(status), detail.strip());
        }
    }
}
