package dev.turbojet.ops.cpu;

import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.util.Random;
import java.util.function.Supplier;

/**
 * Throughput of the heavy ops, printed (not a test: timings on a shared machine would flake).
 * Run with the test classpath: {@code java --add-modules jdk.incubator.vector -cp
 * engine-core/target/classes:engine-core/target/test-classes dev.turbojet.ops.cpu.CpuOpsTiming [threads] [onednn|openblas|vector|scalar] [gemm|conv|attention]}.
 */
public final class CpuOpsTiming {
    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        CpuOps.Simd simd = args.length > 1 ? switch (args[1]) {
            case "scalar" -> CpuOps.Simd.SCALAR;
            case "vector" -> CpuOps.Simd.VECTOR_API;
            case "openblas" -> CpuOps.Simd.OPENBLAS;
            case "onednn" -> CpuOps.Simd.ONEDNN;
            default -> throw new IllegalArgumentException("GEMM " + args[1] + ": use onednn, openblas, vector or scalar");
        } : CpuOps.defaultSimd();
        String only = args.length > 2 ? args[2] : "";
        CpuOps ops = new CpuOps(threads, simd);
        System.out.println(ops.describe());
        Random rnd = new Random(1);
        if (only.isEmpty() || only.equals("gemm")) {
            for (int s : new int[]{1024, 2048, 4096}) {
                Tensor x = ops.upload(Reference.random(rnd, s, s)), w = ops.upload(Reference.random(rnd, s, s));
                time("linear " + s + "^3", 2.0 * s * s * s, () -> ops.linear(x, w));
            }
            Tensor x = ops.upload(Reference.random(rnd, 1, 4096, 640)), w = ops.upload(Reference.random(rnd, 5120, 640));
            time("linear [4096,640]x[5120,640]^T", 2.0 * 4096 * 640 * 5120, () -> ops.linear(x, w));
        }
        if (only.isEmpty() || only.equals("conv")) {
            conv(ops, rnd, 320, 320, 64, 3);
            conv(ops, rnd, 512, 512, 128, 3);
            conv(ops, rnd, 128, 128, 512, 3);
            conv(ops, rnd, 640, 1280, 32, 1);
        }
        if (only.isEmpty() || only.equals("attention")) {
            Tensor q = ops.upload(Reference.random(rnd, 1, 4096, 640));
            time("attention self 4096 tokens, 10 heads x 64", 4.0 * 4096 * 4096 * 640, () -> ops.attention(q, q, q, 10, false));
            Tensor kv = ops.upload(Reference.random(rnd, 1, 77, 640));
            time("attention cross 4096 x 77, 10 heads x 64", 4.0 * 4096 * 77 * 640, () -> ops.attention(q, kv, kv, 10, false));
        }
    }

    private static void conv(CpuOps ops, Random rnd, int cin, int cout, int hw, int k) {
        Tensor x = ops.upload(Reference.random(rnd, 1, cin, hw, hw));
        Tensor w = ops.upload(Reference.random(rnd, cout, cin, k, k)), b = ops.upload(Reference.random(rnd, cout));
        time("conv " + k + "x" + k + " " + cin + "->" + cout + " at " + hw + "x" + hw, 2.0 * cout * cin * k * k * hw * hw,
                () -> ops.conv2d(x, w, b, 1, k / 2));
    }

    private static void time(String what, double flops, Supplier<Tensor> op) {
        op.get();
        double best = Double.MAX_VALUE, bestCpu = Double.MAX_VALUE;
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long deadline = System.nanoTime() + 3_000_000_000L;
        for (int rep = 0; rep < 5 && (rep < 2 || System.nanoTime() < deadline); rep++) {
            long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
            op.get();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            bestCpu = Math.min(bestCpu, (os.getProcessCpuTime() - c0) / 1e9);
        }
        // GFLOP per CPU-second: what one core delivers while it runs, whatever else shares the machine
        System.out.printf("%-48s %8.1f ms  %7.1f GFLOP/s  (%5.1f GFLOP per cpu-second)%n", what, best * 1e3, flops / best / 1e9,
                flops / bestCpu / 1e9);
    }
}
