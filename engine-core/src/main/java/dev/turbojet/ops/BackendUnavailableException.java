package dev.turbojet.ops;

/** A backend that cannot run on this machine; the message says what is missing and where it was looked for. */
public class BackendUnavailableException extends IllegalStateException {
    public BackendUnavailableException(String message) {
        super(message);
    }
}
