package dev.turbojet.kernels;

import dev.turbojet.ffi.cuda.CudaFunction;
import dev.turbojet.ffi.cuda.CudaModule;
import dev.turbojet.ffi.cuda.CudaModules;
import dev.turbojet.ffi.cuda.DeviceInfo;
import dev.turbojet.ffi.cuda.Stream;
import dev.turbojet.ffi.nvrtc.Nvrtc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * turbojet's kernels loaded into the current context, once: from the fatbin the build put in the
 * jar, or, when the build had no nvcc, compiled by NVRTC for this GPU and cached on disk under
 * {@code ~/.cache/turbojet/kernels} (keyed by source hash and architecture; override the folder
 * with {@code -Dturbojet.kernels.cache=DIR}).
 */
public final class KernelImage {
    static final String FATBIN = "dev/turbojet/kernels/turbojet.fatbin";

    /** Where the module came from, for logs. */
    public enum Origin { FATBIN, NVRTC_CACHE, NVRTC }

    private final CudaModule module;
    private final Origin origin;
    private final Map<String, CudaFunction> functions = new ConcurrentHashMap<>();

    private KernelImage(CudaModule module, Origin origin) {
        this.module = module;
        this.origin = origin;
    }

    /** Loads the kernels for {@code device} into the calling thread's current context. */
    public static KernelImage load(DeviceInfo device) {
        Optional<byte[]> fatbin = fatbin();
        if (fatbin.isPresent()) {
            return new KernelImage(CudaModules.load(fatbin.get()), Origin.FATBIN);
        }
        String source = KernelSources.amalgamated();
        Path cached = cacheDir().resolve(KernelSources.sha256(source).substring(0, 16) + "-" + device.arch() + ".cubin");
        try {
            if (Files.isRegularFile(cached)) {
                return new KernelImage(CudaModules.load(Files.readAllBytes(cached)), Origin.NVRTC_CACHE);
            }
            byte[] cubin = Nvrtc.compile(source, KernelSources.MAIN,
                    List.of("--gpu-architecture=" + device.arch(), "-std=c++17")).image();
            Files.createDirectories(cached.getParent());
            Path tmp = Files.createTempFile(cached.getParent(), ".cubin", ".tmp");
            Files.write(tmp, cubin);
            Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new KernelImage(CudaModules.load(cubin), Origin.NVRTC);
        } catch (IOException e) {
            throw new UncheckedIOException("kernel cache " + cached, e);
        }
    }

    /** The fatbin resource, if the build produced one. */
    public static Optional<byte[]> fatbin() {
        try (InputStream in = KernelImage.class.getClassLoader().getResourceAsStream(FATBIN)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FATBIN, e);
        }
    }

    static Path cacheDir() {
        String explicit = System.getProperty("turbojet.kernels.cache", "");
        return explicit.isBlank() ? Path.of(System.getProperty("user.home"), ".cache", "turbojet", "kernels") : Path.of(explicit);
    }

    public Origin origin() {
        return origin;
    }

    public CudaFunction function(String name) {
        return functions.computeIfAbsent(name, n -> CudaModules.function(module, n));
    }

    /** Enqueues a planned launch on {@code stream}. */
    public void launch(Launch launch, Stream stream) {
        CudaModules.launch(function(launch.kernel()), launch.config(), stream, launch.args());
    }

    public void unload() {
        functions.clear();
        CudaModules.unload(module);
    }
}
