package dev.turbojet.cli;

import dev.turbojet.ops.Backend;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cuda.Precision;
import picocli.CommandLine.Option;

import java.util.function.Consumer;

/** {@code --precision fp16|bf16}: the CUDA backend's storage type, shared by the commands that open a backend. */
final class PrecisionOption {
    @Option(names = "--precision", paramLabel = "TYPE",
            description = "Storage type on the cuda backend: fp16 or bf16 (GEMMs, convolutions and norms accumulate in fp32;"
                    + " the cpu backend always computes in fp32). Default: fp16.")
    String precision;

    /** The backend named {@code backend}, in this precision; a precision given for the CPU backend is an error. */
    Ops open(String backend, Consumer<String> notice) {
        Backend chosen = Backend.parse(backend);
        return chosen.create(resolve(chosen), notice);
    }

    Precision resolve(Backend backend) {
        if (precision == null) return Precision.FP16;
        Precision p = Precision.parse(precision);
        if (backend == Backend.CPU) {
            throw new IllegalArgumentException("--precision applies to the cuda backend; --backend cpu computes in fp32");
        }
        return p;
    }
}
