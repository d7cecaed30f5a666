package dev.turbojet.io;

import java.nio.file.Path;

/** A safetensors file (or index) that breaks the format; the message names the file, the tensor and the fault. */
public class SafetensorsException extends CheckpointException {
    private final Path file;

    public SafetensorsException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public SafetensorsException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
