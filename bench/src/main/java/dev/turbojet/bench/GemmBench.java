package dev.turbojet.bench;

import dev.turbojet.profile.Workloads;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Shape;
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

import java.util.concurrent.TimeUnit;

/**
 * {@code Ops.linear} at SDXL UNet shapes, {@code shape} = MxKxN: x [M, K] times W [N, K]^T plus bias.
 * Defaults: a 640-wide attention projection over 4096 tokens (level 1 at a 128x128 latent), the
 * level-1 GEGLU projection at a 64x64 latent (1024 tokens, 640 -> 5120), the level-2 one (256 tokens,
 * 1280 -> 10240) and a cross-attention key projection (77 tokens, 2048 -> 1280). FLOPs 2MKN.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
        "-Xmx2g", "-XX:+UseParallelGC"})
public class GemmBench {
    @Param({"cpu"})
    public String backend;
    @Param({"4096x640x640", "1024x640x5120", "256x1280x10240", "77x2048x1280"})
    public String shape;
    @Param({"fp32"})
    public String dtype;

    private Ops ops;
    private Tensor x, w, b;

    /** M, K, N of a shape parameter. */
    public static int[] dims(String shape) {
        return Backends.triple("gemm", shape, "MxKxN");
    }

    public static double flops(String shape) {
        int[] d = dims(shape);
        return 2.0 * d[0] * d[1] * d[2];
    }

    @Setup
    public void setUp() {
        int[] d = dims(shape);
        ops = Backends.create(backend, dtype);
        x = ops.upload(Workloads.noise(Shape.of(d[0], d[1]), 1));
        w = ops.upload(Workloads.noise(Shape.of(d[2], d[1]), 2));
        b = ops.upload(Workloads.noise(Shape.of(d[2]), 3));
        System.out.printf("%n[turbojet] linear %s: %.3f GFLOP per op; %s%n", shape, flops(shape) / 1e9, ops.describe());
    }

    @Benchmark
    public Tensor linear() {
        return Backends.timed(ops, () -> ops.linear(x, w, b));
    }

    @TearDown
    public void tearDown() {
        ops.close();
    }
}
