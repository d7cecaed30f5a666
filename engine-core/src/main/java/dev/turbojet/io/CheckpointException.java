package dev.turbojet.io;

/** A checkpoint, config or model folder that cannot be used as it is; the message says what and where. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
