package dev.turbojet.ops;

import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.ops.cuda.CudaOps;
import dev.turbojet.ops.cuda.CudaProbe;
import dev.turbojet.ops.cuda.Precision;
import dev.turbojet.tensor.DType;

import java.util.List;
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

    /** {@link #create(Precision, java.util.function.Consumer)} with fp16 storage on CUDA. */
    public Ops create(java.util.function.Consumer<String> notice) {
        return create(Precision.FP16, notice);
    }

    /**
     * Creates the backend storing {@code storage}: the CPU backend F32 only, CUDA F16 or BF16; AUTO takes
     * the CUDA type and falls back to the CPU (fp32) as {@link #create(Precision, java.util.function.Consumer)}
     * does. A type the backend cannot store is an {@link IllegalArgumentException} naming both.
     */
    public Ops create(DType storage, java.util.function.Consumer<String> notice) {
        if (this == CPU) {
            if (storage != DType.F32) throw new IllegalArgumentException("the cpu backend computes in fp32 only, not " + storage);
            return new CpuOps();
        }
        return create(Precision.of(storage), notice);
    }

    /**
     * Creates the backend. CUDA (device 0, {@code precision} storage) fails with a message saying why it cannot run
     * here and where each missing library was looked for; AUTO resolves to CPU when CUDA cannot,
     * reporting why in one line through {@code notice}.
     */
    public Ops create(Precision precision, java.util.function.Consumer<String> notice) {
        return switch (this) {
            case CPU -> new CpuOps();
            case CUDA -> {
                List<CudaProbe.Problem> problems = CudaProbe.problems();
                if (!problems.isEmpty()) throw new BackendUnavailableException(cudaUnavailable(problems));
                yield CudaOps.open(0, precision);
            }
            case AUTO -> {
                List<CudaProbe.Problem> problems = CudaProbe.problems();
                if (problems.isEmpty()) yield CudaOps.open(0, precision);
                notice.accept("no CUDA backend (" + CudaProbe.oneLine(problems) + "); running on the CPU, fp32");
                yield new CpuOps();
            }
        };
    }

    /**
     * The backend the VAE should run on beside {@code main}: the SDXL VAE overflows in fp16, so an fp16
     * CUDA backend gets a bf16 companion on the same device; empty when {@code main} itself will do.
     */
    public static java.util.Optional<Ops> vaeBackendFor(Ops main) {
        if (main.storageType() == DType.F16) return java.util.Optional.of(main.withStorage(DType.BF16));
        return java.util.Optional.empty();
    }

    static String cudaUnavailable(List<CudaProbe.Problem> problems) {
        return "the CUDA backend cannot run here (use --backend cpu):\n" + CudaProbe.detailed(problems);
    }
}
