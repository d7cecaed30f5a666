package dev.turbojet.ops.cuda;

import dev.turbojet.ops.Backend;
import dev.turbojet.ops.CopyRate;
import dev.turbojet.ops.OpTimer;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the CUDA backend answers through {@link Ops} alone, so that no caller asks which backend it has:
 * event timing, device memory, the copy ceiling, a bf16 sibling for the VAE, and close.
 */
class CudaServicesGpuTest {
    @BeforeEach
    void gpu() {
        assumeTrue(GpuSupport.available(), () -> GpuSupport.skipReason().orElse(""));
    }

    @Test
    void eventsTimeTheOpsOfAPass() {
        try (Ops ops = CudaOps.open(new CudaOps.Options(0, Precision.FP16, 64L << 20))) {
            Tensor a = ops.upload(HostTensor.of(Shape.of(64, 64), new float[64 * 64]));
            OpTimer timer = ops.timer();
            try (Ops.Pass ignored = ops.pass()) {
                for (int i = 0; i < 3; i++) {
                    timer.begin();
                    ops.linear(a, a);
                    timer.end();
                }
            }
            double[] ms = timer.drain();
            assertEquals(3, ms.length);
            for (double t : ms) assertTrue(t >= 0 && t < 60_000, () -> "elapsed " + t);
        }
    }

    @Test
    void deviceMemoryAndTheCopyCeiling() {
        try (Ops ops = CudaOps.open(new CudaOps.Options(0, Precision.BF16, 64L << 20))) {
            long inUse = ops.deviceMemoryInUse().orElseThrow();
            assertTrue(inUse > 0, () -> "in use " + inUse);
            CopyRate rate = ops.measureCopyRate();
            assertTrue(rate.bytesPerSecond() > 0, rate::toString);
            assertTrue(rate.how().endsWith("MiB device-to-device copy"), rate.how());
        }
    }

    @Test
    void anFp16BackendDecodesTheVaeOnABf16Sibling() {
        try (Ops fp16 = CudaOps.open(new CudaOps.Options(0, Precision.FP16, 64L << 20))) {
            try (Ops vae = Backend.vaeBackendFor(fp16).orElseThrow()) {
                assertEquals(DType.BF16, vae.storageType());
                Tensor t = vae.upload(HostTensor.of(Shape.of(2), 1.5f, -2f));
                assertEquals(-2f, vae.download(t).data()[1]);
            }
            assertTrue(fp16.download(fp16.upload(HostTensor.of(Shape.of(1), 3f))).data()[0] == 3f,
                    "closing the sibling leaves the backend working");
            try (Ops bf16 = fp16.withStorage(DType.BF16)) {
                assertTrue(Backend.vaeBackendFor(bf16).isEmpty(), "a bf16 backend decodes the VAE itself");
            }
            var e = assertThrows(IllegalArgumentException.class, () -> fp16.withStorage(DType.F32));
            assertEquals("the cuda backend stores fp16 or bf16, not F32", e.getMessage());
        }
    }
}
