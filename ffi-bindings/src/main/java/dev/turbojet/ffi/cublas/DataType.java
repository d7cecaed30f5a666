package dev.turbojet.ffi.cublas;

/** cudaDataType_t values used for matrices (library_types.h). */
public enum DataType {
    F32(0, 4), F16(2, 2), BF16(14, 2);

    public final int value;
    public final int bytes;

    DataType(int value, int bytes) {
        this.value = value;
        this.bytes = bytes;
    }
}
