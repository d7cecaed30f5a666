package dev.turbojet.ops.cuda;

import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.Shape;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Host-side conversion between logical row-major fp32 data and the CUDA backend's storage: 16-bit
 * elements (fp16 or bf16, round to nearest even) in a tensor's physical {@link Layout}. Uploads,
 * downloads and weight binding go through here; all of it is plain Java and tested without a GPU.
 */
final class HostPacking {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private HostPacking() {}

    /** Bytes a tensor of {@code shape} takes in storage. */
    static long storageBytes(Shape shape, Precision p) {
        return Math.multiplyExact(shape.numel(), (long) p.bytes());
    }

    /** Writes logical row-major {@code data} of {@code shape} into {@code dst} as {@code p} in {@code layout}. */
    static void pack(float[] data, Shape shape, Layout layout, Precision p, MemorySegment dst) {
        requireCapacity(dst, shape, p);
        PhysicalWalk walk = new PhysicalWalk(shape, layout);
        for (long i = 0, n = shape.numel(); i < n; i++) {
            dst.setAtIndex(U16, i, p.encode(data[(int) walk.next()]));
        }
    }

    /** Reads storage {@code src} ({@code p} in {@code layout}) back as logical row-major fp32. */
    static float[] unpack(MemorySegment src, Shape shape, Layout layout, Precision p) {
        requireCapacity(src, shape, p);
        float[] out = new float[Math.toIntExact(shape.numel())];
        PhysicalWalk walk = new PhysicalWalk(shape, layout);
        for (long i = 0, n = shape.numel(); i < n; i++) {
            out[(int) walk.next()] = p.decode(src.getAtIndex(U16, i));
        }
        return out;
    }

    /**
     * A checkpoint tensor in storage form: converted to {@code p} (F16 or BF16 checkpoints already in
     * {@code p} are copied bit for bit) and laid out in {@code layout} ([K, C, R, S] conv weights as
     * KRSC for cuDNN).
     */
    static void packWeight(TensorView view, Layout layout, Precision p, MemorySegment dst) {
        requireCapacity(dst, view.shape(), p);
        long n = view.numel();
        if (view.dtype() == p.dtype()) {
            if (layout.isRowMajor()) {
                MemorySegment.copy(view.data(), 0, dst, 0, n * p.bytes());
                return;
            }
            PhysicalWalk walk = new PhysicalWalk(view.shape(), layout);
            for (long i = 0; i < n; i++) dst.setAtIndex(U16, i, view.data().getAtIndex(U16, walk.next()));
            return;
        }
        PhysicalWalk walk = new PhysicalWalk(view.shape(), layout);
        for (long i = 0; i < n; i++) dst.setAtIndex(U16, i, p.encode(view.getFloat(walk.next())));
    }

    private static void requireCapacity(MemorySegment seg, Shape shape, Precision p) {
        if (seg.byteSize() < storageBytes(shape, p)) {
            throw new IllegalArgumentException("buffer of " + seg.byteSize() + " bytes is too small for " + shape + " " + p.label());
        }
    }

    /** Visits the logical row-major offsets of a tensor's elements in physical order. */
    static final class PhysicalWalk {
        private final long[] dims;       // physical order
        private final long[] strides;    // logical row-major stride of each physical dim
        private final long[] index;
        private long offset;
        private boolean started;

        PhysicalWalk(Shape shape, Layout layout) {
            int r = shape.rank();
            int[] order = layout.order();
            long[] rowMajor = new long[r];
            long acc = 1;
            for (int d = r - 1; d >= 0; d--) {
                rowMajor[d] = acc;
                acc *= shape.dim(d);
            }
            dims = layout.physicalDims(shape);
            strides = new long[r];
            for (int k = 0; k < r; k++) strides[k] = rowMajor[order[k]];
            index = new long[r];
        }

        long next() {
            if (!started) {
                started = true;
                return 0;
            }
            for (int k = dims.length - 1; k >= 0; k--) {
                if (++index[k] < dims[k]) {
                    offset += strides[k];
                    return offset;
                }
                offset -= (dims[k] - 1) * strides[k];
                index[k] = 0;
            }
            throw new IllegalStateException("walked past the end of " + java.util.Arrays.toString(dims));
        }
    }
}
