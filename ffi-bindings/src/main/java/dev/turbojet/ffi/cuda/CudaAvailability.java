package dev.turbojet.ffi.cuda;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.NativeLibraries;
import dev.turbojet.ffi.NativeLibraryException;
import java.util.Optional;

/**
 * Whether this JVM can use a GPU, and if not, why (for choosing a backend, and the reason a GPU
 * test skips with). Probes once: loads libcuda.so.1, calls cuInit, counts devices.
 */
public final class CudaAvailability {
    private static Optional<String> reason;

    private CudaAvailability() {}

    /** Empty when libcuda.so.1 loads, cuInit succeeds and a device exists; otherwise the reason. */
    public static synchronized Optional<String> unavailable() {
        if (reason == null) {
            reason = probe();
        }
        return reason;
    }

    private static Optional<String> probe() {
        try {
            NativeLibraries.get(Lib.CUDA);
        } catch (NativeLibraryException e) {
            return Optional.of("no CUDA driver: " + e.getMessage());
        }
        try {
            CudaDriver.init();
            return CudaDriver.deviceCount() > 0 ? Optional.empty() : Optional.of("the CUDA driver reports no device");
        } catch (CudaException e) {
            return Optional.of("CUDA driver present but unusable: " + e.getMessage());
        }
    }
}
