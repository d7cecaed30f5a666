package dev.turbojet.ffi.cublas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.HostData;
import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.NativeLibraries;
import dev.turbojet.ffi.WheelLibraries;
import dev.turbojet.ffi.GpuTests;
import dev.turbojet.ffi.cuda.CudaDriver;
import dev.turbojet.ffi.cuda.CudaMemory;
import dev.turbojet.ffi.cuda.CudaStreams;
import dev.turbojet.ffi.cuda.DeviceAllocation;
import dev.turbojet.ffi.cuda.Stream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cuBLASLt GEMMs on a real GPU against a CPU GEMM; skips where there is no GPU. */
class CublasLtGpuTest {
    private static final double FP16_TOLERANCE = 3e-3;
    private static final double BF16_TOLERANCE = 1e-2;

    /** Per test, so each GPU test is reported as skipped with the reason. */
    @BeforeEach
    void gpu() {
        assumeTrue(GpuTests.skipReason(Lib.CUBLAS_LT).isEmpty(), () -> GpuTests.skipReason(Lib.CUBLAS_LT).orElse(""));
        if (GpuTests.emulatorFolder().isEmpty()) WheelLibraries.configure(Lib.CUBLAS_LT);  // real GPU: the wheel's library
        assumeTrue(NativeLibraries.isAvailable(Lib.CUBLAS_LT), "libcublasLt not found");
        CudaDriver.retainPrimaryContext(CudaDriver.device(0));
    }

    /** y = x · wᵀ + bias, x [m,k], w [n,k] (a Linear layer), batch-strided over x and y. */
    private static float[] reference(float[] x, float[] w, float[] bias, int batch, int m, int n, int k) {
        float[] y = new float[batch * m * n];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = bias == null ? 0 : bias[j];
                    for (int p = 0; p < k; p++) {
                        acc += (double) x[(b * m + i) * k + p] * w[j * k + p];
                    }
                    y[(b * m + i) * n + j] = (float) acc;
                }
            }
        }
        return y;
    }

    private void linear(DataType type, int batch, int m, int n, int k, boolean bias, double tolerance) {
        boolean bf16 = type == DataType.BF16;
        float[] x = HostData.roundTrip(HostData.random(1, batch * m * k), bf16);
        float[] w = HostData.roundTrip(HostData.random(2, n * k), bf16);
        float[] b = HostData.roundTrip(HostData.random(3, n), bf16);
        Stream stream = CudaStreams.createStream();
        CublasLtHandle handle = CublasLt.create();
        long workspaceBytes = 4L << 20;
        DeviceAllocation dx = CudaMemory.alloc(x.length * 2L);
        DeviceAllocation dw = CudaMemory.alloc(w.length * 2L);
        DeviceAllocation db = CudaMemory.alloc(b.length * 2L);
        DeviceAllocation dy = CudaMemory.alloc((long) batch * m * n * 2);
        DeviceAllocation ws = CudaMemory.alloc(workspaceBytes);
        try (Arena arena = Arena.ofConfined(); GemmPlans plans = new GemmPlans(handle, ws.ptr(), workspaceBytes)) {
            CudaMemory.copyToDevice(dx.ptr(), HostData.halfSegment(arena, x, bf16));
            CudaMemory.copyToDevice(dw.ptr(), HostData.halfSegment(arena, w, bf16));
            CudaMemory.copyToDevice(db.ptr(), HostData.halfSegment(arena, b, bf16));
            GemmShape shape = new GemmShape(m, n, k, batch, (long) m * k, 0, (long) m * n, type, true,
                    bias ? Epilogue.BIAS : Epilogue.NONE);
            plans.run(shape, dx.ptr(), dw.ptr(), dy.ptr(), bias ? Optional.of(db.ptr()) : Optional.empty(), stream);
            plans.run(shape, dx.ptr(), dw.ptr(), dy.ptr(), bias ? Optional.of(db.ptr()) : Optional.empty(), stream);
            assertEquals(1, plans.cachedPlans());
            CudaStreams.synchronize(stream);
            MemorySegment out = arena.allocate((long) batch * m * n * 2);
            CudaMemory.copyToHost(out, dy.ptr());
            float[] actual = HostData.fromHalfSegment(out, bf16);
            float[] expected = reference(x, w, bias ? b : null, batch, m, n, k);
            assertTrue(HostData.relErr(actual, expected) < tolerance, HostData.describe(actual, expected));
        } finally {
            for (DeviceAllocation a : new DeviceAllocation[] {dx, dw, db, dy, ws}) {
                CudaMemory.free(a);
            }
            CublasLt.destroy(handle);
            CudaStreams.destroy(stream);
        }
    }

    @Test
    void fp16LinearWithBiasEpilogue() {
        linear(DataType.F16, 1, 77, 96, 80, true, FP16_TOLERANCE);
    }

    @Test
    void bf16BatchedLinearSharingOneWeight() {
        linear(DataType.BF16, 3, 64, 40, 32, false, BF16_TOLERANCE);
    }
}
