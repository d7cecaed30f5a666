package dev.turbojet.ops;

import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What callers ask of any backend instead of asking which backend it is: close, a timer, the pass,
 * device memory, the copy ceiling and a sibling of another storage type, on the CPU backend and through
 * decorators (the CUDA side is in {@code CudaOpsGpuTest}).
 */
class BackendServicesTest {

    @Test
    void theCpuBackendHoldsNothingAndTimesWithTheWallClock() {
        try (Ops ops = new CpuOps()) {
            assertTrue(ops.deviceMemoryInUse().isEmpty());
            OpTimer timer = ops.timer();
            Tensor a = ops.upload(HostTensor.of(Shape.of(2, 2), 1, 2, 3, 4));
            try (Ops.Pass ignored = ops.pass()) {
                timer.begin();
                ops.linear(a, a);
                timer.end();
            }
            double[] ms = timer.drain();
            assertEquals(1, ms.length);
            assertTrue(ms[0] >= 0, () -> "elapsed " + ms[0]);
            assertEquals(0, timer.drain().length, "a drain starts afresh");
        }
    }

    @Test
    void closingTheCpuBackendStopsItsWorkerThreads() throws InterruptedException {
        int before = Thread.activeCount();
        for (int i = 0; i < 20; i++) {
            try (CpuOps ops = new CpuOps(2)) {
                Tensor a = ops.upload(HostTensor.of(Shape.of(256, 256), new float[256 * 256]));
                ops.linear(a, a);                                        // big enough to fork onto the workers
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Thread.activeCount() > before && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(Thread.activeCount() <= before, () -> Thread.activeCount() + " threads after 20 closed backends, " + before + " before");
        CpuOps closed = new CpuOps(2);
        Tensor x = closed.upload(HostTensor.of(Shape.of(2, 2), 1, 2, 3, 4));
        closed.close();
        assertEquals(2f, closed.download(closed.scale(x, 2f)).data()[0], "a closed backend still computes, on the caller's thread");
    }

    @Test
    void aBackendThatStoresOneTypeSaysSoWhenAskedForAnother() {
        Ops ops = new CpuOps();
        var e = assertThrows(UnsupportedOperationException.class, () -> ops.withStorage(DType.BF16));
        assertTrue(e.getMessage().contains("F32 only, not BF16"), e.getMessage());
        assertTrue(Backend.vaeBackendFor(ops).isEmpty(), "an fp32 backend decodes the VAE itself");
    }

    @Test
    void theHostCopyRateIsMeasured() {
        CopyRate rate = new CpuOps().measureCopyRate();
        assertTrue(rate.bytesPerSecond() > 1e8 && rate.bytesPerSecond() < 1e13, () -> rate.toString());
        assertEquals("256 MiB System.arraycopy", rate.how());
    }

    @Test
    void decoratorsCloseAndAskTheBackendTheyDecorate() {
        List<String> calls = new ArrayList<>();
        OpTimer marker = OpTimer.wallClock();
        Ops backend = new ForwardingOps(new CpuOps()) {
            @Override
            public void close() {
                calls.add("close");
            }

            @Override
            public OpTimer timer() {
                return marker;
            }

            @Override
            public Pass pass() {
                calls.add("pass");
                return () -> calls.add("end");
            }

            @Override
            public java.util.OptionalLong deviceMemoryInUse() {
                return java.util.OptionalLong.of(42);
            }
        };
        try (Ops traced = new TracingOps(backend); Ops.Pass ignored = traced.pass()) {
            assertSame(marker, traced.timer());
            assertEquals(42, traced.deviceMemoryInUse().orElseThrow());
        }
        ProfilingOps profiled = new ProfilingOps(backend, OpTimer.wallClock(), 4);
        profiled.pass().close();
        profiled.close();
        assertEquals(List.of("pass", "end", "close", "pass", "end", "close"), calls);
    }

    @Test
    void profilingTimesTheShorthandsAsTheOpsTheyStandFor() {
        ProfilingOps profiled = new ProfilingOps(new CpuOps(), OpTimer.wallClock(), 4);
        Tensor x = profiled.upload(HostTensor.of(Shape.of(2, 2), 1, -2, 3, -4));
        profiled.drain();
        profiled.silu(x);
        profiled.scale(x, 2f);
        profiled.linear(x, x);
        assertEquals(List.of("silu", "affine", "linear"), profiled.drain().stream().map(ProfilingOps.Call::op).toList());
    }

    @Test
    void theBackendFactoryChecksTheStorageType() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backend.CPU.create(DType.F16, notice -> { }));
        assertEquals("the cpu backend computes in fp32 only, not F16", e.getMessage());
        try (Ops cpu = Backend.CPU.create(DType.F32, notice -> { })) {
            assertEquals(DType.F32, cpu.storageType());
        }
    }
}
