package dev.turbojet.ffi.cublas;

/**
 * cublasLtEpilogue_t values turbojet uses. No GELU: cuBLASLt's GELU epilogue is the tanh
 * approximation, while SDXL's GEGLU and GELU use exact erf (those are our kernels).
 */
public enum Epilogue {
    NONE(1), RELU(2), BIAS(4), RELU_BIAS(6);

    public final int value;

    Epilogue(int value) {
        this.value = value;
    }

    public boolean hasBias() {
        return this == BIAS || this == RELU_BIAS;
    }
}
