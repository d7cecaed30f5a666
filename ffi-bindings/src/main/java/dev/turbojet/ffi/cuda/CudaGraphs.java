package dev.turbojet.ffi.cuda;

import static dev.turbojet.ffi.cuda.CudaCheck.check;
import static dev.turbojet.ffi.cuda.CudaDriver.fn;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.turbojet.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Stream capture into a CUDA graph, instantiation and replay. */
public final class CudaGraphs {
    private static final MethodHandle BEGIN_CAPTURE =
            fn("cuStreamBeginCapture_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle END_CAPTURE = fn("cuStreamEndCapture", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle INSTANTIATE =
            fn("cuGraphInstantiateWithFlags", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LAUNCH = fn("cuGraphLaunch", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle EXEC_DESTROY = fn("cuGraphExecDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DESTROY = fn("cuGraphDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private CudaGraphs() {}

    /** From now on, work queued on {@code stream} is recorded, not run. */
    public static void beginCapture(Stream stream, CaptureMode mode) {
        try {
            check("cuStreamBeginCapture_v2", (int) BEGIN_CAPTURE.invokeExact(stream.handle(), mode.value));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static CudaGraph endCapture(Stream stream) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuStreamEndCapture", (int) END_CAPTURE.invokeExact(stream.handle(), out));
            return new CudaGraph(out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static CudaGraphExec instantiate(CudaGraph graph) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuGraphInstantiateWithFlags", (int) INSTANTIATE.invokeExact(out, graph.handle(), 0L));
            return new CudaGraphExec(out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void launch(CudaGraphExec exec, Stream stream) {
        try {
            check("cuGraphLaunch", (int) LAUNCH.invokeExact(exec.handle(), stream.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void destroy(CudaGraphExec exec) {
        try {
            check("cuGraphExecDestroy", (int) EXEC_DESTROY.invokeExact(exec.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void destroy(CudaGraph graph) {
        try {
            check("cuGraphDestroy", (int) DESTROY.invokeExact(graph.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }
}
