package dev.turbojet.bench;

import dev.turbojet.profile.Workloads;
import dev.turbojet.profile.SyntheticModels;
import dev.turbojet.profile.ModelSize;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.vae.VaeConfig;
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

import java.util.concurrent.TimeUnit;

/**
 * Prompt ids to decoded image: both text encoders, {@code steps} UNet passes with Euler-ancestral
 * steps, the VAE decoder, and the transfers in between (the image comes back to the host). The
 * full-size pipeline holds 14 GB of fp32 weights on the cpu backend.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
        "-Xmx20g", "-XX:+UseParallelGC"})
public class PipelineBench {
    @Param({"cpu"})
    public String backend;
    @Param({"tiny"})
    public String size;
    @Param({"16", "64"})
    public int latent;
    @Param({"1"})
    public int steps;
    @Param({"fp32"})
    public String dtype;

    private Ops ops;
    private Workloads.Generation generation;

    @Setup
    public void setUp() {
        ModelSize model = ModelSize.parse(size);
        VaeConfig vae = model.vae();
        ops = Backends.create(backend, dtype);
        Report.counted("pipeline " + size + " " + latent + "x" + latent + ", " + steps + " step(s)",
                Workloads.countGeneration(model, latent, steps, Backends.bytes(dtype)));
        long t0 = System.nanoTime();
        generation = Workloads.Generation.create(
                SyntheticModels.textEncoders(model.textEncoder(), model.textEncoder2(), ops),
                SyntheticModels.unet(model.unet(), ops), SyntheticModels.vaeDecoder(vae, ops), vae, latent, steps);
        Report.loaded(ops, t0);
    }

    @Benchmark
    public HostTensor generate() {
        return Backends.timed(ops, () -> generation.run(ops));
    }

    @TearDown
    public void tearDown() {
        ops.close();
    }
}
