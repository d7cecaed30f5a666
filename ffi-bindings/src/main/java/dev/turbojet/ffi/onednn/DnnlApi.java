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
 * oneDNN's C primitive API as {@link OneDnnConv} and {@link OneDnnMatmul} use it: the calls, as declared in
 * {@code oneapi/dnnl/dnnl.h}, one CPU engine for the process and an in-order stream per thread, and the enum values of
 * {@code dnnl_types.h} / {@code dnnl_common_types.h} / {@code dnnl_common.h} (OneDnnTest checks them there).
 */
@SuppressWarnings("restricted") // binding the downcalls is this class's job
final class DnnlApi {
    /** dnnl_engine_kind_t dnnl_cpu. */
    static final int ENGINE_CPU = 1;
    /** dnnl_stream_flags_t dnnl_stream_default_flags (dnnl_stream_in_order). */
    static final int STREAM_DEFAULT_FLAGS = 0x1;
    /** dnnl_data_type_t dnnl_f16, dnnl_bf16, dnnl_f32. */
    static final int F16 = 1, BF16 = 2, F32 = 3;
    /** dnnl_format_tag_t dnnl_format_tag_any. */
    static final int FORMAT_TAG_ANY = 1;
    /** dnnl_prop_kind_t dnnl_forward_inference. */
    static final int FORWARD_INFERENCE = 96;
    /** dnnl_alg_kind_t dnnl_convolution_direct. */
    static final int CONVOLUTION_DIRECT = 0x1;
    /** dnnl_query_t dnnl_query_impl_info_str, dnnl_query_weights_md. */
    static final int QUERY_IMPL_INFO_STR = 8, QUERY_WEIGHTS_MD = 131;
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
    static final long ARG_OFFSET = EXEC_ARG.byteOffset(MemoryLayout.PathElement.groupElement("arg"));
    static final long MEMORY_OFFSET = EXEC_ARG.byteOffset(MemoryLayout.PathElement.groupElement("memory"));

    final MethodHandle engineCreate, streamCreate, mdWithStrides, mdWithTag, mdDestroy, mdSize, convPd, matmulPd, pdQuery,
            pdQueryMd, pdDestroy, primitiveCreate, primitiveExecute, streamWait, memoryCreate, memoryDestroy, reorderPd,
            attrCreate, attrSetScratchpadMode;
    final MemorySegment engine;
    /**
     * Each calling thread's stream (made on its first execution, kept for the thread's life): primitives may
     * run on several threads at once, a stream is one thread's.
     */
    private final ThreadLocal<MemorySegment> streams = ThreadLocal.withInitial(this::newStream);

    private static volatile DnnlApi api;

    /** The bindings on oneDNN's symbols, made (with the engine) on the first call. */
    static DnnlApi of(OneDnn dnn) {
        DnnlApi a = api;
        if (a != null) return a;
        synchronized (DnnlApi.class) {
            if (api == null) api = new DnnlApi(dnn.symbols());
            return api;
        }
    }

    private DnnlApi(SymbolLookup s) {
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
        // (pd*, engine, src_md, weights_md, bias_md, dst_md, attr)
        matmulPd = h(l, s, "dnnl_matmul_primitive_desc_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        pdQuery = h(l, s, "dnnl_primitive_desc_query", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
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
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    private MemorySegment newStream() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check("dnnl_stream_create", (int) streamCreate.invokeExact(out, engine, STREAM_DEFAULT_FLAGS));
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    private static MethodHandle h(Linker l, SymbolLookup s, String name, FunctionDescriptor fd) {
        return l.downcallHandle(s.find(name).orElseThrow(() -> new IllegalStateException(
                "the oneDNN library found does not export " + name)), fd);
    }

    /** A memory desc of {@code dims} and element {@code strides} (as many), of data type {@code type}. */
    MemorySegment md(Arena t, int type, long[] dims, long[] strides) throws Throwable {
        MemorySegment out = t.allocate(ADDRESS);
        check("dnnl_memory_desc_create_with_strides", (int) mdWithStrides.invokeExact(out, dims.length, dims(t, dims), type,
                dims(t, strides)));
        return out.get(ADDRESS, 0);
    }

    /** A primitive attr whose scratchpad is the caller's (dnnl_scratchpad_mode_user). */
    MemorySegment userScratchpadAttr(Arena t) throws Throwable {
        MemorySegment out = t.allocate(ADDRESS);
        check("dnnl_primitive_attr_create", (int) attrCreate.invokeExact(out));
        MemorySegment attr = out.get(ADDRESS, 0);
        check("dnnl_primitive_attr_set_scratchpad_mode", (int) attrSetScratchpadMode.invokeExact(attr, SCRATCHPAD_MODE_USER));
        return attr;
    }

    /** The bytes a memory desc describes (0 for the null desc a query gives for "none"). */
    long bytes(MemorySegment md) throws Throwable {
        return md.address() == 0 ? 0 : (long) mdSize.invokeExact(md);
    }

    /** The implementation a primitive desc chose (dnnl_query_impl_info_str), e.g. "brg_matmul:avx512_core". */
    String implementation(Arena t, MemorySegment pd) throws Throwable {
        MemorySegment out = t.allocate(ADDRESS);
        check("dnnl_primitive_desc_query(impl_info_str)", (int) pdQuery.invokeExact(pd, QUERY_IMPL_INFO_STR, 0, out));
        return out.get(ADDRESS, 0).reinterpret(Integer.MAX_VALUE).getString(0);
    }

    /** A dnnl_dims_t (DNNL_MAX_NDIMS int64s) holding {@code d} first. */
    static MemorySegment dims(Arena t, long... d) {
        MemorySegment s = t.allocate(JAVA_LONG, MAX_NDIMS);
        for (int i = 0; i < d.length; i++) s.setAtIndex(JAVA_LONG, i, d[i]);
        return s;
    }

    /**
     * Executes {@code primitive} on the calling thread's stream and waits: argument {@code args[i]} is memory of desc
     * {@code mds[i]} over {@code data[i]} (native), each wrapped in a dnnl_memory_t for the call only.
     */
    void execute(MemorySegment primitive, int[] args, MemorySegment[] mds, MemorySegment[] data) throws Throwable {
        MemorySegment stream = streams.get();
        try (Arena t = Arena.ofConfined()) {
            MemorySegment list = t.allocate(EXEC_ARG, args.length);
            MemorySegment out = t.allocate(ADDRESS);
            MemorySegment[] mems = new MemorySegment[args.length];
            try {
                for (int i = 0; i < args.length; i++) {
                    check("dnnl_memory_create", (int) memoryCreate.invokeExact(out, mds[i], engine, data[i]));
                    mems[i] = out.get(ADDRESS, 0);
                    list.set(JAVA_INT, i * EXEC_ARG.byteSize() + ARG_OFFSET, args[i]);
                    list.set(ADDRESS, i * EXEC_ARG.byteSize() + MEMORY_OFFSET, mems[i]);
                }
                check("dnnl_primitive_execute", (int) primitiveExecute.invokeExact(primitive, stream, args.length, list));
                check("dnnl_stream_wait", (int) streamWait.invokeExact(stream));
            } finally {
                for (MemorySegment m : mems) {
                    if (m != null) {
                        int ignored = (int) memoryDestroy.invokeExact(m);
                    }
                }
            }
        }
    }

    /** {@code seg} is native and holds at least {@code bytes}, else an IllegalArgumentException naming it within {@code shape}. */
    static void checkSize(String shape, String what, MemorySegment seg, long bytes) {
        if (!seg.isNative() || seg.byteSize() < bytes) {
            throw new IllegalArgumentException(shape + ": the " + what + " must be a native segment of at least " + bytes
                    + " bytes, not " + seg);
        }
    }

    static void check(String call, int status) {
        if (status != OneDnn.SUCCESS) throw new IllegalStateException(call + " failed with dnnl_status_t " + status);
    }
}
