package dev.turbojet.bench;

import dev.turbojet.profile.Workloads;
import dev.turbojet.profile.SyntheticModels;
import dev.turbojet.profile.ModelSize;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One UNet forward (one SDXL Turbo step): batch 1, 77 text tokens, synthetic weights. The defaults
 * run the tiny model; the full one is {@code -p size=full} (fp32 weights alone take 10.3 GB on the
 * cpu backend, and one 64x64 forward, 1.59 TFLOP, takes tens of seconds on a small CPU: run it as
 * {@code -bm ss -wi 0 -i 1}). The fork's heap, 13 GB, holds the full model's weights with room for
 * activations up to a 64x64 latent and no more, so that ParallelGC does not grow the process past
 * what a 24 GB machine shared with other work can give; for a 128x128 latent add
 * {@code -jvmArgsAppend "-Xmx20g -XX:+UseParallelGC"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
        "-Xmx13g", "-XX:+UseParallelGC"})
public class UNetBench {
    @Param({"cpu"})
    public String backend;
    @Param({"tiny"})
    public String size;
    /** Latent side: 16, 32, 64, 128 for 128, 256, 512, 1024 px. */
    @Param({"16", "32", "64"})
    public int latent;
    @Param({"fp32"})
    public String dtype;
    /**
     * The step's denoise (everything after the time embedding) made ready once with {@link Ops#prepare}
     * and run from that each time: on cuda a CUDA graph captured once and replayed; on cpu, which records
     * nothing, the same eager forward. The embedding, which reads host values, runs eagerly before it.
     */
    @Param({"false"})
    public boolean graphs;

    private Ops ops;
    private Workloads.UNetStep step;
    private Ops.Replayable denoise;

    @Setup
    public void setUp() {
        ModelSize model = ModelSize.parse(size);
        ops = Backends.create(backend, dtype);
        Report.counted("UNet " + size + " " + latent + "x" + latent,
                Workloads.countUNet(model, latent, Backends.bytes(dtype)));
        long t0 = System.nanoTime();
        step = Workloads.UNetStep.create(ops, SyntheticModels.unet(model.unet(), ops), latent);
        Report.loaded(ops, t0);
        if (graphs) {
            Tensor emb = step.embed(ops);
            denoise = ops.prepare("UNet denoise " + latent + "x" + latent, List.of(step.sample(), emb, step.context()),
                    in -> step.unet().denoise(ops, in.get(0), in.get(1), in.get(2)));
        }
    }

    @Benchmark
    public Tensor forward() {
        if (denoise == null) return Backends.timed(ops, () -> step.run(ops));
        return Backends.timed(ops, () -> denoise.run(List.of(step.sample(), step.embed(ops), step.context())));
    }

    @TearDown
    public void tearDown() {
        ops.close();
    }
}
