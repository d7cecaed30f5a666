package dev.turbojet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Checks where a command will write before it loads anything: a model load can take minutes, and a
 * path that cannot be written should fail first, in one line naming the path and the problem.
 */
final class OutputPaths {
    private OutputPaths() {
    }

    /**
     * Each of {@code files} (given as {@code option}) can be written as a PNG: a .png name in a folder that
     * exists or can be made, and takes files; each folder among them is probed once.
     */
    static void requireWritablePngs(String option, java.util.List<Path> files) {
        java.util.Set<Path> probed = new java.util.HashSet<>();
        for (Path file : files) {
            requireNameOf(option, file);
            Path folder = file.toAbsolutePath().getParent();
            if (probed.add(folder)) requireWritableFolder(option + " " + file, folder);
        }
    }

    private static void requireNameOf(String option, Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (name.isBlank()) throw new IllegalArgumentException(option + " '" + file + "': not a file name");
        if (Files.isDirectory(file)) throw new IllegalArgumentException(option + " " + file + " is a folder; name a .png file in it");
        if (!name.toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException(option + " " + file + ": turbojet writes PNG files; give the name a .png extension");
        }
    }

    /** {@code dir} (given as {@code option}) is a folder, or can be made, that takes files. */
    static void requireWritableDir(String option, Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + ": exists and is not a folder");
        }
        requireWritableFolder(option + " " + dir, dir.toAbsolutePath());
    }

    /** The nearest existing folder of {@code dir} is a folder in which a file can be made (tried, then removed). */
    private static void requireWritableFolder(String what, Path dir) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return;
        if (!Files.isDirectory(existing)) {
            throw new IllegalArgumentException(what + ": " + existing + " is a file, not a folder");
        }
        try {
            Files.delete(Files.createTempFile(existing, ".turbojet-write-check", ".tmp"));
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException(what + ": cannot write in " + existing + " (" + reason(e) + ")");
        }
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileSystemException f) {
            return f.getReason() != null ? f.getReason() : "it takes no new files: " + e.getClass().getSimpleName();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
