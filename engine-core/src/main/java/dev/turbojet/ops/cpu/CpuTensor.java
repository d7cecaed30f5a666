package dev.turbojet.ops.cpu;

import dev.turbojet.ffi.HostMemory;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@link CpuOps} tensor. Activations, and every tensor an op makes, are fp32 elements in a Java
 * {@code float[]}, row-major in the logical shape. Weights bound by a native-GEMM backend (oneDNN,
 * OpenBLAS) may be stored otherwise, to save memory and copies:
 * <ul>
 *   <li>16-bit: an F16 or BF16 checkpoint matrix keeps its bits in native memory (half the memory of fp32,
 *       at an address that does not move, so oneDNN's matmul reads them where they lie); the other GEMMs
 *       widen it just before they run (exactly: every F16 and BF16 value is an fp32);
 *   <li>tap-major: a k x k convolution weight [Cout, Cin, kh, kw] is laid out [kh kw][Cout][Cin], one
 *       [Cout, Cin] matrix per tap, the operand of the shifted-GEMM convolution.
 * </ul>
 * Only linear, conv2d and embedding read those directly; any other op sees {@link #plain()}, an fp32
 * row-major copy. Immutable by contract: no op writes into a tensor it did not just create, so views that
 * share storage (reshape) are safe. One array holds at most 2^31 - 1 elements.
 */
public final class CpuTensor implements Tensor {
    private final Shape shape;
    /** fp32 elements, or null when the tensor is 16-bit. */
    final float[] data;
    /** F16 or BF16 bits (native, 2 bytes an element) when {@link #data} is null. */
    final MemorySegment half;
    /** F32, F16 or BF16: how the elements are stored. */
    final DType storage;
    /** Whether a [Cout, Cin, kh, kw] weight is stored [kh kw][Cout][Cin]. */
    final boolean tapMajor;

    CpuTensor(Shape shape, float[] data) {
        this(shape, data, null, DType.F32, false);
    }

    private CpuTensor(Shape shape, float[] data, MemorySegment half, DType storage, boolean tapMajor) {
        long length = data != null ? data.length : half.byteSize() / 2;
        if (shape.numel() != length) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.numel() + " elements, data has " + length);
        }
        if (tapMajor && shape.rank() != 4) {
            throw new IllegalArgumentException("a tap-major tensor is a conv weight [Cout, Cin, kh, kw], not " + shape);
        }
        this.shape = shape;
        this.data = data;
        this.half = half;
        this.storage = storage;
        this.tapMajor = tapMajor;
    }

    /** 16-bit storage: {@code bits} are F16 or BF16 ({@code storage}), in {@code tapMajor} order or row-major. */
    static CpuTensor half(Shape shape, short[] bits, DType storage, boolean tapMajor) {
        if (storage != DType.F16 && storage != DType.BF16) throw new IllegalArgumentException("16-bit storage is F16 or BF16, not " + storage);
        // freed when the tensor is unreachable, outside the JVM's direct-memory limit (weights are gigabytes);
        // 64-byte aligned, as oneDNN's kernels like their operands
        MemorySegment held = HostMemory.allocate((long) bits.length * 2, 64);
        MemorySegment.copy(bits, 0, held, ValueLayout.JAVA_SHORT, 0, bits.length);
        return new CpuTensor(shape, null, held, storage, tapMajor);
    }

    /** fp32 storage in tap-major order. */
    static CpuTensor tapMajor(Shape shape, float[] data) {
        return new CpuTensor(shape, data, null, DType.F32, true);
    }

    static CpuTensor zeros(Shape shape) {
        long n = shape.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor " + shape + " has " + n + " elements, more than one CPU array holds");
        }
        return new CpuTensor(shape, new float[(int) n]);
    }

    /** Whether this is fp32, row-major in its logical shape (what every op can read). */
    boolean isPlain() {
        return data != null && !tapMajor;
    }

    /** This tensor as fp32, row-major: itself when it already is, else a widened, reordered copy. */
    CpuTensor plain() {
        if (isPlain()) return this;
        float[] f = new float[Math.toIntExact(shape.numel())];
        if (data != null) {
            System.arraycopy(data, 0, f, 0, f.length);
        } else {
            widen(half, storage, 0, f, 0, f.length);
        }
        if (tapMajor) f = fromTapMajor(f, shape.intDim(0), shape.intDim(1), shape.intDim(2) * shape.intDim(3));
        return new CpuTensor(shape, f);
    }

    /** The same storage under another shape of as many elements (row-major tensors only). */
    CpuTensor reshaped(Shape to) {
        if (tapMajor) return plain().reshaped(to);
        return new CpuTensor(to, data, half, storage, false);
    }

    /** Whether {@link #widen} runs on vector lanes (the same values: widening is exact). */
    static final boolean VECTOR_WIDEN = CpuOps.vectorApiPresent();

    /** dst[dOff + i] = element (srcOff + i) of 16-bit {@code bits} as fp32, for i < n. */
    static void widen(MemorySegment bits, DType storage, long srcOff, float[] dst, int dOff, int n) {
        if (VECTOR_WIDEN) {
            if (storage == DType.F16) {
                VectorMath.widenF16(bits, srcOff, dst, dOff, n);
            } else {
                VectorMath.widenBF16(bits, srcOff, dst, dOff, n);
            }
        } else if (storage == DType.F16) {
            for (int i = 0; i < n; i++) dst[dOff + i] = Float.float16ToFloat(bits.getAtIndex(ValueLayout.JAVA_SHORT, srcOff + i));
        } else {
            for (int i = 0; i < n; i++) dst[dOff + i] = Float.intBitsToFloat(bits.getAtIndex(ValueLayout.JAVA_SHORT, srcOff + i) << 16);
        }
    }

    /** Elements [off, off + n) of this tensor's storage as fp32 in dst (a copy, or a widening). */
    void storageRange(int off, float[] dst, int dOff, int n) {
        if (data != null) {
            System.arraycopy(data, off, dst, dOff, n);
        } else {
            widen(half, storage, off, dst, dOff, n);
        }
    }

    /** [cout][cin][taps] -> [taps][cout][cin]. */
    static float[] toTapMajor(float[] w, int cout, int cin, int taps) {
        float[] out = new float[w.length];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                int src = (co * cin + ci) * taps;
                for (int t = 0; t < taps; t++) out[(t * cout + co) * cin + ci] = w[src + t];
            }
        }
        return out;
    }

    /** [cout][cin][taps] -> [taps][cout][cin], for 16-bit bits. */
    static short[] toTapMajor(short[] w, int cout, int cin, int taps) {
        short[] out = new short[w.length];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                int src = (co * cin + ci) * taps;
                for (int t = 0; t < taps; t++) out[(t * cout + co) * cin + ci] = w[src + t];
            }
        }
        return out;
    }

    /** [taps][cout][cin] -> [cout][cin][taps]. */
    static float[] fromTapMajor(float[] w, int cout, int cin, int taps) {
        float[] out = new float[w.length];
        for (int t = 0; t < taps; t++) {
            for (int co = 0; co < cout; co++) {
                for (int ci = 0; ci < cin; ci++) out[(co * cin + ci) * taps + t] = w[(t * cout + co) * cin + ci];
            }
        }
        return out;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    /** The storage type: F32, or F16 / BF16 for a 16-bit weight (whose ops still compute in fp32). */
    @Override
    public DType dtype() {
        return storage;
    }

    @Override
    public String toString() {
        return "CpuTensor" + shape + (storage == DType.F32 ? "" : " " + storage) + (tapMajor ? " tap-major" : "");
    }
}
