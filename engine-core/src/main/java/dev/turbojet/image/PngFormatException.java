package dev.turbojet.image;

import java.io.IOException;

/** A file that is not a PNG this engine can read; the message names the file and the fault. */
public class PngFormatException extends IOException {
    public PngFormatException(String message) {
        super(message);
    }

    public PngFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
