package dev.turbojet.ffi;

import dev.turbojet.ffi.cuda.CudaAvailability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the GPU suites ({@code *GpuTest}) run and why they skip. The build points them at the CUDA
 * emulator with the system property {@code turbojet.gpu.libs} (a folder holding the emulated
 * libcuda.so.1, libcublasLt.so.13 and libcudnn.so.9, see ffi-bindings/src/test/cuda-emulator); without
 * it they use whatever driver and libraries the normal search finds (a real GPU). On the emulator,
 * {@link #control} arms its fault injection.
 */
public final class GpuTests {
    private GpuTests() {}

    /** The emulator folder the build chose, if any. */
    public static Optional<Path> emulatorFolder() {
        String dir = System.getProperty("turbojet.gpu.libs", "");
        return dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
    }

    /**
     * Empty when a GPU suite that needs the driver and {@code libraries} can run here; otherwise why
     * not (the skip reason).
     */
    public static synchronized Optional<String> skipReason(Lib... libraries) {
        Optional<Path> emulator = emulatorFolder();
        if (emulator.isPresent()) {
            Path unavailable = emulator.get().resolve("UNAVAILABLE");
            if (Files.isRegularFile(unavailable)) {
                return Optional.of("the CUDA emulator was not built: " + read(unavailable).strip());
            }
            List<Lib> needed = new ArrayList<>(List.of(Lib.CUDA));
            needed.addAll(List.of(libraries));
            for (Lib lib : needed) {
                String file = lib.sonames().getFirst();
                if (!Files.isRegularFile(emulator.get().resolve(file))) {
                    return Optional.of("the CUDA emulator in " + emulator.get() + " has no " + file
                            + " (the ffi-bindings module's generate-test-resources phase builds it)");
                }
            }
        }
        Optional<String> driver = CudaAvailability.unavailable();
        if (driver.isEmpty() && emulator.isPresent()) {
            List<Lib> needed = new ArrayList<>(List.of(Lib.CUDA));
            needed.addAll(List.of(libraries));
            for (Lib lib : needed) {  // the suites must test the emulator the build made, nothing found elsewhere
                Path from = NativeLibraries.get(lib).from().file();
                if (from == null || !from.toAbsolutePath().normalize().startsWith(emulator.get().toAbsolutePath().normalize())) {
                    throw new IllegalStateException("GPU suite on the emulator in " + emulator.get() + " loaded " + lib + " from "
                            + NativeLibraries.get(lib).from());
                }
            }
        }
        return driver;
    }

    /** Whether the loaded CUDA driver is the emulator (it exports tjemuControl). */
    public static boolean emulated() {
        return NativeLibraries.isAvailable(Lib.CUDA) && NativeLibraries.get(Lib.CUDA).symbols().find("tjemuControl").isPresent();
    }

    /** Sends a command to the emulator ("fault cuMemAlloc@2", "clear-faults"; see its README). */
    public static void control(String command) {
        if (!emulated()) throw new IllegalStateException("not running on the CUDA emulator");
        MethodHandle control = Native.bind(NativeLibraries.get(Lib.CUDA).symbols(), "tjemuControl",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            int status = (int) control.invokeExact(arena.allocateFrom(command));
            if (status != 0) throw new IllegalArgumentException("the emulator refused '" + command + "'");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Emulated device memory in use, in bytes. */
    public static long deviceBytesInUse() {
        if (!emulated()) throw new IllegalStateException("not running on the CUDA emulator");
        MethodHandle used = Native.bind(NativeLibraries.get(Lib.CUDA).symbols(), "tjemuDeviceBytesInUse",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        try {
            return (long) used.invokeExact();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
