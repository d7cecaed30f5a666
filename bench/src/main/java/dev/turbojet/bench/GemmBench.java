package dev.turbojet.bench;

import dev.turbojet.profile.Workloads;
import dev.turbojet.ops.Ops;
import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
    /** How the weight is stored: fp32 (uploaded), or f16 / bf16 (bound from a checkpoint-like 16-bit view). */
    @Param({"fp32"})
    public String weights;

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
        HostTensor host = Workloads.noise(Shape.of(d[2], d[1]), 2);
        w = switch (weights) {
            case "fp32" -> ops.upload(host);
            case "f16", "bf16" -> ops.weight(sixteenBit(host, weights.equals("f16") ? DType.F16 : DType.BF16));
            default -> throw new IllegalArgumentException("weights " + weights + ": fp32, f16 or bf16");
        };
        b = ops.upload(Workloads.noise(Shape.of(d[2]), 3));
        System.out.printf("%n[turbojet] linear %s: %.3f GFLOP per op; %s%n", shape, flops(shape) / 1e9, ops.describe());
    }

    /** host's values rounded to a 16-bit type, as a checkpoint tensor view. */
    static TensorView sixteenBit(HostTensor host, DType type) {
        float[] f = host.data();
        MemorySegment bits = Arena.ofAuto().allocate((long) f.length * 2, 2);
        for (int i = 0; i < f.length; i++) {
            short h = type == DType.F16 ? Float.floatToFloat16(f[i]) : (short) (Float.floatToRawIntBits(f[i]) >>> 16);
            bits.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, h);
        }
        return new TensorView("weight", type, host.shape(), bits, "GemmBench");
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
