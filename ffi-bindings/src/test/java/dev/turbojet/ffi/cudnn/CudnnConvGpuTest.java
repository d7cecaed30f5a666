package dev.turbojet.ffi.cudnn;

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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cuDNN NHWC convolutions on a real GPU against a CPU convolution; skips where there is no GPU. */
class CudnnConvGpuTest {
    private static final double FP16_TOLERANCE = 3e-3;
    private static final double BF16_TOLERANCE = 1e-2;

    /** Per test, so each GPU test is reported as skipped with the reason. */
    @BeforeEach
    void gpu() {
        assumeTrue(GpuTests.skipReason(Lib.CUDNN).isEmpty(), () -> GpuTests.skipReason(Lib.CUDNN).orElse(""));
        if (GpuTests.emulatorFolder().isEmpty()) WheelLibraries.configure(Lib.CUDNN);  // real GPU: the wheel's library
        assumeTrue(NativeLibraries.isAvailable(Lib.CUDNN), "libcudnn.so.9 not found");
        CudaDriver.retainPrimaryContext(CudaDriver.device(0));
    }

    /** NHWC x [n,h,w,c], KRSC w [k,r,s,c] → NHWC y. */
    static float[] reference(ConvShape s, float[] x, float[] w) {
        float[] y = new float[s.n() * s.outH() * s.outW() * s.k()];
        for (int b = 0; b < s.n(); b++) {
            for (int oh = 0; oh < s.outH(); oh++) {
                for (int ow = 0; ow < s.outW(); ow++) {
                    for (int o = 0; o < s.k(); o++) {
                        double acc = 0;
                        for (int r = 0; r < s.r(); r++) {
                            for (int q = 0; q < s.s(); q++) {
                                int ih = oh * s.strideH() - s.padH() + r;
                                int iw = ow * s.strideW() - s.padW() + q;
                                if (ih < 0 || ih >= s.h() || iw < 0 || iw >= s.w()) {
                                    continue;
                                }
                                for (int c = 0; c < s.c(); c++) {
                                    acc += (double) x[((b * s.h() + ih) * s.w() + iw) * s.c() + c]
                                            * w[((o * s.r() + r) * s.s() + q) * s.c() + c];
                                }
                            }
                        }
                        y[((b * s.outH() + oh) * s.outW() + ow) * s.k() + o] = (float) acc;
                    }
                }
            }
        }
        return y;
    }

    private void conv(ConvShape s, double tolerance) {
        boolean bf16 = s.type() == ConvDataType.BFLOAT16;
        float[] x = HostData.roundTrip(HostData.random(5, s.n() * s.h() * s.w() * s.c()), bf16);
        float[] w = HostData.roundTrip(HostData.random(6, s.k() * s.r() * s.s() * s.c()), bf16);
        int yCount = s.n() * s.outH() * s.outW() * s.k();
        Stream stream = CudaStreams.createStream();
        CudnnHandle handle = Cudnn.create();
        Cudnn.setStream(handle, stream);
        DeviceAllocation dx = CudaMemory.alloc(x.length * 2L);
        DeviceAllocation dw = CudaMemory.alloc(w.length * 2L);
        DeviceAllocation dy = CudaMemory.alloc(yCount * 2L);
        try (Arena arena = Arena.ofConfined(); ConvPlans plans = new ConvPlans(handle)) {
            CudaMemory.copyToDevice(dx.ptr(), HostData.halfSegment(arena, x, bf16));
            CudaMemory.copyToDevice(dw.ptr(), HostData.halfSegment(arena, w, bf16));
            DeviceAllocation ws = CudaMemory.alloc(Math.max(256, plans.plan(s).workspaceBytes()));
            plans.run(s, dx.ptr(), dw.ptr(), dy.ptr(), ws.ptr());
            CudaStreams.synchronize(stream);
            CudaMemory.free(ws);
            MemorySegment out = arena.allocate(yCount * 2L);
            CudaMemory.copyToHost(out, dy.ptr());
            float[] actual = HostData.fromHalfSegment(out, bf16);
            float[] expected = reference(s, x, w);
            assertTrue(HostData.relErr(actual, expected) < tolerance, HostData.describe(actual, expected));
        } finally {
            CudaMemory.free(dx);
            CudaMemory.free(dw);
            CudaMemory.free(dy);
            Cudnn.destroy(handle);
            CudaStreams.destroy(stream);
        }
    }

    @Test
    void fp16ThreeByThreeSamePadding() {
        conv(ConvShape.of(1, 12, 10, 16, 32, 3, 1, ConvDataType.HALF), FP16_TOLERANCE);
    }

    @Test
    void bf16StridedDownsample() {
        conv(ConvShape.of(2, 16, 16, 8, 16, 3, 2, ConvDataType.BFLOAT16), BF16_TOLERANCE);
    }

    @Test
    void fp16PointwiseShortcut() {
        conv(ConvShape.of(1, 8, 8, 32, 16, 1, 1, ConvDataType.HALF), FP16_TOLERANCE);
    }
}
