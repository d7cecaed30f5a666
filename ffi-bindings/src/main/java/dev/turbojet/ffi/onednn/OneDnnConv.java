package dev.turbojet.ffi.onednn;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.turbojet.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * One oneDNN forward-inference direct convolution of a fixed shape, fp32: source [1, Cin, H, W] and
 * destination [1, Cout, Ho, Wo] plain NCHW in native memory, weights given [Cout, Cin, kh, kw] or tap-major
 * [kh kw][Cout][Cin] and reordered per call into the layout the implementation chose (its "any"), an optional bias [Cout], stride 1,
 * zero padding per side: {@code dst = bias + conv(src, w)}. Calls run on oneDNN's OpenMP team of the calling thread
 * ({@link OneDnn#threadsOnThisThread}); an instance is not for concurrent use.
 *
 * <p>Only the C API's primitive calls, as declared in {@code oneapi/dnnl/dnnl.h} and {@code dnnl_common.h};
 * the enum values are those of {@code dnnl_types.h} / {@code dnnl_common_types.h} (OneDnnTest checks them).
 */
@SuppressWarnings("restricted") // binding the downcalls is this class's job
public final class OneDnnConv {
    /** dnnl_engine_kind_t dnnl_cpu. */
    static final int ENGINE_CPU = 1;
    /** dnnl_stream_flags_t dnnl_stream_default_flags (dnnl_stream_in_order). */
    static final int STREAM_DEFAULT_FLAGS = 0x1;
    /** dnnl_data_type_t dnnl_f32. */
    static final int F32 = 3;
    /** dnnl_format_tag_t dnnl_format_tag_any. */
    static final int FORMAT_TAG_ANY = 1;
    /** dnnl_prop_kind_t dnnl_forward_inference. */
    static final int FORWARD_INFERENCE = 96;
    /** dnnl_alg_kind_t dnnl_convolution_direct. */
    static final int CONVOLUTION_DIRECT = 0x1;
    /** dnnl_query_t dnnl_query_weights_md. */
    static final int QUERY_WEIGHTS_MD = 131;
    /** DNNL_ARG_SRC (= DNNL_ARG_FROM), DNNL_ARG_DST (= DNNL_ARG_TO), DNNL_ARG_WEIGHTS. */
    static final int ARG_SRC = 1, ARG_DST = 17, ARG_WEIGHTS = 33;
    /** DNNL_ARG_BIAS, DNNL_ARG_SCRATCHPAD. */
    static final int ARG_BIAS = 41, ARG_SCRATCHPAD = 80;
    /** dnnl_scratchpad_mode_t dnnl_scratchpad_mode_user; dnnl_query_t dnnl_query_scratchpad_md. */
    static final int SCRATCHPAD_MODE_USER = 1, QUERY_SCRATCHPAD_MD = 136;
    /** sizeof(dnnl_dims_t) / sizeof(int64_t): DNNL_MAX_NDIMS. */
    static final int MAX_NDIMS = 12;
    /** dnnl_exec_arg_t: { int arg; dnnl_memory_t memory; }. */
    static final MemoryLayout EXEC_ARG = MemoryLayout.structLayout(JAVA_INT.withName("arg"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("memory"));
    private static final long ARG_OFFSET = EXEC_ARG.byteOffset(MemoryLayout.PathElement.groupElement("arg"));
    private static final long MEMORY_OFFSET = EXEC_ARG.byteOffset(MemoryLayout.PathElement.groupElement("memory"));

    private static final class Api {
        final MethodHandle engineCreate, streamCreate, mdWithStrides, mdWithTag, mdDestroy, mdSize, convPd, pdQueryMd,
                pdDestroy, primitiveCreate, primitiveExecute, streamWait, memoryCreate, memoryDestroy, reorderPd,
                attrCreate, attrSetScratchpadMode;
        final MemorySegment engine, stream;

        Api(SymbolLookup s) {
            Linker l = Linker.nativeLinker();
            engineCreate = h(l, s, "dnnl_engine_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
            streamCreate = h(l, s, "dnnl_stream_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
            mdWithStrides = h(l, s, "dnnl_memory_desc_create_with_strides",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
            mdWithTag = h(l, s, "dnnl_memory_desc_create_with_tag",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
            mdDestroy = h(l, s, "dnnl_memory_desc_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            mdSize = h(l, s, "dnnl_memory_desc_get_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
            // (pd*, engine, prop_kind, alg_kind, src_md, weights_md, bias_md, dst_md, strides, dilates, padding_l, padding_r, attr)
            convPd = h(l, s, "dnnl_convolution_forward_primitive_desc_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                    JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
            pdQueryMd = h(l, s, "dnnl_primitive_desc_query_md", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
            pdDestroy = h(l, s, "dnnl_primitive_desc_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            primitiveCreate = h(l, s, "dnnl_primitive_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            primitiveExecute = h(l, s, "dnnl_primitive_execute", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
            streamWait = h(l, s, "dnnl_stream_wait", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            memoryCreate = h(l, s, "dnnl_memory_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
            memoryDestroy = h(l, s, "dnnl_memory_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            reorderPd = h(l, s, "dnnl_reorder_primitive_desc_create",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
            attrCreate = h(l, s, "dnnl_primitive_attr_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            attrSetScratchpadMode = h(l, s, "dnnl_primitive_attr_set_scratchpad_mode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(ADDRESS);
                check("dnnl_engine_create", (int) engineCreate.invokeExact(out, ENGINE_CPU, 0L));
                engine = out.get(ADDRESS, 0);
                check("dnnl_stream_create", (int) streamCreate.invokeExact(out, engine, STREAM_DEFAULT_FLAGS));
                stream = out.get(ADDRESS, 0);
            } catch (Throwable t) {
                throw Native.unchecked(t);
            }
        }

        private static MethodHandle h(Linker l, SymbolLookup s, String name, FunctionDescriptor fd) {
            return l.downcallHandle(s.find(name).orElseThrow(() -> new IllegalStateException(
                    "the oneDNN library found does not export " + name)), fd);
        }
    }

    private static volatile Api api;

    private static Api api(OneDnn dnn) {
        Api a = api;
        if (a != null) return a;
        synchronized (OneDnnConv.class) {
            if (api == null) api = new Api(dnn.symbols());
            return api;
        }
    }

    private final Api a;
    private final String shape;
    private final MemorySegment srcMd, dstMd, biasMd, givenWeightsMd, weightsMd, scratchpadMd, conv, reorder;
    private final long weightBytes, scratchpadBytes;
    private final int cin, cout, h, w, kh, kw, ho, wo;

    private OneDnnConv(Api a, int cin, int cout, int h, int w, int kh, int kw, int padT, int padB, int padL, int padR,
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
            srcMd = md(t, dims(t, 1, cin, h, w), dims(t, (long) cin * h * w, (long) h * w, w, 1));
            dstMd = md(t, dims(t, 1, cout, ho, wo), dims(t, (long) cout * ho * wo, (long) ho * wo, wo, 1));
            givenWeightsMd = tapMajorWeights
                    ? md(t, dims(t, cout, cin, kh, kw), dims(t, cin, 1, (long) kw * cout * cin, (long) cout * cin))
                    : md(t, dims(t, cout, cin, kh, kw), dims(t, cin * taps, taps, kw, 1));
            MemorySegment out = t.allocate(ADDRESS);
            check("dnnl_memory_desc_create_with_tag", (int) a.mdWithTag.invokeExact(out, 4,
                    dims(t, cout, cin, kh, kw), F32, FORMAT_TAG_ANY));
            MemorySegment anyWeights = out.get(ADDRESS, 0);
            if (bias) {
                check("dnnl_memory_desc_create_with_strides", (int) a.mdWithStrides.invokeExact(out, 1, dims(t, cout), F32, dims(t, 1)));
                biasMd = out.get(ADDRESS, 0);
            } else {
                biasMd = MemorySegment.NULL;
            }
            // the scratchpad is the caller's: otherwise each execution mallocs its own on the OpenMP threads,
            // whose malloc arenas keep the peak (measured: 440 MB resident after a VAE decode)
            check("dnnl_primitive_attr_create", (int) a.attrCreate.invokeExact(out));
            MemorySegment attr = out.get(ADDRESS, 0);
            check("dnnl_primitive_attr_set_scratchpad_mode", (int) a.attrSetScratchpadMode.invokeExact(attr, SCRATCHPAD_MODE_USER));
            int status = (int) a.convPd.invokeExact(out, a.engine, FORWARD_INFERENCE, CONVOLUTION_DIRECT, srcMd, anyWeights,
                    biasMd, dstMd, dims(t, 1, 1), dims(t, 0, 0), dims(t, padT, padL), dims(t, padB, padR), attr);
            check("dnnl_convolution_forward_primitive_desc_create", status);
            MemorySegment pd = out.get(ADDRESS, 0);
            // the chosen weights layout belongs to pd, which stays alive with it
            MemorySegment chosen = (MemorySegment) a.pdQueryMd.invokeExact(pd, QUERY_WEIGHTS_MD, 0);
            weightsMd = chosen;
            weightBytes = (long) a.mdSize.invokeExact(chosen);
            scratchpadMd = (MemorySegment) a.pdQueryMd.invokeExact(pd, QUERY_SCRATCHPAD_MD, 0);
            scratchpadBytes = scratchpadMd.address() == 0 ? 0 : (long) a.mdSize.invokeExact(scratchpadMd);
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
        return new OneDnnConv(api(dnn), cin, cout, h, w, kh, kw, padT, padB, padL, padR, bias, tapMajorWeights);
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
        try (Arena t = Arena.ofConfined()) {
            MemorySegment list = t.allocate(EXEC_ARG, args.length);
            MemorySegment out = t.allocate(ADDRESS);
            MemorySegment[] mems = new MemorySegment[args.length];
            try {
                for (int i = 0; i < args.length; i++) {
                    check("dnnl_memory_create", (int) a.memoryCreate.invokeExact(out, mds[i], a.engine, data[i]));
                    mems[i] = out.get(ADDRESS, 0);
                    list.set(JAVA_INT, i * EXEC_ARG.byteSize() + ARG_OFFSET, args[i]);
                    list.set(ADDRESS, i * EXEC_ARG.byteSize() + MEMORY_OFFSET, mems[i]);
                }
                check("dnnl_primitive_execute", (int) a.primitiveExecute.invokeExact(primitive, a.stream, args.length, list));
                check("dnnl_stream_wait", (int) a.streamWait.invokeExact(a.stream));
            } finally {
                for (MemorySegment m : mems) {
                    if (m != null) {
                        int ignored = (int) a.memoryDestroy.invokeExact(m);
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException(shape + ": " + e.getMessage(), e);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    private void checkSize(String what, MemorySegment seg, long bytes) {
        if (!seg.isNative() || seg.byteSize() < bytes) {
            throw new IllegalArgumentException(shape + ": the " + what + " must be a native segment of at least " + bytes
                    + " bytes, not " + seg);
        }
    }

    /** An fp32 4-D memory desc of these dims and element strides. */
    private MemorySegment md(Arena t, MemorySegment dims, MemorySegment strides) throws Throwable {
        MemorySegment out = t.allocate(ADDRESS);
        check("dnnl_memory_desc_create_with_strides", (int) a.mdWithStrides.invokeExact(out, 4, dims, F32, strides));
        return out.get(ADDRESS, 0);
    }

    private static MemorySegment dims(Arena t, long... d) {
        MemorySegment s = t.allocate(JAVA_LONG, MAX_NDIMS);
        for (int i = 0; i < d.length; i++) s.setAtIndex(JAVA_LONG, i, d[i]);
        return s;
    }

    static void check(String call, int status) {
        if (status != OneDnn.SUCCESS) throw new IllegalStateException(call + " failed with dnnl_status_t " + status);
    }
}
