package dev.turbojet.hub;

import java.time.Duration;

/** Told about downloads as they go; every method may be called from the downloading thread only. */
public interface DownloadListener {
    DownloadListener NONE = new DownloadListener() {};

    /** Bytes have arrived. Called often (every buffer); implementations throttle their own output. */
    default void progress(Progress p) {}

    /** {@code file} is in the cache ({@code downloaded} false: it already was). */
    default void finished(String file, long bytes, boolean downloaded) {}

    /**
     * Where a download stands: the current file and all files of this call together. {@code rate} is
     * bytes per second over this call; {@code eta} the time left for all files at that rate (zero
     * when unknown).
     */
    record Progress(String file, long fileDone, long fileTotal, long allDone, long allTotal,
                    double bytesPerSecond, Duration eta) {}
}
