package dev.turbojet.kernels;

import dev.turbojet.ffi.Lib;
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
 * libnvrtc for GPU-less tests: from the developer's unzipped {@code .native/} folder, or extracted
 * from NVIDIA's nvrtc wheel under {@code /opt/pypi*}/files into {@code target/native-wheels}.
 */
final class NvrtcLibrary {
    static final String ABSENT = "no libnvrtc.so.13: neither .native/nvidia/cu13/lib nor a nvidia_cuda_nvrtc-13*.whl under /opt/pypi*/files";
    private static final String DIR = "nvidia/cu13/lib";
    private static final List<String> FILES = List.of("libnvrtc.so.13", "libnvrtc-builtins.so.13.0");

    private NvrtcLibrary() {}

    /** Points {@link Lib#NVRTC}'s property at the library; empty when there is none here. */
    static synchronized Optional<Path> configure() {
        Path module = Path.of(System.getProperty("user.dir"));
        Path local = module.resolve("../.native").resolve(DIR).normalize();
        Optional<Path> found = FILES.stream().allMatch(f -> Files.isRegularFile(local.resolve(f)))
                ? Optional.of(local.resolve(FILES.getFirst()))
                : fromWheel(module.resolve("target/native-wheels").resolve(DIR));
        found.ifPresent(p -> System.setProperty(Lib.NVRTC.property(), p.toString()));
        return found;
    }

    private static Optional<Path> fromWheel(Path target) {
        Optional<Path> wheel = Stream.of(Path.of("/opt/pypi-more/files"), Path.of("/opt/pypi/files"))
                .filter(Files::isDirectory).flatMap(NvrtcLibrary::list)
                .filter(p -> p.getFileName().toString().startsWith("nvidia_cuda_nvrtc-13") && p.toString().endsWith(".whl"))
                .sorted().findFirst();
        if (wheel.isEmpty()) {
            return Optional.empty();
        }
        try (ZipFile zip = new ZipFile(wheel.get().toFile())) {
            Files.createDirectories(target);
            for (String file : FILES) {
                ZipEntry entry = zip.getEntry(DIR + "/" + file);
                Path out = target.resolve(file);
                if (entry == null || (Files.isRegularFile(out) && Files.size(out) == entry.getSize())) {
                    continue;
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract from " + wheel.get(), e);
        }
        Path lib = target.resolve(FILES.getFirst());
        return Files.isRegularFile(lib) ? Optional.of(lib) : Optional.empty();
    }

    private static Stream<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
