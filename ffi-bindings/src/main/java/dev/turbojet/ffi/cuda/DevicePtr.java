package dev.turbojet.ffi.cuda;

/** A CUdeviceptr: an address in device memory (never dereferenced on the host). */
public record DevicePtr(long address) {
    public static final DevicePtr NULL = new DevicePtr(0);

    /** This pointer advanced by {@code bytes}. */
    public DevicePtr plus(long bytes) {
        return new DevicePtr(address + bytes);
    }

    public boolean isAligned(int bytes) {
        return Long.remainderUnsigned(address, bytes) == 0;
    }

    @Override
    public String toString() {
        return "DevicePtr[0x" + Long.toHexString(address) + "]";
    }
}
