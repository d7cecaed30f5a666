package dev.turbojet.profile;

import dev.turbojet.ops.OpTimer;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cuda.CudaOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/**
 * What the device was measured to do at start-up, not its datasheet: the matrix rate (FLOP/s of a
 * square GEMM through the backend's own {@code linear}) and the copy bandwidth (bytes read plus bytes
 * written per second by a large copy). CPU: a 1024^3 fp32 GEMM on {@code CpuOps} and
 * System.arraycopy of 256 MB; CUDA: a 4096^3 cuBLASLt GEMM at the backend's precision and a 1 GiB
 * device-to-device copy, timed with events. Each is the best of five after a warm-up.
 */
public record Ceilings(double flopsPerSecond, double bytesPerSecond, String how) {
    private static final int REPS = 5;

    public static Ceilings measure(Ops ops) {
        boolean cuda = ops instanceof CudaOps;
        int n = cuda ? 4096 : 1024;
        OpTimer timer = Profiler.timerFor(ops);
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
        double gemmMs = min(timer.drain());
        double flops = 2.0 * n * n * n / (gemmMs / 1e3);
        double bytes;
        String copy;
        if (ops instanceof CudaOps c) {
            long size = c.copyProbeBytes(1L << 30);  // 1 GiB unless the device has less to spare
            bytes = c.copyBytesPerSecond(size);
            copy = (size >> 20) + " MiB device-to-device copy";
        } else {
            bytes = hostCopyBytesPerSecond(64 << 20);
            copy = "256 MB System.arraycopy";
        }
        return new Ceilings(flops, bytes, n + "^3 GEMM through linear, " + copy + ", best of " + REPS);
    }

    private static double hostCopyBytesPerSecond(int floats) {
        float[] src = new float[floats], dst = new float[floats];
        HostTensor fill = Workloads.noise(Shape.of(1 << 16), 13);
        for (int i = 0; i < floats; i += fill.data().length) System.arraycopy(fill.data(), 0, src, i, fill.data().length);
        System.arraycopy(src, 0, dst, 0, floats);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < REPS; i++) {
            long t0 = System.nanoTime();
            System.arraycopy(src, 0, dst, 0, floats);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        if (dst[floats - 1] != src[floats - 1]) throw new IllegalStateException("copy check");
        return 2.0 * 4 * floats / best;
    }

    private static double min(double[] ms) {
        double m = Double.MAX_VALUE;
        for (double v : ms) m = Math.min(m, v);
        return m;
    }
}
