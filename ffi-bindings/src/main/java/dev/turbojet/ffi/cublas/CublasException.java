package dev.turbojet.ffi.cublas;

import dev.turbojet.ffi.NativeCallException;

/** A cuBLASLt call failed: names the function, the cublasStatus_t name and cuBLAS's description. */
public final class CublasException extends NativeCallException {
    public CublasException(String function, int status, String statusName, String message) {
        super(function, status, statusName, message);
    }
}
