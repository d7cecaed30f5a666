package dev.turbojet.ffi;

import java.nio.file.Path;

/**
 * One place the library search looks: a file path, or (when {@code file} is null) the system
 * loader's own search for {@code soname} (LD_LIBRARY_PATH, the ldconfig cache).
 *
 * @param origin why this place is searched, e.g. "CUDA_HOME" or "pip wheel"
 * @param jar    the jar holding the library, or null when the file is already on disk
 */
public record Candidate(String origin, Path file, String soname, Path jar) {

    static Candidate file(String origin, Path file) {
        return new Candidate(origin, file, file.getFileName().toString(), null);
    }

    /** A library inside a jar on the class path, to be extracted to {@code file} before loading. */
    static Candidate inJar(Path jar, Path file) {
        return new Candidate("bytedeco jar " + jar.getFileName(), file, file.getFileName().toString(), jar);
    }

    static Candidate systemLoader(String soname) {
        return new Candidate("system loader", null, soname, null);
    }

    public boolean isSystemLoader() {
        return file == null;
    }

    @Override
    public String toString() {
        return isSystemLoader() ? "dlopen(\"" + soname + "\") [" + origin + "]" : file + " [" + origin + "]";
    }
}
