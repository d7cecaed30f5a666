package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.GpuTests;
import dev.turbojet.ffi.Lib;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Whether the CUDA backend can start in this test JVM, and if not why (the skip reason). The build
 * runs these suites on the CUDA emulator ({@link GpuTests}); without it, libraries unzipped into the
 * repository's {@code .native/} folder are used when present, otherwise the normal search
 * (README-native.md) applies.
 */
public final class GpuSupport {
    private static Optional<String> reason;

    private GpuSupport() {}

    public static synchronized Optional<String> skipReason() {
        if (reason == null) {
            useNative(Lib.CUBLAS_LT, "nvidia/cu13/lib/libcublasLt.so.13");
            useNative(Lib.CUDNN, "nvidia/cudnn/lib/libcudnn.so.9");
            useNative(Lib.NVRTC, "nvidia/cu13/lib/libnvrtc.so.13");
            reason = GpuTests.skipReason(Lib.CUBLAS_LT, Lib.CUDNN);
            if (reason.isEmpty()) {
                List<CudaProbe.Problem> problems = CudaProbe.problems();
                reason = problems.isEmpty() ? Optional.empty() : Optional.of("no CUDA backend here: " + CudaProbe.oneLine(problems));
            }
        }
        return reason;
    }

    public static boolean available() {
        return skipReason().isEmpty();
    }

    private static void useNative(Lib lib, String relative) {
        if (System.getProperty(lib.property()) != null) return;
        Path module = Path.of(System.getProperty("user.dir"));
        for (Path root : List.of(module.resolve("../.native"), module.resolve(".native"))) {
            Path file = root.resolve(relative).normalize();
            if (Files.isRegularFile(file)) {
                System.setProperty(lib.property(), file.toString());
                return;
            }
        }
    }
}
