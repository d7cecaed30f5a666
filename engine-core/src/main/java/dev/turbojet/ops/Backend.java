package dev.turbojet.ops;

import dev.turbojet.ops.cpu.CpuOps;

import java.util.Locale;

/** The backends a user can ask for by name ({@code --backend cpu|cuda|auto}). */
public enum Backend {
    /** fp32 on the CPU: the reference, available everywhere. */
    CPU,
    /** NVIDIA GPUs through the CUDA driver, cuBLASLt, cuDNN and turbojet's kernels. */
    CUDA,
    /** CUDA when a usable GPU backend is present, else CPU (with a notice). */
    AUTO;

    public static Backend parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown backend '" + name + "': use cpu, cuda or auto");
        }
    }

    /**
     * Creates the backend. CUDA fails with a message saying why it cannot run here; AUTO resolves to
     * CPU when CUDA cannot, reporting why through {@code notice}.
     */
    public Ops create(java.util.function.Consumer<String> notice) {
        return switch (this) {
            case CPU -> new CpuOps();
            case CUDA -> throw new UnsupportedOperationException(cudaUnavailable());
            case AUTO -> {
                notice.accept("no CUDA backend (" + cudaUnavailable() + "); running on the CPU, fp32");
                yield new CpuOps();
            }
        };
    }

    private static String cudaUnavailable() {
        return "the CUDA backend of CudaOps is not part of this build yet: use --backend cpu";
    }
}
