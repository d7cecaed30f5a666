package dev.turbojet.tensor;

import java.util.Optional;

/** Element types, named as safetensors names them. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2),
    I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The dtype for a safetensors header name ("F32", "BF16", ...), empty when unknown. */
    public static Optional<DType> fromSafetensors(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) return Optional.of(d);
        }
        return Optional.empty();
    }
}
