package dev.turbojet.ffi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * Where to look for a native library, in order. Pure apart from reading folder listings, so it is
 * tested with temporary folders; {@link NativeLibraries} does the loading.
 *
 * <p>Order: explicit system property, the library's environment variable, {@code TURBOJET_LIB_PATH},
 * the CUDA toolkit ({@code CUDA_HOME}, {@code CUDA_PATH}, {@code /usr/local/cuda}), NVIDIA's pip
 * wheels in every site-packages we can enumerate without running Python (the toolkit and wheels for
 * the CUDA libraries only), bytedeco's jars (their JavaCPP cache, then the jars on the class path),
 * and last the system loader.
 */
public final class LibrarySearch {
    /** Where bytedeco's CUDA redist jars keep the libraries. */
    static final String BYTEDECO_DIR = "org/bytedeco/cuda/linux-x86_64";

    private final SearchEnvironment env;

    public LibrarySearch(SearchEnvironment env) {
        this.env = env;
    }

    public List<Candidate> candidates(Lib lib) {
        List<Candidate> out = new ArrayList<>();
        explicit(lib, "property " + lib.property(), env.property(lib.property()), out);
        explicit(lib, "env " + lib.envVar(), env.env(lib.envVar()), out);
        for (String dir : splitPath(env.env("TURBOJET_LIB_PATH"))) {
            inDir(lib, "env TURBOJET_LIB_PATH", Path.of(dir), out);
        }
        if (lib.isCuda() && lib != Lib.CUDA) {
            for (Path root : cudaRoots()) {
                inDir(lib, "CUDA toolkit", root.resolve("lib64"), out);
                inDir(lib, "CUDA toolkit", root.resolve("targets/x86_64-linux/lib"), out);
            }
            for (Path site : sitePackages()) {
                for (String wheelDir : lib.wheelDirs()) {
                    inDir(lib, "pip wheel", site.resolve(wheelDir), out);
                }
            }
        }
        bytedeco(lib, out);
        if (env.systemLoader()) {
            lib.sonames().forEach(s -> out.add(Candidate.systemLoader(s)));
        }
        return out;
    }

    private static void explicit(Lib lib, String origin, String value, List<Candidate> out) {
        if (value.isBlank()) {
            return;
        }
        Path path = Path.of(value);
        if (Files.isDirectory(path)) {
            inDir(lib, origin, path, out);
        } else {
            out.add(Candidate.file(origin, path));
        }
    }

    private static void inDir(Lib lib, String origin, Path dir, List<Candidate> out) {
        lib.sonames().forEach(s -> out.add(Candidate.file(origin, dir.resolve(s))));
    }

    private List<Path> cudaRoots() {
        List<Path> roots = new ArrayList<>();
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            if (!env.env(var).isBlank()) {
                roots.add(Path.of(env.env(var)));
            }
        }
        roots.add(Path.of("/usr/local/cuda"));
        return roots.stream().distinct().toList();
    }

    /** site-packages folders: PYTHONPATH, VIRTUAL_ENV, CONDA_PREFIX, ~/.local and the system prefixes. */
    List<Path> sitePackages() {
        List<Path> out = new ArrayList<>();
        splitPath(env.env("PYTHONPATH")).forEach(p -> out.add(Path.of(p)));
        List<Path> prefixes = new ArrayList<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            if (!env.env(var).isBlank()) {
                prefixes.add(Path.of(env.env(var)));
            }
        }
        prefixes.add(env.home().resolve(".local"));
        prefixes.addAll(env.prefixes());
        for (Path prefix : prefixes) {
            for (Path python : children(prefix.resolve("lib"), "python3")) {
                for (String leaf : List.of("site-packages", "dist-packages")) {
                    if (Files.isDirectory(python.resolve(leaf))) {
                        out.add(python.resolve(leaf));
                    }
                }
            }
        }
        return out.stream().distinct().toList();
    }

    private void bytedeco(Lib lib, List<Candidate> out) {
        for (Path cached : children(env.home().resolve(".javacpp/cache"), "")) {
            inDir(lib, "bytedeco JavaCPP cache", cached.resolve(lib.jarDir()), out);
        }
        Path extractRoot = env.home().resolve(".cache/turbojet/bytedeco");
        for (Path jar : env.classpath()) {
            String name = jar.getFileName() == null ? "" : jar.getFileName().toString();
            // CUDA's redist jars are only ever their own; OpenBLAS's and oneDNN's may also be inside a shaded jar
            if (!name.endsWith(".jar") || (lib.isCuda() && !name.contains("linux-x86_64")) || !Files.isRegularFile(jar)) {
                continue;
            }
            for (String soname : lib.sonames()) {
                if (jarHas(jar, lib.jarDir() + "/" + soname)) {
                    out.add(Candidate.inJar(jar, extractRoot.resolve(name.replace(".jar", "")).resolve(soname)));
                }
            }
        }
    }

    private static boolean jarHas(Path jar, String entry) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.getEntry(entry) != null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
    }

    /** Sub-folders of {@code dir} whose name starts with {@code prefix}, sorted newest-looking last. */
    private static List<Path> children(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory)
                    .filter(p -> p.getFileName().toString().startsWith(prefix))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static List<String> splitPath(String value) {
        return Stream.of(value.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank()).toList();
    }
}
