package dev.turbojet.ops.cpu;

import dev.turbojet.ffi.onednn.OneDnn;
import dev.turbojet.ffi.onednn.OneDnnMatmul;
import dev.turbojet.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Linear layers with a 16-bit weight on oneDNN's matmul ({@link OneDnnMatmul}), which reads the F16 / BF16
 * weight where {@link CpuTensor} keeps it, in native memory, and converts it inside its kernel: no fp32 copy
 * of the weight is written and read back, and the bias is added in the kernel's epilogue. x is copied into
 * a native buffer and the result out of one; at the widths of SDXL's linears those copies are a few per cent
 * of the multiply.
 *
 * <p>The work is split over CpuOps' {@link Workers} as {@link BlasGemm}'s sgemm calls are, by rows of x when
 * M is the larger side, else by output columns (each task then reads only its rows of the weight), one
 * single-threaded matmul per task. A shape for which
 * oneDNN has no implementation, or only its reference one, is declined once ({@link #linear} returns false)
 * and stays on the widen-then-sgemm path.
 *
 * <p>Only skinny ones ({@link #MAX_ROWS}): the text encoders' 77 tokens, the UNet's cross-attention keys and
 * values. Measured on a 2-core AVX-512 Xeon (bench/NOTES.md): the text encoders' linears 628-672 -> 537-588 ms
 * a pass (A/B in one build, the property {@value CpuOps#ONEDNN_MATMUL_PROPERTY} off and on).
 */
final class DnnlLinears {
    /** Below this many FLOPs a linear runs as one task. */
    static final long SPLIT_FLOPS = 1L << 22;
    /**
     * The most rows of x this path takes. Measured (GemmBench, F16 weights, 2 threads, back to back): at
     * M = 77 the matmul beat widen-then-sgemm by 25-35% on 1,280 x 1,280 and 1,280 -> 5,120 x 1,280; at M =
     * 256 and 1,024 (the UNet's tokens) the two were within the run's noise, some shapes either way.
     */
    static final int MAX_ROWS = 128;

    /** A matmul of [rows, k] x [columns, k]^T into a destination of row stride n. */
    private record Key(int rows, int k, int n, int columns, OneDnnMatmul.WeightType type, boolean bias) {
    }

    /** A thread's native buffers, grown as {@link DnnlConvolutions.Buffers#fit} grows them. */
    private static final class Buffers {
        MemorySegment src = MemorySegment.NULL, dst = MemorySegment.NULL, bias = MemorySegment.NULL, scratchpad = MemorySegment.NULL;
    }

    private final OneDnn dnn;
    private final Workers workers;
    /** Each shape's matmul, or empty where oneDNN has none worth taking. */
    private final Map<Key, Optional<OneDnnMatmul>> primitives = new ConcurrentHashMap<>();
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    DnnlLinears(OneDnn dnn, Workers workers) {
        this.dnn = dnn;
        this.workers = workers;
    }

    /** Whether {@link #linear} may take a linear of {@code m} rows by this weight: 16-bit, row-major [N, K]. */
    static boolean takes(int m, CpuTensor w) {
        return m <= MAX_ROWS && w.half != null && !w.tapMajor;
    }

    private Optional<OneDnnMatmul> primitive(Key key) {
        return primitives.computeIfAbsent(key, k -> {
            try {
                OneDnnMatmul mm = OneDnnMatmul.create(dnn, k.rows, k.k, k.columns, k.type, k.k, k.n, k.bias);
                return mm.implementation().startsWith("ref") ? Optional.empty() : Optional.of(mm);
            } catch (IllegalStateException e) {
                return Optional.empty(); // no implementation for this shape: the sgemm path takes it
            }
        });
    }

    /**
     * out[M, N] = x[M, K] w^T (+ bias [N]), w a 16-bit [N, K] weight; out is overwritten.
     * False, with out untouched, when oneDNN has no fast matmul for this shape.
     */
    boolean linear(float[] x, int m, int k, CpuTensor w, int n, float[] bias, float[] out) {
        OneDnnMatmul.WeightType type = w.storage == DType.BF16 ? OneDnnMatmul.WeightType.BF16 : OneDnnMatmul.WeightType.F16;
        int tasks = 2L * m * n * k < SPLIT_FLOPS ? 1 : workers.threads();
        // as BlasGemm.parallel splits: by rows when M is the larger side (each task then reads all of the
        // weight, once), by columns otherwise (each task reads its rows of the weight)
        boolean byRows = m >= n;
        int extent = byRows ? m : n, step = Math.min(extent, Gemm.roundUp(Gemm.ceilDiv(extent, tasks), byRows ? 8 : 16));
        int slices = Gemm.ceilDiv(extent, step);
        OneDnnMatmul[] slice = new OneDnnMatmul[slices];
        for (int s = 0; s < slices; s++) {
            int size = Math.min(step, extent - s * step);
            Optional<OneDnnMatmul> mm = primitive(byRows ? new Key(size, k, n, n, type, bias != null) : new Key(m, k, n, size, type, bias != null));
            if (mm.isEmpty()) return false;
            slice[s] = mm.get();
        }
        Buffers b = buffers.get();
        b.src = DnnlConvolutions.Buffers.fit(b.src, (long) m * k * 4);
        b.dst = DnnlConvolutions.Buffers.fit(b.dst, (long) m * n * 4);
        MemorySegment.copy(x, 0, b.src, ValueLayout.JAVA_FLOAT, 0, m * k);
        if (bias != null) {
            b.bias = DnnlConvolutions.Buffers.fit(b.bias, (long) n * 4);
            MemorySegment.copy(bias, 0, b.bias, ValueLayout.JAVA_FLOAT, 0, n);
        }
        MemorySegment src = b.src, dst = b.dst, nativeBias = b.bias;
        workers.forEach(slices, s -> {
            int start = s * step, size = Math.min(step, extent - start);
            OneDnnMatmul mm = slice[s];
            Buffers mine = buffers.get();
            mine.scratchpad = DnnlConvolutions.Buffers.fit(mine.scratchpad, Math.max(64, mm.scratchpadBytes()));
            dnn.singleThreadedOnThisThread();
            if (byRows) {
                mm.execute(src.asSlice((long) start * k * 4), w.half, bias == null ? null : nativeBias, dst.asSlice((long) start * n * 4),
                        mine.scratchpad);
                MemorySegment.copy(dst, ValueLayout.JAVA_FLOAT, (long) start * n * 4, out, start * n, size * n);
            } else {
                mm.execute(src, w.half.asSlice((long) start * k * 2), bias == null ? null : nativeBias.asSlice((long) start * 4, (long) size * 4),
                        dst.asSlice((long) start * 4), mine.scratchpad);
                for (int i = 0; i < m; i++) {
                    MemorySegment.copy(dst, ValueLayout.JAVA_FLOAT, ((long) i * n + start) * 4, out, i * n + start, size);
                }
            }
        });
        return true;
    }
}
