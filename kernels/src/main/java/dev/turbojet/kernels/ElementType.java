package dev.turbojet.kernels;

/** Storage types of the kernels' tensors; the suffix is the one in the kernels' extern "C" names. */
public enum ElementType {
    F16("f16"), BF16("bf16");

    public final String suffix;

    ElementType(String suffix) {
        this.suffix = suffix;
    }

    public int bytes() {
        return 2;
    }

    /** The 16-bit pattern of {@code value} in this type (round to nearest even). */
    public short bits(float value) {
        if (this == F16) {
            return Float.floatToFloat16(value);
        }
        int f = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((f >>> 16) | 0x40);
        }
        return (short) ((f + 0x7FFF + ((f >>> 16) & 1)) >>> 16);
    }
}
