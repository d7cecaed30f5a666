package dev.turbojet.bench;

import dev.turbojet.profile.Workloads;
import dev.turbojet.profile.SyntheticModels;
import dev.turbojet.profile.ModelSize;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Tensor;
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
 * The VAE decoder (post_quant_conv and decoder) on a latent x latent latent: 8x the pixels. The
 * full-size decoder at 64x64 is 2.51 TFLOP, more than a UNet step: run it as {@code -bm ss -wi 0 -i 1} on a CPU.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
        "-Xmx10g", "-XX:+UseParallelGC"})
public class VaeDecodeBench {
    @Param({"cpu"})
    public String backend;
    @Param({"tiny"})
    public String size;
    @Param({"16", "32", "64"})
    public int latent;
    @Param({"fp32"})
    public String dtype;

    private Ops ops;
    private Workloads.Decode decode;

    @Setup
    public void setUp() {
        ModelSize model = ModelSize.parse(size);
        VaeConfig cfg = model.vae();
        ops = Backends.create(backend, dtype);
        Report.counted("VAE decoder " + size + " " + latent + "x" + latent,
                Workloads.countVaeDecode(model, latent, Backends.bytes(dtype)));
        long t0 = System.nanoTime();
        decode = Workloads.Decode.create(ops, SyntheticModels.vaeDecoder(cfg, ops), cfg, latent);
        Report.loaded(ops, t0);
    }

    @Benchmark
    public Tensor decode() {
        return Backends.timed(ops, () -> decode.run(ops));
    }

    @TearDown
    public void tearDown() {
        ops.close();
    }
}
