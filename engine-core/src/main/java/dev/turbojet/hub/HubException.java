package dev.turbojet.hub;

import dev.turbojet.io.CheckpointException;

/** The hub cannot give the model: unreachable, refused, missing, or a download that failed verification. */
public class HubException extends CheckpointException {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
