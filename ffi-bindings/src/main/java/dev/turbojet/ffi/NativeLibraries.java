package dev.turbojet.ffi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds and loads the native libraries, once each, on first use. Nothing is loaded until a call
 * needs it, so code that never touches CUDA runs where there is none. When a library cannot be
 * loaded, the exception lists every place that was tried and why each failed.
 */
@SuppressWarnings("restricted") // native loading, downcalls and sizing native memory are this class's job
public final class NativeLibraries {
    private static final Map<Lib, Loaded> LOADED = new ConcurrentHashMap<>();

    /** A loaded library: its symbols and the candidate it came from. */
    public record Loaded(Lib lib, SymbolLookup symbols, Candidate from) {}

    private NativeLibraries() {}

    /** The library, loaded from the running JVM's environment on first call. */
    public static Loaded get(Lib lib) {
        return LOADED.computeIfAbsent(lib, l -> load(l, SearchEnvironment.current()));
    }

    /** Whether the library can be loaded here (loads it if so). */
    public static boolean isAvailable(Lib lib) {
        try {
            get(lib);
            return true;
        } catch (NativeLibraryException e) {
            return false;
        }
    }

    /** Tries each candidate in order; the first that loads wins. Libraries stay loaded for the JVM's life. */
    public static Loaded load(Lib lib, SearchEnvironment env) {
        List<String> tried = new ArrayList<>();
        for (Candidate c : new LibrarySearch(env).candidates(lib)) {
            if (!c.isSystemLoader() && c.jar() == null && !Files.isRegularFile(c.file())) {
                tried.add(c + ": absent");
                continue;
            }
            try {
                if (c.jar() != null) {
                    extract(c.jar(), lib.jarDir(), c.file().getParent());
                }
                if (!c.isSystemLoader()) {
                    loadCompanions(lib, c.file().getParent());
                }
                SymbolLookup symbols = c.isSystemLoader()
                        ? SymbolLookup.libraryLookup(c.soname(), Arena.global())
                        : SymbolLookup.libraryLookup(c.file(), Arena.global());
                return new Loaded(lib, symbols, c);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                tried.add(c + ": " + e.getMessage());
            }
        }
        throw new NativeLibraryException(lib, "cannot load " + lib + " (" + String.join(" or ", lib.sonames())
                + "); see ffi-bindings/README-native.md. Tried, in order:\n  " + String.join("\n  ", tried));
    }

    /** Loads the library's companions from its folder, so that its own dlopen by bare name finds them. */
    private static void loadCompanions(Lib lib, Path dir) {
        if (lib.companionPrefix().isEmpty() || dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().startsWith(lib.companionPrefix()))
                    .filter(f -> !f.getFileName().toString().contains(".alt."))
                    .sorted()
                    .forEach(f -> SymbolLookup.libraryLookup(f, Arena.global()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Copies a bytedeco library folder out of a jar (all of it: libraries load their neighbours). */
    static void extract(Path jar, String jarDir, Path dir) {
        String prefix = jarDir + "/";
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Files.createDirectories(dir);
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String name = e.getName();
                if (e.isDirectory() || !name.startsWith(prefix) || name.substring(prefix.length()).contains("/")
                        || name.substring(prefix.length()).startsWith("libjni")) {
                    continue; // sub-folders (headers, cmake) and JavaCPP's JNI glue, which nothing here loads
                }
                Path target = dir.resolve(name.substring(prefix.length()));
                if (Files.isRegularFile(target) && Files.size(target) == e.getSize()) {
                    continue;
                }
                Path tmp = Files.createTempFile(dir, ".extract", ".tmp");
                try (InputStream in = zip.getInputStream(e)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + jar + " to " + dir, e);
        }
    }
}
