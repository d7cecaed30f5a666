package dev.turbojet.ffi.cudnn;

/** cudnnDataType_t values of convolution tensors (fp16/bf16 storage) and of the fp32 accumulator. */
public enum ConvDataType {
    FLOAT(0, 4), HALF(2, 2), BFLOAT16(9, 2);

    final int value;
    public final int bytes;

    ConvDataType(int value, int bytes) {
        this.value = value;
        this.bytes = bytes;
    }
}
