package dev.turbojet.ffi.cuda;

/** What the engine needs to know about a GPU. */
public record DeviceInfo(Device device, String name, int multiprocessors, int ccMajor, int ccMinor,
                         long totalMemoryBytes, int maxSharedMemoryPerBlockOptin) {

    /** The SASS target name, e.g. {@code sm_89}. */
    public String arch() {
        return "sm_" + ccMajor + ccMinor;
    }
}
