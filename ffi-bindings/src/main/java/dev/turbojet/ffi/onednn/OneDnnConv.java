package dev.turbojet.ffi.onednn;

import static dev.turbojet.ffi.onednn.DnnlApi.ARG_BIAS;
import static dev.turbojet.ffi.onednn.DnnlApi.ARG_DST;
import static dev.turbojet.ffi.onednn.DnnlApi.ARG_SCRATCHPAD;
import static dev.turbojet.ffi.onednn.DnnlApi.ARG_SRC;
import static dev.turbojet.ffi.onednn.DnnlApi.ARG_WEIGHTS;
import static dev.turbojet.ffi.onednn.DnnlApi.F32;
import static dev.turbojet.ffi.onednn.DnnlApi.check;
import static dev.turbojet.ffi.onednn.DnnlApi.dims;
import static java.lang.foreign.ValueLayout.ADDRESS;

import dev.turbojet.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One oneDNN forward-inference direct convolution of a fixed shape, fp32: source [1, Cin, H, W] and
 * destination [1, Cout, Ho, Wo] plain NCHW in native memory, weights given [Cout, Cin, kh, kw] or tap-major
 * [kh kw][Cout][Cin] and reordered per call into the layout the implementation chose (its "any"), an optional bias [Cout], stride 1,
 * zero padding per side: {@code dst = bias + conv(src, w)}. Calls run on oneDNN's OpenMP team of the calling thread
 * ({@link OneDnn#threadsOnThisThread}); an instance is not for concurrent use.
 *
 * <p>Only the C API's primitive calls ({@link DnnlApi}).
 */
public final class OneDnnConv {
    private final DnnlApi a;
    private final String shape;
    private final MemorySegment srcMd, dstMd, biasMd, givenWeightsMd, weightsMd, scratchpadMd, conv, reorder;
    private final long weightBytes, scratchpadBytes;
    private final int cin, cout, h, w, kh, kw, ho, wo;

    private OneDnnConv(DnnlApi a, int cin, int cout, int h, int w, int kh, int kw, int padT, int padB, int padL, int padR,
                       boolean bias, boolean tapMajorWeights) {
        this.a = a;
        this.cin = cin;
        this.cout = cout;
        this.h = h;
        this.w = w;
        this.kh = kh;
        this.kw = kw;
        this.ho = h + padT + padB - kh + 1;
        this.wo = w + padL + padR - kw + 1;
        this.shape = "conv [1, " + cin + ", " + h + ", " + w + "] x [" + cout + ", " + cin + ", " + kh + ", " + kw + "] pad "
                + padT + "," + padB + "," + padL + "," + padR;
        if (ho <= 0 || wo <= 0) throw new IllegalArgumentException(shape + ": empty output");
        try (Arena t = Arena.ofConfined()) {
            long taps = (long) kh * kw;
            srcMd = a.md(t, F32, new long[]{1, cin, h, w}, new long[]{(long) cin * h * w, (long) h * w, w, 1});
            dstMd = a.md(t, F32, new long[]{1, cout, ho, wo}, new long[]{(long) cout * ho * wo, (long) ho * wo, wo, 1});
            givenWeightsMd = tapMajorWeights
                    ? a.md(t, F32, new long[]{cout, cin, kh, kw}, new long[]{cin, 1, (long) kw * cout * cin, (long) cout * cin})
                    : a.md(t, F32, new long[]{cout, cin, kh, kw}, new long[]{cin * taps, taps, kw, 1});
            MemorySegment out = t.allocate(ADDRESS);
            check("dnnl_memory_desc_create_with_tag", (int) a.mdWithTag.invokeExact(out, 4,
                    dims(t, cout, cin, kh, kw), F32, DnnlApi.FORMAT_TAG_ANY));
            MemorySegment anyWeights = out.get(ADDRESS, 0);
            if (bias) {
                biasMd = a.md(t, F32, new long[]{cout}, new long[]{1});
            } else {
                biasMd = MemorySegment.NULL;
            }
            // the scratchpad is the caller's: otherwise each execution mallocs its own on the OpenMP threads,
            // whose malloc arenas keep the peak (measured: 440 MB resident after a VAE decode)
            MemorySegment attr = a.userScratchpadAttr(t);
            int status = (int) a.convPd.invokeExact(out, a.engine, DnnlApi.FORWARD_INFERENCE, DnnlApi.CONVOLUTION_DIRECT, srcMd, anyWeights,
                    biasMd, dstMd, dims(t, 1, 1), dims(t, 0, 0), dims(t, padT, padL), dims(t, padB, padR), attr);
            check("dnnl_convolution_forward_primitive_desc_create", status);
            MemorySegment pd = out.get(ADDRESS, 0);
            // the chosen weights layout belongs to pd, which stays alive with it
            MemorySegment chosen = (MemorySegment) a.pdQueryMd.invokeExact(pd, DnnlApi.QUERY_WEIGHTS_MD, 0);
            weightsMd = chosen;
            weightBytes = a.bytes(chosen);
            scratchpadMd = (MemorySegment) a.pdQueryMd.invokeExact(pd, DnnlApi.QUERY_SCRATCHPAD_MD, 0);
            scratchpadBytes = a.bytes(scratchpadMd);
            check("dnnl_primitive_create", (int) a.primitiveCreate.invokeExact(out, pd));
            conv = out.get(ADDRESS, 0);
            check("dnnl_reorder_primitive_desc_create", (int) a.reorderPd.invokeExact(out, givenWeightsMd, a.engine, chosen, a.engine,
                    MemorySegment.NULL));
            MemorySegment rpd = out.get(ADDRESS, 0);
            check("dnnl_primitive_create (reorder)", (int) a.primitiveCreate.invokeExact(out, rpd));
            reorder = out.get(ADDRESS, 0);
            // pd stays alive (its weights md is used at every call); the rest is owned by the primitives
        } catch (RuntimeException e) {
            throw new IllegalStateException(shape + ": " + e.getMessage(), e);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /**
     * A convolution of [1, cin, h, w] by [cout, cin, kh, kw], stride 1, with the given zero padding per side and,
     * if {@code bias}, a bias [cout]; {@link #reorderWeights} takes the weights row-major [cout][cin][kh][kw], or
     * with {@code tapMajorWeights} [kh kw][cout][cin]. An {@link IllegalStateException} names the shape when oneDNN
     * has no direct implementation for it.
     */
    public static OneDnnConv create(OneDnn dnn, int cin, int cout, int h, int w, int kh, int kw,
                                    int padT, int padB, int padL, int padR, boolean bias, boolean tapMajorWeights) {
        return new OneDnnConv(DnnlApi.of(dnn), cin, cout, h, w, kh, kw, padT, padB, padL, padR, bias, tapMajorWeights);
    }

    public int outHeight() {
        return ho;
    }

    public int outWidth() {
        return wo;
    }

    /** Bytes of the weights in the implementation's layout (the {@code blocked} buffer of {@link #reorderWeights}). */
    public long blockedWeightBytes() {
        return weightBytes;
    }

    /** Bytes of the scratchpad {@link #execute} needs (0 for none). */
    public long scratchpadBytes() {
        return scratchpadBytes;
    }

    /** blocked := the fp32 weights {@code given} (in the layout {@link #create} was told), in the implementation's layout. */
    public void reorderWeights(MemorySegment given, MemorySegment blocked) {
        checkSize("weights", given, (long) cout * cin * kh * kw * 4);
        checkSize("blocked weights", blocked, weightBytes);
        run(reorder, new int[]{ARG_SRC, ARG_DST}, new MemorySegment[]{givenWeightsMd, weightsMd}, new MemorySegment[]{given, blocked});
    }

    /**
     * dst [1, cout, ho, wo] = bias + conv(src [1, cin, h, w], the reordered weights); {@code bias} [cout] is
     * null exactly when this convolution was made without one; {@code scratchpad} holds at least
     * {@link #scratchpadBytes()} (unused when that is 0).
     */
    public void execute(MemorySegment src, MemorySegment blocked, MemorySegment bias, MemorySegment dst, MemorySegment scratchpad) {
        if (scratchpadBytes > 0) checkSize("scratchpad", scratchpad, scratchpadBytes);
        checkSize("source", src, (long) cin * h * w * 4);
        checkSize("destination", dst, (long) cout * ho * wo * 4);
        checkSize("blocked weights", blocked, weightBytes);
        if ((bias != null) != (biasMd.address() != 0)) {
            throw new IllegalArgumentException(shape + ": made " + (bias == null ? "with" : "without") + " a bias, called "
                    + (bias == null ? "without" : "with") + " one");
        }
        java.util.List<Integer> args = new java.util.ArrayList<>(java.util.List.of(ARG_SRC, ARG_WEIGHTS, ARG_DST));
        java.util.List<MemorySegment> mds = new java.util.ArrayList<>(java.util.List.of(srcMd, weightsMd, dstMd));
        java.util.List<MemorySegment> data = new java.util.ArrayList<>(java.util.List.of(src, blocked, dst));
        if (bias != null) {
            checkSize("bias", bias, (long) cout * 4);
            args.add(ARG_BIAS);
            mds.add(biasMd);
            data.add(bias);
        }
        if (scratchpadBytes > 0) {
            args.add(ARG_SCRATCHPAD);
            mds.add(scratchpadMd);
            data.add(scratchpad);
        }
        run(conv, args.stream().mapToInt(Integer::intValue).toArray(), mds.toArray(MemorySegment[]::new),
                data.toArray(MemorySegment[]::new));
    }

    private void run(MemorySegment primitive, int[] args, MemorySegment[] mds, MemorySegment[] data) {
        try {
            a.execute(primitive, args, mds, data);
        } catch (RuntimeException e) {
            throw new IllegalStateException(shape + ": " + e.getMessage(), e);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    private void checkSize(String what, MemorySegment seg, long bytes) {
        DnnlApi.checkSize(shape, what, seg, bytes);
    }
}
