package dev.turbojet.ops.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.GpuTests;
import dev.turbojet.ffi.NativeCallException;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.ops.Act;
import dev.turbojet.ops.CheckedOps;
import dev.turbojet.ops.OpException;
import dev.turbojet.ops.Ops;
import dev.turbojet.pipeline.GenerationRequest;
import dev.turbojet.pipeline.PipelineOptions;
import dev.turbojet.pipeline.SdxlPipeline;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.testing.ReferenceKit;

import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults injected through the CUDA emulator (its README: an allocation out of memory, a launch
 * refused, a kernel failing while it runs, a NaN in an output, cuDNN and cuBLASLt offering nothing)
 * surface as Java exceptions naming the CUDA call and the op, leave the backend usable (or, after a
 * fault that poisons the GPU context, closable, with a fresh backend working afterwards), and never
 * hang or crash the JVM. Runs on the emulator only: a real GPU cannot be made to fail on demand.
 */
class CudaFaultsGpuTest {
    static final long ARENA = 64L << 20;

    @BeforeEach
    void emulator() {
        assumeTrue(GpuSupport.available(), () -> GpuSupport.skipReason().orElse(""));
        assumeTrue(GpuTests.emulated(), "faults are injected through the CUDA emulator");
        GpuTests.control("clear-faults");
    }

    @AfterEach
    void disarm() {
        if (GpuSupport.available() && GpuTests.emulated()) GpuTests.control("clear-faults");
    }

    /** Runs {@code body} on a fresh backend (checked as the pipeline checks), then closes it. */
    static void withBackend(boolean eachOp, Consumer<Ops> body) {
        try (CudaOps raw = CudaOps.open(new CudaOps.Options(0, Precision.FP16, ARENA))) {
            Ops ops = new CheckedOps(raw, eachOp);
            try (Ops.Pass pass = ops.pass()) {
                body.accept(ops);
            }
        }
    }

    /** A group norm, then SiLU: two kernels. */
    static HostTensor normAndSilu(Ops ops) {
        Tensor x = ops.upload(CudaOpsGpuTest.random(1, 2, 32, 8, 8));
        Tensor g = ops.upload(CudaOpsGpuTest.random(2, 32)), b = ops.upload(CudaOpsGpuTest.random(3, 32));
        return ops.download(ops.silu(ops.groupNorm(x, g, b, 8, 1e-5f, Act.NONE)));
    }

    static NativeCallException nativeCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof NativeCallException n) return n;
        throw new AssertionError("no CUDA call named in the cause chain of " + t, t);
    }

    @Test
    void outOfMemoryNamesTheAllocationAndTheOpAndTheBackendStaysUsable() {
        withBackend(false, ops -> {
            Tensor w = ops.upload(CudaOpsGpuTest.random(4, 16, 16));
            GpuTests.control("fault cuMemAlloc");  // the next allocation: a weight's own device memory
            OpException e = assertThrows(OpException.class, () -> ops.weight(CudaOpsGpuTest.view("w", CudaOpsGpuTest.random(5, 8, 8))));
            assertTrue(e.getMessage().startsWith("weight(w) failed on cuda fp16"), e.getMessage());
            NativeCallException cause = nativeCause(e);
            assertEquals("cuMemAlloc_v2", cause.function());
            assertEquals("CUDA_ERROR_OUT_OF_MEMORY", cause.statusName());
            assertEquals(256, ops.download(ops.add(w, w)).data().length);  // still works
        });
    }

    @Test
    void aRefusedLaunchNamesTheKernelAndTheOp() {
        withBackend(false, ops -> {
            GpuTests.control("fault launch:group_norm_f16");
            OpException e = assertThrows(OpException.class, () -> normAndSilu(ops));
            assertTrue(e.getMessage().startsWith("groupNorm([2, 32, 8, 8], 8 groups, NONE) failed"), e.getMessage());
            assertEquals("cuLaunchKernel(group_norm_f16)", nativeCause(e).function());
            assertEquals(2 * 32 * 8 * 8, normAndSilu(ops).data().length);  // the next launch runs
        });
    }

    @Test
    void aKernelFaultIsReportedAtTheNextSynchronisationAndPinnedToItsOpWhenEachOpIsChecked() {
        // unchecked: CUDA reports it when the host next waits (the download), naming that call
        RuntimeException late = assertThrows(RuntimeException.class, () -> withBackend(false, ops -> {
            GpuTests.control("fault kernel-fault:group_norm_f16");
            normAndSilu(ops);
        }));
        assertTrue(late.getMessage().contains("CUDA_ERROR_LAUNCH_FAILED"), late.getMessage());
        assertTrue(late.getMessage().contains("group_norm_f16"), late.getMessage());  // the emulator's diagnosis
        // checked: the op that queued it is named
        OpException pinned = assertThrows(OpException.class, () -> withBackend(true, ops -> {
            GpuTests.control("fault kernel-fault:group_norm_f16");
            normAndSilu(ops);
        }));
        assertTrue(pinned.getMessage().startsWith("groupNorm([2, 32, 8, 8], 8 groups, NONE) failed"), pinned.getMessage());
        assertTrue(pinned.getMessage().contains("CUDA_ERROR_LAUNCH_FAILED"), pinned.getMessage());
        // the poisoned context went away with the closed backends: a new one works
        withBackend(false, ops -> assertEquals(2 * 32 * 8 * 8, normAndSilu(ops).data().length));
    }

    @Test
    void aNonFiniteOutputNamesTheFirstOpThatMadeIt() {
        GpuTests.control("fault nan:silu_f16");
        OpException e = assertThrows(OpException.class, () -> withBackend(true, CudaFaultsGpuTest::normAndSilu));
        assertTrue(e.getMessage().startsWith("silu([2, 32, 8, 8]) on cuda fp16"), e.getMessage());
        assertTrue(e.getMessage().contains("produced 1 non-finite value"), e.getMessage());
    }

    @Test
    void noConvolutionEngineAndNoGemmAlgorithmAreNamed() {
        withBackend(false, ops -> {
            Tensor x = ops.upload(CudaOpsGpuTest.random(6, 1, 8, 6, 6));
            Tensor w = ops.weight(CudaOpsGpuTest.view("conv.weight", CudaOpsGpuTest.random(7, 8, 8, 3, 3)));
            GpuTests.control("fault cudnn.heuristic");
            OpException conv = assertThrows(OpException.class, () -> ops.conv2d(x, w, null, 1, 1));
            assertTrue(conv.getMessage().startsWith("conv2d([1, 8, 6, 6], [8, 8, 3, 3], no bias, stride 1, padding 1) failed"),
                    conv.getMessage());
            assertTrue(conv.getMessage().contains("cuDNN") || conv.getMessage().contains("cudnn"), conv.getMessage());
            assertEquals(8 * 36, ops.download(ops.conv2d(x, w, null, 1, 1)).data().length);  // the heuristic answers again

            Tensor a = ops.upload(CudaOpsGpuTest.random(8, 3, 16));
            Tensor lw = ops.weight(CudaOpsGpuTest.view("linear.weight", CudaOpsGpuTest.random(9, 24, 16)));
            GpuTests.control("fault cublasLt.heuristic");
            OpException gemm = assertThrows(OpException.class, () -> ops.linear(a, lw));
            assertTrue(gemm.getMessage().contains("cublasLtMatmulAlgoGetHeuristic"), gemm.getMessage());
            assertEquals(3 * 24, ops.download(ops.linear(a, lw)).data().length);
        });
    }

    @Test
    void aPipelineOnAFaultyDeviceFailsWithTheOpAndCanBeClosed() {
        try (CudaOps unet = CudaOps.open(new CudaOps.Options(0, Precision.FP16, 256L << 20));
             CudaOps vae = CudaOps.open(new CudaOps.Options(0, Precision.BF16, 256L << 20))) {
            SdxlPipeline pipeline = SdxlPipeline.load(ModelFolder.resolve(ReferenceKit.tiny().toString(), Optional.empty()), unet,
                    PipelineOptions.defaults().withVaeOps(vae).withEachOpChecked(true));
            GpuTests.control("fault nan:geglu_f16@2");
            OpException e = assertThrows(OpException.class,
                    () -> pipeline.generate(GenerationRequest.builder("a red fox").size(64, 64).seed(1).build()));
            assertTrue(e.getMessage().startsWith("geglu("), e.getMessage());
            GpuTests.control("clear-faults");
            assertEquals(64 * 64 * 3, pipeline.generate(GenerationRequest.builder("a red fox").size(64, 64).seed(1).build())
                    .getFirst().image().rgb().length);
        }
    }
}
