package dev.turbojet.pipeline;

import dev.turbojet.io.Variant;
import dev.turbojet.ops.cuda.CudaOps;
import dev.turbojet.ops.cuda.GpuSupport;
import dev.turbojet.ops.cuda.Precision;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link SoakTest} on the CUDA backend (the emulator in the build, where a generation takes seconds, so
 * {@value #GENERATIONS} of them; {@code -Dturbojet.soak.generations=N} on a GPU): device memory in use,
 * the heap after GC, open files and threads are the same after the warm-up and at the end, and the last
 * image is bit for bit the first.
 */
class CudaSoakGpuTest {
    static final int GENERATIONS = 12;

    @BeforeEach
    void gpu() {
        assumeTrue(GpuSupport.available(), () -> GpuSupport.skipReason().orElse(""));
    }

    @Test
    void generationsLeaveDeviceMemoryHeapFilesAndThreadsFlat() throws IOException {
        int generations = Integer.getInteger("turbojet.soak.generations", GENERATIONS);
        GenerationRequest request = GenerationRequest.builder(TinyModel.prompt(1)).size(64, 64).seed(11).build();
        try (CudaOps fp16 = CudaOps.open(new CudaOps.Options(0, Precision.FP16, 256L << 20));
             SdxlPipeline pipeline = SdxlPipeline.load(TinyModel.folder(), fp16,
                     PipelineOptions.defaults().withVariants(List.of(Variant.FP32)))) {
            byte[] first = pipeline.generate(request).getFirst().image().rgb();
            byte[] last = pipeline.generate(request).getFirst().image().rgb();   // warm-up: plans, workspaces
            long deviceBefore = fp16.deviceMemoryInUse().orElseThrow();
            SoakTest.Usage before = SoakTest.Usage.now();
            for (int i = 2; i < generations; i++) last = pipeline.generate(request).getFirst().image().rgb();
            long deviceAfter = fp16.deviceMemoryInUse().orElseThrow();
            SoakTest.Usage after = SoakTest.Usage.now();
            System.out.printf("cuda soak: %d generations; device memory in use %d -> %d bytes; %s -> %s%n",
                    generations, deviceBefore, deviceAfter, before, after);
            assertArrayEquals(first, last, "the last image is the first");
            assertEquals(deviceBefore, deviceAfter, "device memory in use");
            assertTrue(after.heapBytes() <= before.heapBytes() * 1.05 + (1 << 20), () -> "heap grew: " + before + " -> " + after);
            assertTrue(after.openFiles() <= before.openFiles(), () -> "open files grew: " + before + " -> " + after);
            assertTrue(after.threads() <= before.threads(), () -> "threads grew: " + before + " -> " + after);
        }
    }
}
