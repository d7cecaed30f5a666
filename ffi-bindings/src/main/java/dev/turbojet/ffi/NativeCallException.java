package dev.turbojet.ffi;

/**
 * A native call returned an error status. The message names the function, the status name and
 * the library's own description, e.g. {@code cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory}.
 */
public class NativeCallException extends RuntimeException {
    private final String function;
    private final int status;
    private final String statusName;

    public NativeCallException(String function, int status, String statusName, String detail) {
        super(function + " failed: " + statusName + " (" + status + ")" + (detail.isEmpty() ? "" : ": " + detail));
        this.function = function;
        this.status = status;
        this.statusName = statusName;
    }

    public String function() {
        return function;
    }

    public int status() {
        return status;
    }

    public String statusName() {
        return statusName;
    }
}
