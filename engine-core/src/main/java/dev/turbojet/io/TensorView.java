package dev.turbojet.io;

import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A read-only view of one stored tensor: its bytes (little-endian, row-major, usually a slice of a
 * memory-mapped file, never copied) with dtype and shape. {@code origin} names where it came
 * from ("unet/diffusion_pytorch_model.safetensors") for error messages.
 */
public record TensorView(String name, DType dtype, Shape shape, MemorySegment data, String origin) {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    public TensorView {
        long expected = Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(origin + ": tensor '" + name + "' of " + dtype + shape
                    + " needs " + expected + " bytes but has " + data.byteSize());
        }
    }

    public long numel() {
        return shape.numel();
    }

    /** Element {@code i} widened to float (F32, F16, BF16, F64 exactly or rounded; integers converted). */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, i);
            case F16 -> Float.float16ToFloat(data.getAtIndex(I16, i));
            case BF16 -> Float.intBitsToFloat((data.getAtIndex(I16, i) & 0xffff) << 16);
            case F64 -> (float) data.getAtIndex(F64, i);
            case I64 -> data.getAtIndex(I64, i);
            case I32 -> data.getAtIndex(I32, i);
            case I16 -> data.getAtIndex(I16, i);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, i);
            case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, i) & 0xff;
        };
    }

    /**
     * The index of the first NaN or infinity, or -1 when every element is finite (always for integer
     * types). Reads the exponent bits only; a large tensor is scanned in parallel chunks.
     */
    public long firstNonFinite() {
        long n = numel();
        if (!dtype.isFloatingPoint() || n == 0) return -1;
        long chunk = 1 << 20;
        if (n <= chunk) return firstNonFinite(0, n);
        return java.util.stream.LongStream.range(0, (n + chunk - 1) / chunk).parallel()
                .map(c -> firstNonFinite(c * chunk, Math.min(n, (c + 1) * chunk)))
                .filter(i -> i >= 0).min().orElse(-1);
    }

    private long firstNonFinite(long from, long to) {
        switch (dtype) {
            case F32 -> {
                for (long i = from; i < to; i++) if ((data.getAtIndex(I32, i) & 0x7f800000) == 0x7f800000) return i;
            }
            case F16 -> {
                for (long i = from; i < to; i++) if ((data.getAtIndex(I16, i) & 0x7c00) == 0x7c00) return i;
            }
            case BF16 -> {
                for (long i = from; i < to; i++) if ((data.getAtIndex(I16, i) & 0x7f80) == 0x7f80) return i;
            }
            case F64 -> {
                for (long i = from; i < to; i++) {
                    if ((data.getAtIndex(I64, i) & 0x7ff0000000000000L) == 0x7ff0000000000000L) return i;
                }
            }
            default -> {
            }
        }
        return -1;
    }

    /** The raw 16-bit elements of an F16 or BF16 tensor (any other dtype is an error). */
    public short[] toShortBits() {
        if (dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalStateException(name + " is " + dtype + ", not a 16-bit float tensor");
        }
        int n = Math.toIntExact(numel());
        short[] out = new short[n];
        MemorySegment.copy(data, I16, 0, out, 0, n);
        return out;
    }

    /** All elements widened to fp32 (exact for F16 and BF16). */
    public float[] toFloatArray() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(data.getAtIndex(I16, i));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((data.getAtIndex(I16, i) & 0xffff) << 16);
            }
            default -> {
                for (int i = 0; i < n; i++) out[i] = getFloat(i);
            }
        }
        return out;
    }

    public HostTensor toHost() {
        return new HostTensor(shape, toFloatArray());
    }

    /** Integer elements (I64, I32, I16, I8, U8, BOOL) as longs; a float dtype is an error. */
    public long[] toLongArray() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case I64 -> data.getAtIndex(I64, i);
                case I32 -> data.getAtIndex(I32, i);
                case I16 -> data.getAtIndex(I16, i);
                case I8 -> data.get(ValueLayout.JAVA_BYTE, i);
                case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, i) & 0xff;
                default -> throw new IllegalStateException(origin + ": tensor '" + name + "' is " + dtype + ", not an integer type");
            };
        }
        return out;
    }

    /** The raw bytes (U8 images, for instance). */
    public byte[] toByteArray() {
        return data.toArray(ValueLayout.JAVA_BYTE);
    }
}
