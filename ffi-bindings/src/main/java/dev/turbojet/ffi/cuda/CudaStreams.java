package dev.turbojet.ffi.cuda;

import static dev.turbojet.ffi.cuda.CudaCheck.check;
import static dev.turbojet.ffi.cuda.CudaDriver.fn;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Streams and events: ordering, synchronisation and timing. */
public final class CudaStreams {
    private static final int STREAM_NON_BLOCKING = 0x1;
    private static final int EVENT_DEFAULT = 0x0;
    private static final int EVENT_DISABLE_TIMING = 0x2;

    private static final MethodHandle STREAM_CREATE = fn("cuStreamCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle STREAM_DESTROY = fn("cuStreamDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle STREAM_SYNC = fn("cuStreamSynchronize", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle STREAM_WAIT =
            fn("cuStreamWaitEvent", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle EVENT_CREATE = fn("cuEventCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle EVENT_DESTROY = fn("cuEventDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle EVENT_RECORD = fn("cuEventRecord", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle EVENT_SYNC = fn("cuEventSynchronize", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final FunctionDescriptor ELAPSED = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    /** CUDA 13 headers map cuEventElapsedTime to the _v2 entry point; 12-generation drivers before 12.8 lack it. */
    private static final MethodHandle EVENT_ELAPSED_V2 = fn("cuEventElapsedTime_v2", ELAPSED);
    private static final MethodHandle EVENT_ELAPSED_V1 = fn("cuEventElapsedTime", ELAPSED);

    private CudaStreams() {}

    /** A stream that does not synchronise with the legacy NULL stream. */
    public static Stream createStream() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuStreamCreate", (int) STREAM_CREATE.invokeExact(out, STREAM_NON_BLOCKING));
            return new Stream(out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void destroy(Stream stream) {
        try {
            check("cuStreamDestroy_v2", (int) STREAM_DESTROY.invokeExact(stream.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void synchronize(Stream stream) {
        try {
            check("cuStreamSynchronize", (int) STREAM_SYNC.invokeExact(stream.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Work queued on {@code stream} after this waits until {@code event} completes. */
    public static void waitEvent(Stream stream, Event event) {
        try {
            check("cuStreamWaitEvent", (int) STREAM_WAIT.invokeExact(stream.handle(), event.handle(), 0));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** An event; {@code timing} false makes it cheaper when only used for ordering. */
    public static Event createEvent(boolean timing) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuEventCreate", (int) EVENT_CREATE.invokeExact(out, timing ? EVENT_DEFAULT : EVENT_DISABLE_TIMING));
            return new Event(out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void destroy(Event event) {
        try {
            check("cuEventDestroy_v2", (int) EVENT_DESTROY.invokeExact(event.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void record(Event event, Stream stream) {
        try {
            check("cuEventRecord", (int) EVENT_RECORD.invokeExact(event.handle(), stream.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void synchronize(Event event) {
        try {
            check("cuEventSynchronize", (int) EVENT_SYNC.invokeExact(event.handle()));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Whether the driver exports cuEventElapsedTime_v2 (CUDA 12.8+), looked up once. */
    private static final class ElapsedVersion {
        static final boolean V2 = Native.hasSymbol(Lib.CUDA, "cuEventElapsedTime_v2");
    }

    /** Milliseconds between two completed timing events. */
    public static float elapsedMillis(Event start, Event end) {
        boolean v2 = ElapsedVersion.V2;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_FLOAT);
            int status = v2 ? (int) EVENT_ELAPSED_V2.invokeExact(out, start.handle(), end.handle())
                    : (int) EVENT_ELAPSED_V1.invokeExact(out, start.handle(), end.handle());
            check(v2 ? "cuEventElapsedTime_v2" : "cuEventElapsedTime", status);
            return out.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }
}
