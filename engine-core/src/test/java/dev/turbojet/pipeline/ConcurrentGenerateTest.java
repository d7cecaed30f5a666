package dev.turbojet.pipeline;

import dev.turbojet.io.Variant;
import dev.turbojet.ops.cpu.CpuOps;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One pipeline shared by several threads: calls run one at a time and give the images they give alone. */
class ConcurrentGenerateTest {
    private static final int THREADS = 4;

    @Test
    void concurrentCallsSerialiseAndMatchSequentialRuns() throws Exception {
        SdxlPipeline pipeline = SdxlPipeline.load(TinyModel.folder(), new CpuOps(),
                PipelineOptions.defaults().withVariants(List.of(Variant.FP32)));
        List<GenerationRequest> requests = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            requests.add(GenerationRequest.builder(TinyModel.prompt(t)).size(64, 64).seed(100 + t).steps(2).build());
        }
        List<byte[]> sequential = new ArrayList<>();
        for (GenerationRequest r : requests) sequential.add(pipeline.generate(r).getFirst().image().rgb());

        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<byte[]>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            for (GenerationRequest r : requests) {
                GenerationRequest watched = r.toBuilder().listener(new GenerationListener() {
                    @Override
                    public void onStart(dev.turbojet.tensor.HostTensor noise, dev.turbojet.tensor.HostTensor latents, float[] t) {
                        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    }

                    @Override
                    public void onStep(StepProgress p) {
                        if (p.step() == p.total() - 1) running.decrementAndGet();
                    }
                }).build();
                Callable<byte[]> job = () -> {
                    start.await();
                    return pipeline.generate(watched).getFirst().image().rgb();
                };
                results.add(pool.submit(job));
            }
            start.countDown();
            for (int t = 0; t < THREADS; t++) assertArrayEquals(sequential.get(t), results.get(t).get(), "thread " + t);
        }
        assertEquals(1, mostAtOnce.get(), "generations running at once");
    }
}
