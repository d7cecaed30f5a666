package dev.turbojet.pipeline;

import dev.turbojet.io.Variant;
import dev.turbojet.ops.cpu.CpuOps;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@value #GENERATIONS} generations in one JVM through the library API on the tiny model: the heap after
 * GC, the open file descriptors and the live threads at generation {@value #SETTLED} and at the end are
 * the same (heap within 5%), and the last image is bit for bit the first (nothing accumulates).
 * {@code -Dturbojet.soak.generations=N} runs longer.
 */
class SoakTest {
    static final int GENERATIONS = 1000;
    static final int SETTLED = 100;

    @Test
    void aThousandGenerationsLeaveHeapFilesAndThreadsFlat() throws IOException {
        int generations = Integer.getInteger("turbojet.soak.generations", GENERATIONS);
        GenerationRequest request = GenerationRequest.builder(TinyModel.prompt(0)).size(64, 64).seed(7).build();
        try (SdxlPipeline pipeline = SdxlPipeline.load(TinyModel.folder(), new CpuOps(),
                PipelineOptions.defaults().withVariants(List.of(Variant.FP32)))) {
            byte[] first = pipeline.generate(request).getFirst().image().rgb();
            byte[] last = first;
            Usage settled = null;
            for (int i = 1; i <= generations; i++) {
                last = pipeline.generate(request).getFirst().image().rgb();
                if (i == Math.min(SETTLED, generations)) settled = Usage.now();
            }
            Usage end = Usage.now();
            assertArrayEquals(first, last, "the last image is the first");
            Usage base = settled;
            System.out.printf("soak: %d generations; at %d: %s; at the end: %s%n", generations, SETTLED, base, end);
            assertTrue(end.heapBytes() <= base.heapBytes() * 1.05 + (1 << 20),
                    () -> "heap after GC grew from " + base.heapBytes() + " to " + end.heapBytes() + " bytes");
            assertTrue(end.openFiles() <= base.openFiles(), () -> "open files grew from " + base.openFiles() + " to " + end.openFiles());
            assertTrue(end.threads() <= base.threads(), () -> "threads grew from " + base.threads() + " to " + end.threads());
        }
    }

    /** Heap in use after GC (the least of three collections), open file descriptors (-1 without /proc), live threads. */
    record Usage(long heapBytes, long openFiles, int threads) {
        static Usage now() throws IOException {
            long heap = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                System.gc();
                heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            }
            Path fds = Path.of("/proc/self/fd");
            long files = -1;
            if (Files.isDirectory(fds)) {
                try (var list = Files.list(fds)) {
                    files = list.count();
                }
            }
            return new Usage(heap, files, ManagementFactory.getThreadMXBean().getThreadCount());
        }
    }
}
