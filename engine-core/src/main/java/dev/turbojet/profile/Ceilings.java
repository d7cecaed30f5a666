package dev.turbojet.profile;

import dev.turbojet.ops.CopyRate;
import dev.turbojet.ops.OpTimer;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/**
 * What the device was measured to do at start-up, not its datasheet: the matrix rate (FLOP/s of a
 * square GEMM through the backend's own {@code linear}) and the copy bandwidth (bytes read plus bytes
 * written per second by a large copy, {@link Ops#measureCopyRate}). The GEMM is 1024^3, or 4096^3 where
 * one 1024^3 takes under {@value #SMALL_ENOUGH_MS} ms (a GPU), so that the rate is not launch-bound.
 * Each is the best of five after a warm-up.
 */
public record Ceilings(double flopsPerSecond, double bytesPerSecond, String how) {
    private static final int REPS = 5;
    private static final double SMALL_ENOUGH_MS = 5;

    public static Ceilings measure(Ops ops) {
        OpTimer timer = ops.timer();
        int n = 1024;
        double gemmMs = bestGemmMs(ops, timer, n);
        if (gemmMs < SMALL_ENOUGH_MS) {
            n = 4096;
            gemmMs = bestGemmMs(ops, timer, n);
        }
        double flops = 2.0 * n * n * n / (gemmMs / 1e3);
        CopyRate copy = ops.measureCopyRate();
        return new Ceilings(flops, copy.bytesPerSecond(), n + "^3 GEMM through linear, " + copy.how() + ", best of " + REPS);
    }

    private static double bestGemmMs(Ops ops, OpTimer timer, int n) {
        Tensor a = ops.upload(Workloads.noise(Shape.of(n, n), 11)), b = ops.upload(Workloads.noise(Shape.of(n, n), 12));
        Profiler.pass(ops, () -> ops.linear(a, b));
        for (int i = 0; i < REPS; i++) {
            Profiler.pass(ops, () -> {
                timer.begin();
                Tensor c = ops.linear(a, b);
                timer.end();
                return c;
            });
        }
        double best = Double.MAX_VALUE;
        for (double ms : timer.drain()) best = Math.min(best, ms);
        return best;
    }
}
