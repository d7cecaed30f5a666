package dev.turbojet.ffi;

/** A native library could not be found or loaded; the message lists every place that was tried. */
public final class NativeLibraryException extends RuntimeException {
    private final Lib lib;

    public NativeLibraryException(Lib lib, String message) {
        super(message);
        this.lib = lib;
    }

    public Lib lib() {
        return lib;
    }
}
