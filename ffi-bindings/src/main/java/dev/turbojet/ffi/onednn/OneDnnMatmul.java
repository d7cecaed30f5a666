package dev.turbojet.ffi.onednn;

import static dev.turbojet.ffi.onednn.DnnlApi.ARG_BIAS;
import static dev.turbojet.ffi.onednn.DnnlApi.ARG_DST;
import static dev.turbojet.ffi.onednn.DnnlApi.ARG_SCRATCHPAD;
import static dev.turbojet.ffi.onednn.DnnlApi.ARG_SRC;
import static dev.turbojet.ffi.onednn.DnnlApi.ARG_WEIGHTS;
import static dev.turbojet.ffi.onednn.DnnlApi.F32;
import static dev.turbojet.ffi.onednn.DnnlApi.check;
import static java.lang.foreign.ValueLayout.ADDRESS;

import dev.turbojet.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One oneDNN matmul of a fixed shape, a linear layer's {@code dst[M, N] = src[M, K] W^T (+ bias)}: src fp32
 * row-major [M, K], the weight W given as it is stored, [N, K] row-major (row stride {@code ldw}) in fp32,
 * F16 or BF16, an optional fp32 bias [N], dst fp32 [M, N] (row stride {@code ldc}), all in native memory.
 * The weight is read where it lies, in its own type: the 16-bit ones are not widened into a copy first.
 * The math mode is oneDNN's default (strict): the products and sums are fp32 ones, a 16-bit weight's
 * elements converted exactly.
 *
 * <p>An execution runs on oneDNN's OpenMP team of the calling thread ({@link OneDnn#threadsOnThisThread});
 * several threads may execute one instance at once, each with its own scratchpad and memory.
 */
public final class OneDnnMatmul {
    /** How the weight's elements are stored. */
    public enum WeightType {
        F32, F16, BF16;

        /** Its dnnl_data_type_t. */
        int dnnl() {
            return switch (this) {
                case F32 -> DnnlApi.F32;
                case F16 -> DnnlApi.F16;
                case BF16 -> DnnlApi.BF16;
            };
        }

        /** Bytes per element. */
        public int bytes() {
            return this == F32 ? 4 : 2;
        }
    }

    private final DnnlApi a;
    private final String shape, implementation;
    private final MemorySegment srcMd, weightsMd, biasMd, dstMd, scratchpadMd, matmul;
    private final long scratchpadBytes, srcBytes, weightBytes, dstBytes, biasBytes;

    private OneDnnMatmul(DnnlApi a, int m, int k, int n, WeightType type, int ldw, int ldc, boolean bias) {
        this.a = a;
        this.shape = "matmul [" + m + ", " + k + "] x [" + n + ", " + k + "]^T " + type + " (ldw " + ldw + ", ldc " + ldc + ")"
                + (bias ? " + bias" : "");
        if (m <= 0 || k <= 0 || n <= 0 || ldw < k || ldc < n) throw new IllegalArgumentException(shape + ": not a matmul");
        srcBytes = (long) m * k * 4;
        weightBytes = ((long) (n - 1) * ldw + k) * type.bytes();
        dstBytes = ((long) (m - 1) * ldc + n) * 4;
        biasBytes = bias ? (long) n * 4 : 0;
        try (Arena t = Arena.ofConfined()) {
            srcMd = a.md(t, F32, new long[]{m, k}, new long[]{k, 1});
            // the weights operand is [K, N]: W^T, whose element (kk, j) is W[j][kk] at j ldw + kk
            weightsMd = a.md(t, type.dnnl(), new long[]{k, n}, new long[]{1, ldw});
            dstMd = a.md(t, F32, new long[]{m, n}, new long[]{ldc, 1});
            biasMd = bias ? a.md(t, F32, new long[]{1, n}, new long[]{n, 1}) : MemorySegment.NULL;
            MemorySegment out = t.allocate(ADDRESS);
            check("dnnl_matmul_primitive_desc_create", (int) a.matmulPd.invokeExact(out, a.engine, srcMd, weightsMd, biasMd, dstMd,
                    a.userScratchpadAttr(t)));
            MemorySegment pd = out.get(ADDRESS, 0);
            implementation = a.implementation(t, pd);
            scratchpadMd = (MemorySegment) a.pdQueryMd.invokeExact(pd, DnnlApi.QUERY_SCRATCHPAD_MD, 0);
            scratchpadBytes = a.bytes(scratchpadMd);
            check("dnnl_primitive_create", (int) a.primitiveCreate.invokeExact(out, pd));
            matmul = out.get(ADDRESS, 0);
            // pd stays alive: its scratchpad md is used at every call
        } catch (RuntimeException e) {
            throw new IllegalStateException(shape + ": " + e.getMessage(), e);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /**
     * dst[M, N] = src[M, K] W^T (+ bias) for W [N, K] of {@code type}, row stride {@code ldw} elements, and dst of
     * row stride {@code ldc}. An {@link IllegalStateException} names the shape when oneDNN has no implementation
     * for it; {@link #implementation()} says which one it chose (a name starting "ref" is its slow reference code).
     */
    public static OneDnnMatmul create(OneDnn dnn, int m, int k, int n, WeightType type, int ldw, int ldc, boolean bias) {
        return new OneDnnMatmul(DnnlApi.of(dnn), m, k, n, type, ldw, ldc, bias);
    }

    /** oneDNN's name for the implementation chosen (dnnl_query_impl_info_str), e.g. "brg_matmul:avx512_core". */
    public String implementation() {
        return implementation;
    }

    /** Bytes of the scratchpad {@link #execute} needs (0 for none). */
    public long scratchpadBytes() {
        return scratchpadBytes;
    }

    /**
     * dst := src W^T (+ bias); {@code bias} is null exactly when this matmul was made without one, and
     * {@code scratchpad} holds at least {@link #scratchpadBytes()} (unused when that is 0). Every segment is
     * native and large enough for its operand, else an {@link IllegalArgumentException} names it.
     */
    public void execute(MemorySegment src, MemorySegment weights, MemorySegment bias, MemorySegment dst, MemorySegment scratchpad) {
        DnnlApi.checkSize(shape, "source", src, srcBytes);
        DnnlApi.checkSize(shape, "weights", weights, weightBytes);
        DnnlApi.checkSize(shape, "destination", dst, dstBytes);
        if ((bias != null) != (biasBytes > 0)) {
            throw new IllegalArgumentException(shape + ": made " + (bias == null ? "with" : "without") + " a bias, called "
                    + (bias == null ? "without" : "with") + " one");
        }
        int count = 3 + (bias != null ? 1 : 0) + (scratchpadBytes > 0 ? 1 : 0);
        int[] args = new int[count];
        MemorySegment[] mds = new MemorySegment[count], data = new MemorySegment[count];
        args[0] = ARG_SRC; mds[0] = srcMd; data[0] = src;
        args[1] = ARG_WEIGHTS; mds[1] = weightsMd; data[1] = weights;
        args[2] = ARG_DST; mds[2] = dstMd; data[2] = dst;
        int i = 3;
        if (bias != null) {
            DnnlApi.checkSize(shape, "bias", bias, biasBytes);
            args[i] = ARG_BIAS; mds[i] = biasMd; data[i++] = bias;
        }
        if (scratchpadBytes > 0) {
            DnnlApi.checkSize(shape, "scratchpad", scratchpad, scratchpadBytes);
            args[i] = ARG_SCRATCHPAD; mds[i] = scratchpadMd; data[i] = scratchpad;
        }
        try {
            a.execute(matmul, args, mds, data);
        } catch (RuntimeException e) {
            throw new IllegalStateException(shape + ": " + e.getMessage(), e);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    @Override
    public String toString() {
        return shape + " on " + implementation;
    }
}
