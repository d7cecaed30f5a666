package dev.turbojet.ffi.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.GpuTests;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The driver on a real GPU; skips (with the reason) where there is none. */
class CudaDriverGpuTest {
    private static Context context;

    /** Per test, so each GPU test is reported as skipped with the reason. */
    @BeforeEach
    void gpu() {
        assumeTrue(GpuTests.skipReason().isEmpty(), () -> GpuTests.skipReason().orElse(""));
        context = CudaDriver.retainPrimaryContext(CudaDriver.device(0));
    }

    @Test
    void deviceInfoIsPlausible() {
        DeviceInfo info = CudaDriver.info(context.device());
        assertTrue(info.multiprocessors() > 0 && info.totalMemoryBytes() > 0 && info.ccMajor() >= 7, info.toString());
        CudaMemory.Info mem = CudaMemory.info();
        assertTrue(mem.freeBytes() > 0 && mem.freeBytes() <= mem.totalBytes(), mem.toString());
    }

    @Test
    void memoryRoundTripWithMemsetsEventsAndAGraph() {
        CudaDriver.setCurrent(context);
        Stream stream = CudaStreams.createStream();
        DeviceAllocation a = CudaMemory.alloc(4096);
        DeviceAllocation b = CudaMemory.alloc(4096);
        PinnedBuffer pinned = CudaMemory.allocPinned(4096);
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < 1024; i++) {
                pinned.segment().setAtIndex(JAVA_INT, i, i);
            }
            Event start = CudaStreams.createEvent(true);
            Event end = CudaStreams.createEvent(true);
            CudaStreams.record(start, stream);
            CudaMemory.copyToDeviceAsync(a.ptr(), pinned.segment(), stream);
            CudaMemory.copyDeviceToDeviceAsync(b.ptr(), a.ptr(), 4096, stream);
            CudaMemory.memsetD32(b.ptr().plus(16), 0xCAFE, 2, stream);
            CudaMemory.memsetD8(b.ptr().plus(4092), (byte) 0, 4, stream);
            CudaStreams.record(end, stream);
            MemorySegment back = arena.allocate(4096);
            CudaMemory.copyToHostAsync(back, b.ptr(), stream);
            CudaStreams.synchronize(stream);
            assertTrue(CudaStreams.elapsedMillis(start, end) >= 0f);
            assertEquals(3, back.getAtIndex(JAVA_INT, 3));
            assertEquals(0xCAFE, back.getAtIndex(JAVA_INT, 4));
            assertEquals(0xCAFE, back.getAtIndex(JAVA_INT, 5));
            assertEquals(6, back.getAtIndex(JAVA_INT, 6));
            assertEquals(0, back.getAtIndex(JAVA_INT, 1023));

            CudaGraphs.beginCapture(stream, CaptureMode.THREAD_LOCAL);
            CudaMemory.memsetD32(a.ptr(), 7, 1024, stream);
            CudaMemory.copyDeviceToDeviceAsync(b.ptr(), a.ptr(), 4096, stream);
            CudaGraph graph = CudaGraphs.endCapture(stream);
            CudaGraphExec exec = CudaGraphs.instantiate(graph);
            CudaGraphs.launch(exec, stream);
            CudaStreams.synchronize(stream);
            CudaMemory.copyToHost(back, b.ptr());
            assertEquals(7, back.getAtIndex(JAVA_INT, 1000));
            CudaGraphs.destroy(exec);
            CudaGraphs.destroy(graph);
            CudaStreams.destroy(start);
            CudaStreams.destroy(end);
        } finally {
            CudaMemory.freePinned(pinned);
            CudaMemory.free(a);
            CudaMemory.free(b);
            CudaStreams.destroy(stream);
        }
    }
}
