package dev.turbojet.ops;

/**
 * An op failed on its backend: the message names the op, its inputs and the backend, then the
 * backend's own error (for CUDA: the call, its status and the driver's or library's words), which is
 * also the cause. Thrown by {@link CheckedOps}.
 */
public final class OpException extends RuntimeException {
    public OpException(String message, Throwable cause) {
        super(message, cause);
    }
}
