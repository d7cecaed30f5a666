package dev.turbojet.bench;

import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;

/**
 * The backends a benchmark can run on, by the {@code backend} and {@code dtype} parameters. A new
 * backend (cuda) is one more constant here; nothing else in the benchmarks changes.
 */
public enum Backend {
    CPU {
        @Override
        public Ops create(Precision precision) {
            if (precision != Precision.FP32) {
                throw new IllegalArgumentException("the cpu backend computes in fp32 only, not " + precision.label());
            }
            return new CpuOps();
        }
    },
    CUDA {
        @Override
        public Ops create(Precision precision) {
            throw new UnsupportedOperationException(
                    "this build has no CUDA backend yet (dev.turbojet.ops.cuda.CudaOps): run with -p backend=cpu");
        }
    };

    /** Activation and weight storage precision (the compute precision of the backend's kernels). */
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
            return name().toLowerCase();
        }

        public static Precision parse(String name) {
            for (Precision p : values()) if (p.label().equals(name)) return p;
            throw new IllegalArgumentException("dtype '" + name + "': expected fp32, fp16 or bf16");
        }
    }

    public abstract Ops create(Precision precision);

    /** "cpu" or "cuda", as the {@code backend} parameter spells it. */
    public static Backend parse(String name) {
        for (Backend b : values()) if (b.name().toLowerCase().equals(name)) return b;
        throw new IllegalArgumentException("backend '" + name + "': expected cpu or cuda");
    }

    /** The backend and precision named by the two benchmark parameters. */
    public static Ops create(String backend, String dtype) {
        return parse(backend).create(Precision.parse(dtype));
    }
}
