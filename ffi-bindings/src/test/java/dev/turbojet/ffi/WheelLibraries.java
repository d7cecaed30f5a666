package dev.turbojet.ffi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Real NVIDIA libraries for tests that need no GPU (version calls, descriptor building): taken from
 * the developer's unzipped {@code .native/} folder, or extracted from the NVIDIA pip wheels under
 * {@code /opt/pypi*}/files into {@code target/native-wheels}. Points the library's system property at
 * the file so {@link NativeLibraries} loads exactly it. Empty when neither source exists: tests skip.
 */
public final class WheelLibraries {
    /** Where a library lives in its wheel; {@code wholeDir}: also everything beside it (cuDNN's sub-libraries). */
    private record Source(String wheelPrefix, String dir, List<String> files, boolean wholeDir) {}

    private static final List<Path> WHEEL_DIRS = List.of(Path.of("/opt/pypi-more/files"), Path.of("/opt/pypi/files"));

    private WheelLibraries() {}

    private static Source source(Lib lib) {
        return switch (lib) {
            case CUBLAS_LT -> new Source("nvidia_cublas-13", "nvidia/cu13/lib", List.of("libcublasLt.so.13"), false);
            case NVRTC -> new Source("nvidia_cuda_nvrtc-13", "nvidia/cu13/lib",
                    List.of("libnvrtc.so.13", "libnvrtc-builtins.so.13.0"), false);
            case CUDNN -> new Source("nvidia_cudnn_cu13-9", "nvidia/cudnn/lib", List.of("libcudnn.so.9"), true);
            case CUDA -> throw new IllegalArgumentException("the driver does not come in a wheel");
            case OPENBLAS, ONEDNN -> throw new IllegalArgumentException(lib + " comes from its Maven jar, not a wheel");
        };
    }

    /** The library file, configured as {@link Lib#property()}; empty if no source is on this machine. */
    public static synchronized Optional<Path> configure(Lib lib) {
        Optional<Path> found = locate(lib);
        found.ifPresent(p -> System.setProperty(lib.property(), p.toString()));
        return found;
    }

    /** Why a test skips when {@link #configure} found nothing. */
    public static String absentReason(Lib lib) {
        return "no " + lib.sonames().getFirst() + ": neither .native/" + source(lib).dir() + " nor a "
                + source(lib).wheelPrefix() + "*.whl under " + WHEEL_DIRS;
    }

    private static Optional<Path> locate(Lib lib) {
        Source src = source(lib);
        Path module = Path.of(System.getProperty("user.dir"));
        for (Path root : List.of(module.resolve("../.native"), module.resolve(".native"))) {
            Path dir = root.resolve(src.dir()).normalize();
            if (src.files().stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)))) {
                return Optional.of(dir.resolve(src.files().getFirst()));
            }
        }
        Optional<Path> wheel = WHEEL_DIRS.stream().filter(Files::isDirectory).flatMap(WheelLibraries::list)
                .filter(p -> p.getFileName().toString().startsWith(src.wheelPrefix()) && p.toString().endsWith(".whl"))
                .sorted().findFirst();
        if (wheel.isEmpty()) {
            return Optional.empty();
        }
        Path target = module.resolve("target/native-wheels").resolve(src.dir());
        extract(wheel.get(), src, target);
        return Optional.of(target.resolve(src.files().getFirst()));
    }

    private static void extract(Path wheel, Source src, Path target) {
        try (ZipFile zip = new ZipFile(wheel.toFile())) {
            Files.createDirectories(target);
            List<String> files = src.wholeDir()
                    ? zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith(src.dir() + "/") && !n.endsWith("/"))
                            .map(n -> n.substring(src.dir().length() + 1)).filter(n -> !n.contains("/")).toList()
                    : src.files();
            for (String file : files) {
                ZipEntry entry = zip.getEntry(src.dir() + "/" + file);
                if (entry == null) {
                    throw new IllegalStateException(wheel + " has no " + src.dir() + "/" + file);
                }
                Path out = target.resolve(file);
                if (Files.isRegularFile(out) && Files.size(out) == entry.getSize()) {
                    continue;
                }
                Path tmp = Files.createTempFile(target, ".extract", ".tmp");
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract from " + wheel, e);
        }
    }

    private static Stream<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
