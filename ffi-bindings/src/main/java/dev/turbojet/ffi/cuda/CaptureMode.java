package dev.turbojet.ffi.cuda;

/** CUstreamCaptureMode. */
public enum CaptureMode {
    GLOBAL(0), THREAD_LOCAL(1), RELAXED(2);

    final int value;

    CaptureMode(int value) {
        this.value = value;
    }
}
