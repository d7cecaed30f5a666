package dev.turbojet.bench;

import dev.turbojet.ops.Backend;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.DType;

import java.util.function.Supplier;

/**
 * Opens the backend the {@code backend} and {@code dtype} benchmark parameters name, through the
 * engine's own {@link Backend}, and times one operation on it. cpu computes in fp32; cuda stores fp16 or
 * bf16 (fp32 accumulation). No fallback: a benchmark asked for cuda where it cannot run fails, saying why.
 */
public final class Backends {
    private Backends() {
    }

    /** The storage type a {@code dtype} parameter names: fp32, fp16 or bf16. */
    public static DType storage(String dtype) {
        return switch (dtype) {
            case "fp32" -> DType.F32;
            case "fp16" -> DType.F16;
            case "bf16" -> DType.BF16;
            default -> throw new IllegalArgumentException("dtype '" + dtype + "': expected fp32, fp16 or bf16");
        };
    }

    /** Bytes per stored element of a {@code dtype} parameter. */
    public static int bytes(String dtype) {
        return storage(dtype).byteSize();
    }

    public static Ops create(String backend, String dtype) {
        Backend chosen = Backend.parse(backend);
        if (chosen == Backend.AUTO) throw new IllegalArgumentException("a benchmark names its backend: cpu or cuda, not auto");
        return chosen.create(storage(dtype), notice -> { });
    }

    /**
     * Runs one timed operation as one {@link Ops#pass()}: on CUDA the pass ends by waiting for the stream,
     * so the time covers the device work, and it releases the pass's temporaries for the next operation.
     */
    public static <T> T timed(Ops ops, Supplier<T> op) {
        try (Ops.Pass ignored = ops.pass()) {
            return op.get();
        }
    }

    /** The three numbers of a {@code AxBxC} shape parameter; {@code form} names them in the error ("MxKxN"). */
    public static int[] triple(String what, String shape, String form) {
        String[] p = shape.split("x");
        if (p.length != 3) throw new IllegalArgumentException(what + " shape '" + shape + "': expected " + form);
        return new int[]{Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }
}
