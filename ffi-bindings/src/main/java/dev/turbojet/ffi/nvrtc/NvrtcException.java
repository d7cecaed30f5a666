package dev.turbojet.ffi.nvrtc;

import dev.turbojet.ffi.NativeCallException;

/** An NVRTC call failed; for compile errors the message carries the compiler log. */
public final class NvrtcException extends NativeCallException {
    public NvrtcException(String function, int status, String statusName, String message) {
        super(function, status, statusName, message);
    }
}
