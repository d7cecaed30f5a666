package dev.turbojet.ffi.cublas;

/** cublasStatus_t (cublas_api.h), for naming a status even when the library can't be asked. */
public enum CublasStatus {
    CUBLAS_STATUS_SUCCESS(0),
    CUBLAS_STATUS_NOT_INITIALIZED(1),
    CUBLAS_STATUS_ALLOC_FAILED(3),
    CUBLAS_STATUS_INVALID_VALUE(7),
    CUBLAS_STATUS_ARCH_MISMATCH(8),
    CUBLAS_STATUS_MAPPING_ERROR(11),
    CUBLAS_STATUS_EXECUTION_FAILED(13),
    CUBLAS_STATUS_INTERNAL_ERROR(14),
    CUBLAS_STATUS_NOT_SUPPORTED(15),
    CUBLAS_STATUS_LICENSE_ERROR(16);

    public final int code;

    CublasStatus(int code) {
        this.code = code;
    }

    /** The enum constant's name for {@code code}, or {@code CUBLAS_STATUS_<code>} for one this table lacks. */
    public static String nameOf(int code) {
        for (CublasStatus s : values()) {
            if (s.code == code) {
                return s.name();
            }
        }
        return "CUBLAS_STATUS_" + code;
    }
}
