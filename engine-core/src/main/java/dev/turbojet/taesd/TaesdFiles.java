package dev.turbojet.taesd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where TAESDXL weights are found: madebyollin's file names {@value #DECODER} and {@value #ENCODER}
 * (taesd.py's key names, any float dtype) in a folder, or a path to one of them.
 */
public final class TaesdFiles {
    public static final String DECODER = "taesdxl_decoder.safetensors";
    public static final String ENCODER = "taesdxl_encoder.safetensors";

    private TaesdFiles() {
    }

    /** The first of {@code places} holding {@code fileName}: a folder containing it, or the file itself. */
    public static Optional<Path> find(String fileName, List<Path> places) {
        for (Path p : places) {
            if (Files.isRegularFile(p) && p.getFileName().toString().equals(fileName)) return Optional.of(p);
            Path inside = p.resolve(fileName);
            if (Files.isDirectory(p) && Files.isRegularFile(inside)) return Optional.of(inside);
        }
        return Optional.empty();
    }
}
