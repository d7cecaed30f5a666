package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.cublas.DataType;
import dev.turbojet.ffi.cudnn.ConvDataType;
import dev.turbojet.kernels.ElementType;
import dev.turbojet.tensor.DType;

/**
 * The CUDA backend's storage type. Every tensor is stored in it; GEMMs and convolutions accumulate in
 * fp32, and norms, softmax and reductions compute in fp32 inside the kernels.
 */
public enum Precision {
    FP16(DType.F16, ElementType.F16, DataType.F16, ConvDataType.HALF),
    BF16(DType.BF16, ElementType.BF16, DataType.BF16, ConvDataType.BFLOAT16);

    final DType dtype;
    final ElementType kernel;
    final DataType gemm;
    final ConvDataType conv;

    Precision(DType dtype, ElementType kernel, DataType gemm, ConvDataType conv) {
        this.dtype = dtype;
        this.kernel = kernel;
        this.gemm = gemm;
        this.conv = conv;
    }

    public DType dtype() {
        return dtype;
    }

    /** Bytes per stored element. */
    public int bytes() {
        return 2;
    }

    /** The 16-bit pattern of {@code v} (round to nearest even; NaN stays NaN). */
    public short encode(float v) {
        return kernel.bits(v);
    }

    /** The fp32 value of a stored 16-bit pattern (exact). */
    public float decode(short bits) {
        return this == FP16 ? Float.float16ToFloat(bits) : Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** The precision that stores {@code storage}: F16 or BF16. */
    public static Precision of(DType storage) {
        for (Precision p : values()) {
            if (p.dtype == storage) return p;
        }
        throw new IllegalArgumentException("the cuda backend stores fp16 or bf16, not " + storage);
    }

    /** {@code fp16} or {@code bf16}, any case. */
    public static Precision parse(String name) {
        for (Precision p : values()) {
            if (p.label().equalsIgnoreCase(name.trim())) return p;
        }
        throw new IllegalArgumentException("unknown precision '" + name + "': use fp16 or bf16");
    }

    /** "fp16" / "bf16". */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
