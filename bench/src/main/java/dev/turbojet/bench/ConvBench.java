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
 * {@code Ops.conv2d} 3x3, stride 1, padding 1, batch 1, {@code shape} = CinxCoutxS on an S x S map:
 * the UNet's resnet convs at a 64x64 latent (320 at 64, 640 at 32, 1280 at 16) and the VAE
 * decoder's 512-channel convs at 128x128. FLOPs 2 x Cout x S^2 x Cin x 9.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
        "-Xmx4g", "-XX:+UseParallelGC"})
public class ConvBench {
    @Param({"cpu"})
    public String backend;
    @Param({"320x320x64", "640x640x32", "1280x1280x16", "512x512x128"})
    public String shape;
    @Param({"fp32"})
    public String dtype;

    private Ops ops;
    private Tensor x, w, b;

    /** Cin, Cout, S of a shape parameter. */
    public static int[] dims(String shape) {
        return Backends.triple("conv", shape, "CinxCoutxS");
    }

    public static double flops(String shape) {
        int[] d = dims(shape);
        return 2.0 * d[1] * d[2] * d[2] * d[0] * 9;
    }

    @Setup
    public void setUp() {
        int[] d = dims(shape);
        ops = Backends.create(backend, dtype);
        x = ops.upload(Workloads.noise(Shape.of(1, d[0], d[2], d[2]), 1));
        w = ops.upload(Workloads.noise(Shape.of(d[1], d[0], 3, 3), 2));
        b = ops.upload(Workloads.noise(Shape.of(d[1]), 3));
        System.out.printf("%n[turbojet] conv3x3 %s: %.3f GFLOP per op; %s%n", shape, flops(shape) / 1e9, ops.describe());
    }

    @Benchmark
    public Tensor conv3x3() {
        return Backends.timed(ops, () -> ops.conv2d(x, w, b, 1, 1));
    }

    @TearDown
    public void tearDown() {
        ops.close();
    }
}
