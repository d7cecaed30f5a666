package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.NativeLibraries;
import dev.turbojet.ffi.NativeLibraryException;
import dev.turbojet.ffi.cuda.CudaAvailability;
import dev.turbojet.kernels.KernelImage;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether {@link CudaOps} can run in this JVM: a driver with a device, cuBLASLt, cuDNN, and the
 * kernels (a prebuilt fatbin in the kernels jar, or NVRTC to compile them). Each missing piece is a
 * {@link Problem} whose detail says where it was looked for.
 */
public final class CudaProbe {
    /** One missing piece: which, and the loader's full explanation (possibly several lines). */
    public record Problem(String component, String detail) {
        /** "cuBLASLt: cannot load ... (libcublasLt.so.13 or libcublasLt.so.12)": the first sentence, without the search list. */
        String firstLine() {
            String line = detail.lines().findFirst().orElse("");
            int cut = line.indexOf("; see ");
            return component + ": " + (cut >= 0 ? line.substring(0, cut) : line);
        }
    }

    private CudaProbe() {}

    /** Empty when the CUDA backend can start here. */
    public static List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        CudaAvailability.unavailable().ifPresent(r -> out.add(new Problem("CUDA driver", r)));
        library(Lib.CUBLAS_LT, "cuBLASLt", out);
        library(Lib.CUDNN, "cuDNN", out);
        if (KernelImage.fatbin().isEmpty()) {
            try {
                NativeLibraries.get(Lib.NVRTC);
            } catch (NativeLibraryException e) {
                out.add(new Problem("kernels", "the kernels jar has no prebuilt fatbin (built without nvcc) and NVRTC, which"
                        + " would compile them, is missing: " + e.getMessage()));
            }
        }
        return out;
    }

    private static void library(Lib lib, String name, List<Problem> out) {
        try {
            NativeLibraries.get(lib);
        } catch (NativeLibraryException e) {
            out.add(new Problem(name, e.getMessage()));
        }
    }

    /** One line for a notice: the first sentence of each problem (the full search lists: {@link #detailed}). */
    public static String oneLine(List<Problem> problems) {
        return problems.stream().map(Problem::firstLine).collect(Collectors.joining("; "));
    }

    /** Every problem in full, for the error of an explicit {@code --backend cuda}. */
    public static String detailed(List<Problem> problems) {
        return problems.stream().map(p -> "- " + p.component() + ": " + p.detail().strip().replace("\n", "\n    "))
                .collect(Collectors.joining("\n"));
    }
}
