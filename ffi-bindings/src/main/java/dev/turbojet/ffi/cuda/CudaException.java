package dev.turbojet.ffi.cuda;

import dev.turbojet.ffi.NativeCallException;

/** A CUDA driver call returned an error: names the function, the CUresult name and the driver's message. */
public final class CudaException extends NativeCallException {
    public CudaException(String function, int status, String statusName, String message) {
        super(function, status, statusName, message);
    }
}
