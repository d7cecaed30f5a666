package dev.turbojet.bench;

import dev.turbojet.ops.Backend;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.ops.cuda.CudaOps;
import dev.turbojet.ops.cuda.CudaProbe;

import java.util.List;
import java.util.function.Supplier;

/**
 * Opens the backend the {@code backend} and {@code dtype} benchmark parameters name, and times one
 * operation on it. cpu computes in fp32; cuda stores fp16 or bf16 (fp32 accumulation). No fallback:
 * a benchmark asked for cuda where it cannot run fails, saying why.
 */
public final class Backends {
    private Backends() {
    }

    /** Storage precision of activations and weights. */
    public enum Precision {
        FP32(4), FP16(2), BF16(2);

        private final int bytes;

        Precision(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Precision parse(String name) {
            for (Precision p : values()) if (p.label().equals(name)) return p;
            throw new IllegalArgumentException("dtype '" + name + "': expected fp32, fp16 or bf16");
        }
    }

    public static Ops create(String backend, String dtype) {
        Precision p = Precision.parse(dtype);
        return switch (Backend.parse(backend)) {
            case CPU -> {
                if (p != Precision.FP32) throw new IllegalArgumentException("the cpu backend computes in fp32 only, not " + dtype);
                yield new CpuOps();
            }
            case CUDA -> {
                if (p == Precision.FP32) throw new IllegalArgumentException("the cuda backend stores fp16 or bf16, not fp32");
                List<CudaProbe.Problem> problems = CudaProbe.problems();
                if (!problems.isEmpty()) {
                    throw new UnsupportedOperationException("the CUDA backend cannot run here:\n" + CudaProbe.detailed(problems));
                }
                yield CudaOps.open(0, p == Precision.FP16 ? dev.turbojet.ops.cuda.Precision.FP16 : dev.turbojet.ops.cuda.Precision.BF16);
            }
            case AUTO -> throw new IllegalArgumentException("a benchmark names its backend: cpu or cuda, not auto");
        };
    }

    /**
     * Runs one timed operation. On CUDA it is one pass: the pass ends by waiting for the stream, so the
     * time covers the device work, and it releases the pass's temporaries for the next operation.
     */
    public static <T> T timed(Ops ops, Supplier<T> op) {
        if (!(ops instanceof CudaOps cuda)) return op.get();
        cuda.beginPass();
        T out = op.get();
        cuda.endPass();
        return out;
    }

    /** Releases what the backend holds (device memory on CUDA). */
    public static void close(Ops ops) {
        if (ops instanceof CudaOps cuda) cuda.close();
    }

    /** The three numbers of a {@code AxBxC} shape parameter; {@code form} names them in the error ("MxKxN"). */
    public static int[] triple(String what, String shape, String form) {
        String[] p = shape.split("x");
        if (p.length != 3) throw new IllegalArgumentException(what + " shape '" + shape + "': expected " + form);
        return new int[]{Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }
}
