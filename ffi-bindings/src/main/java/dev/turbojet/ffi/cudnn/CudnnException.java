package dev.turbojet.ffi.cudnn;

import dev.turbojet.ffi.NativeCallException;

/** A cuDNN call failed: names the function, the status (cudnnGetErrorString) and cuDNN's last error message. */
public final class CudnnException extends NativeCallException {
    public CudnnException(String function, int status, String statusName, String message) {
        super(function, status, statusName, message);
    }
}
