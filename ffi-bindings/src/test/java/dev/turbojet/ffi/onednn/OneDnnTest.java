package dev.turbojet.ffi.onednn;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The oneDNN binding against oneDNN's own headers (shipped in the same jar as the library) and against a
 * plain triple loop: row-major, both transposes, strided leading dimensions, alpha and beta, on heap and
 * native segments, from a thread made single-threaded and from one that is not.
 */
class OneDnnTest {
    private static final String INCLUDE = "org/bytedeco/dnnl/linux-x86_64/include/oneapi/dnnl/";

    private static String header(String name) throws IOException {
        try (InputStream in = OneDnnTest.class.getClassLoader().getResourceAsStream(INCLUDE + name)) {
            assumeTrue(in != null, "no " + INCLUDE + name + " on the class path (the dnnl jar is absent)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int enumValue(String header, String name) {
        Matcher m = Pattern.compile("\\b" + name + "\\s*=\\s*(0x[0-9a-fA-F]+|\\d+)").matcher(header);
        assertTrue(m.find(), name + " not in the header");
        return Integer.decode(m.group(1));
    }

    @Test
    void declarationsAndConstantsAreTheHeaders() throws IOException {
        String dnnl = header("dnnl.h"), types = header("dnnl_types.h"), common = header("dnnl_common_types.h");
        assertEquals(enumValue(common, "dnnl_success"), OneDnn.SUCCESS);
        assertEquals(enumValue(types, "dnnl_cpu_isa_avx512_core"), OneDnn.ISA_AVX512_CORE);
        String flat = dnnl.replaceAll("\\s+", " ");
        assertTrue(flat.contains("dnnl_status_t DNNL_API dnnl_sgemm(char transa, char transb, dnnl_dim_t M, dnnl_dim_t N,"
                + " dnnl_dim_t K, float alpha, const float *A, dnnl_dim_t lda, const float *B, dnnl_dim_t ldb, float beta,"
                + " float *C, dnnl_dim_t ldc);"), "dnnl_sgemm's declaration is the one the binding assumes");
        assertTrue(flat.contains("dnnl_cpu_isa_t DNNL_API dnnl_get_effective_cpu_isa(void);"), "dnnl_get_effective_cpu_isa");
        assertTrue(common.replaceAll("\\s+", " ").contains("typedef int64_t dnnl_dim_t;"), "dnnl_dim_t is int64_t");
        assertTrue(common.replaceAll("\\s+", " ").matches("(?s).*typedef struct \\{ int major;[^}]*int minor;[^}]*int patch;.*"),
                "dnnl_version_t starts with three ints");
        assertTrue(header("dnnl_config.h").contains("#define DNNL_CPU_RUNTIME DNNL_RUNTIME_OMP"),
                "an OpenMP build (singleThreadedOnThisThread sets the OpenMP thread count)");
    }

    /**
     * The value of a C constant in {@code headers}: a {@code #define NAME value} (followed through names), or
     * an enumerator, counted as C counts them (one past the previous, or its initialiser, which may name an
     * earlier enumerator of the same enum).
     */
    static long cValue(String headers, String name) {
        String text = headers.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
        Matcher define = Pattern.compile("#define\\s+" + name + "\\s+(\\S+)").matcher(text);
        if (define.find()) return literalOrName(text, define.group(1));
        Matcher enums = Pattern.compile("(?s)enum\\s*\\w*\\s*\\{(.*?)\\}").matcher(text);
        while (enums.find()) {
            java.util.Map<String, Long> values = new java.util.HashMap<>();
            long next = 0;
            for (String item : enums.group(1).split(",")) {
                String[] parts = item.trim().split("=", 2);
                String id = parts[0].trim();
                if (id.isEmpty()) continue;
                long v = parts.length == 1 ? next : parts[1].trim().matches("[A-Za-z_]\\w*")
                        ? values.get(parts[1].trim()) : parseLiteral(parts[1].trim());
                values.put(id, v);
                next = v + 1;
            }
            if (values.containsKey(name)) return values.get(name);
        }
        throw new AssertionError(name + " is neither a #define nor an enumerator in oneDNN's headers");
    }

    private static long literalOrName(String text, String value) {
        return value.matches("[A-Za-z_]\\w*") ? cValue(text, value) : parseLiteral(value);
    }

    private static long parseLiteral(String v) {
        String t = v.replaceAll("[uUlL]+$", "").replace("(", "").replace(")", "");
        return t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
    }

    @Test
    void convolutionConstantsAreTheHeaders() throws IOException {
        String all = header("dnnl_common_types.h") + "\n" + header("dnnl_types.h") + "\n" + header("dnnl_common.h");
        assertEquals(cValue(all, "dnnl_cpu"), DnnlApi.ENGINE_CPU);
        assertEquals(cValue(all, "dnnl_stream_default_flags"), DnnlApi.STREAM_DEFAULT_FLAGS);
        assertEquals(cValue(all, "dnnl_f32"), DnnlApi.F32);
        assertEquals(cValue(all, "dnnl_f16"), DnnlApi.F16);
        assertEquals(cValue(all, "dnnl_bf16"), DnnlApi.BF16);
        assertEquals(cValue(all, "dnnl_query_impl_info_str"), DnnlApi.QUERY_IMPL_INFO_STR);
        assertEquals(DnnlApi.F32, OneDnnMatmul.WeightType.F32.dnnl());
        assertEquals(DnnlApi.F16, OneDnnMatmul.WeightType.F16.dnnl());
        assertEquals(DnnlApi.BF16, OneDnnMatmul.WeightType.BF16.dnnl());
        assertEquals(cValue(all, "dnnl_format_tag_any"), DnnlApi.FORMAT_TAG_ANY);
        assertEquals(cValue(all, "dnnl_forward_inference"), DnnlApi.FORWARD_INFERENCE);
        assertEquals(cValue(all, "dnnl_convolution_direct"), DnnlApi.CONVOLUTION_DIRECT);
        assertEquals(cValue(all, "dnnl_query_weights_md"), DnnlApi.QUERY_WEIGHTS_MD);
        assertEquals(cValue(all, "DNNL_ARG_SRC"), DnnlApi.ARG_SRC);
        assertEquals(cValue(all, "DNNL_ARG_DST"), DnnlApi.ARG_DST);
        assertEquals(cValue(all, "DNNL_ARG_WEIGHTS"), DnnlApi.ARG_WEIGHTS);
        assertEquals(cValue(all, "DNNL_ARG_BIAS"), DnnlApi.ARG_BIAS);
        assertEquals(cValue(all, "DNNL_MAX_NDIMS"), DnnlApi.MAX_NDIMS);
        assertEquals(cValue(all, "DNNL_ARG_SCRATCHPAD"), DnnlApi.ARG_SCRATCHPAD);
        assertEquals(cValue(all, "dnnl_scratchpad_mode_user"), DnnlApi.SCRATCHPAD_MODE_USER);
        assertEquals(cValue(all, "dnnl_query_scratchpad_md"), DnnlApi.QUERY_SCRATCHPAD_MD);
        // the counting itself: an enumerator after an explicit value, and one after an alias
        assertEquals(cValue(all, "dnnl_query_some_md") + 1, cValue(all, "dnnl_query_src_md"));
        String flat = all.replaceAll("\\s+", " ");
        assertTrue(flat.contains("typedef struct { int arg; dnnl_memory_t memory; } dnnl_exec_arg_t;")
                || flat.replaceAll("///<[^;]*?(?=dnnl_memory_t|})", "").contains("int arg; dnnl_memory_t memory;"),
                "dnnl_exec_arg_t is { int arg; dnnl_memory_t memory; }");
        String api = header("dnnl.h").replaceAll("\\s+", " ");
        for (String decl : new String[]{
                "dnnl_status_t DNNL_API dnnl_convolution_forward_primitive_desc_create( dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const dnnl_dims_t strides, const dnnl_dims_t dilates, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r, const_dnnl_primitive_attr_t attr);",
                "dnnl_status_t DNNL_API dnnl_matmul_primitive_desc_create( dnnl_primitive_desc_t *primitive_desc, dnnl_engine_t engine, const_dnnl_memory_desc_t src_desc, const_dnnl_memory_desc_t weights_desc, const_dnnl_memory_desc_t bias_desc, const_dnnl_memory_desc_t dst_desc, const_dnnl_primitive_attr_t attr);",
                "dnnl_status_t DNNL_API dnnl_primitive_desc_query( const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index, void *result);",
                "dnnl_status_t DNNL_API dnnl_memory_desc_create_with_strides( dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, const dnnl_dims_t strides);",
                "dnnl_status_t DNNL_API dnnl_memory_desc_create_with_tag( dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims, dnnl_data_type_t data_type, dnnl_format_tag_t tag);",
                "dnnl_status_t DNNL_API dnnl_memory_create(dnnl_memory_t *memory, const_dnnl_memory_desc_t memory_desc, dnnl_engine_t engine, void *handle);",
                "dnnl_status_t DNNL_API dnnl_primitive_execute(const_dnnl_primitive_t primitive, dnnl_stream_t stream, int nargs, const dnnl_exec_arg_t *args);",
                "dnnl_status_t DNNL_API dnnl_reorder_primitive_desc_create( dnnl_primitive_desc_t *reorder_primitive_desc, const_dnnl_memory_desc_t src_desc, dnnl_engine_t src_engine, const_dnnl_memory_desc_t dst_desc, dnnl_engine_t dst_engine, const_dnnl_primitive_attr_t attr);",
                "const_dnnl_memory_desc_t DNNL_API dnnl_primitive_desc_query_md( const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index);",
                "size_t DNNL_API dnnl_memory_desc_get_size(const_dnnl_memory_desc_t memory_desc);",
                "dnnl_status_t DNNL_API dnnl_primitive_attr_set_scratchpad_mode( dnnl_primitive_attr_t attr, dnnl_scratchpad_mode_t mode);"}) {
            assertTrue(api.contains(decl), "dnnl.h declares " + decl);
        }
    }

    @Test
    void sgemmMatchesATripleLoop() throws Exception {
        OneDnn dnn = OneDnn.tryLoad().orElse(null);
        assumeTrue(dnn != null, "oneDNN does not load here: " + OneDnn.whyUnavailable());
        assertTrue(dnn.version().matches("\\d+\\.\\d+\\.\\d+"), dnn.version());
        check(dnn);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread single = Thread.ofPlatform().start(() -> {
            try {
                dnn.singleThreadedOnThisThread();
                dnn.singleThreadedOnThisThread();
                check(dnn);
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        single.join();
        if (failed.get() != null) throw new AssertionError("on a single-threaded thread", failed.get());
    }

    /**
     * The matmul against a triple loop in double: fp32, F16 and BF16 weights [N, K] read where they lie (row
     * stride ldw > K), a destination row stride ldc > N whose gap stays untouched, with and without a bias, and
     * two threads executing one primitive at once (their own scratchpads).
     */
    @Test
    void matmulMatchesATripleLoop() throws Exception {
        OneDnn dnn = OneDnn.tryLoad().orElse(null);
        assumeTrue(dnn != null, "oneDNN does not load here: " + OneDnn.whyUnavailable());
        Random rnd = new Random(11);
        int m = 45, k = 70, n = 53, ldw = 75, ldc = 60;
        for (OneDnnMatmul.WeightType type : OneDnnMatmul.WeightType.values()) {
            for (boolean withBias : new boolean[]{false, true}) {
                OneDnnMatmul mm = OneDnnMatmul.create(dnn, m, k, n, type, ldw, ldc, withBias);
                assertTrue(!mm.implementation().isEmpty(), mm.toString());
                float[] x = random(rnd, m * k), bias = random(rnd, n), w = new float[n * ldw];
                short[] bits = new short[n * ldw];
                for (int i = 0; i < w.length; i++) {
                    float v = (float) rnd.nextGaussian();
                    bits[i] = type == OneDnnMatmul.WeightType.BF16 ? (short) (Float.floatToRawIntBits(v) >>> 16) : Float.floatToFloat16(v);
                    w[i] = switch (type) {
                        case F32 -> v;
                        case F16 -> Float.float16ToFloat(bits[i]);
                        case BF16 -> Float.intBitsToFloat(bits[i] << 16);
                    };
                }
                float[] want = new float[m * ldc];
                java.util.Arrays.fill(want, 7f);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double sum = withBias ? bias[j] : 0;
                        for (int p = 0; p < k; p++) sum += (double) x[i * k + p] * w[j * ldw + p];
                        want[i * ldc + j] = (float) sum;
                    }
                }
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Runnable one = () -> {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment weights = type == OneDnnMatmul.WeightType.F32
                                ? arena.allocateFrom(ValueLayout.JAVA_FLOAT, w) : arena.allocateFrom(ValueLayout.JAVA_SHORT, bits);
                        MemorySegment dst = arena.allocateFrom(ValueLayout.JAVA_FLOAT, new float[m * ldc]);
                        for (int i = 0; i < m * ldc; i++) dst.setAtIndex(ValueLayout.JAVA_FLOAT, i, 7f);
                        dnn.singleThreadedOnThisThread();
                        mm.execute(arena.allocateFrom(ValueLayout.JAVA_FLOAT, x), weights,
                                withBias ? arena.allocateFrom(ValueLayout.JAVA_FLOAT, bias) : null, dst,
                                arena.allocate(Math.max(1, mm.scratchpadBytes()), 64));
                        float[] got = dst.toArray(ValueLayout.JAVA_FLOAT);
                        for (int i = 0; i < m * ldc; i++) {
                            assertEquals(want[i], got[i], 1e-5f * Math.max(1, Math.abs(want[i])) * (i % ldc < n ? 1 : 0),
                                    mm + " at (" + i / ldc + ", " + i % ldc + ")");
                        }
                    } catch (Throwable t) {
                        failed.compareAndSet(null, t);
                    }
                };
                Thread other = Thread.ofPlatform().start(one);
                one.run();
                other.join();
                if (failed.get() != null) throw new AssertionError(failed.get());
            }
        }
    }

    @Test
    void aMatmulGivenTooSmallAnOperandSaysWhich() {
        OneDnn dnn = OneDnn.tryLoad().orElse(null);
        assumeTrue(dnn != null, "oneDNN does not load here: " + OneDnn.whyUnavailable());
        OneDnnMatmul mm = OneDnnMatmul.create(dnn, 4, 8, 6, OneDnnMatmul.WeightType.F16, 8, 6, false);
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mm.execute(arena.allocate(4 * 8 * 4),
                    arena.allocate(6 * 8 * 2 - 2), null, arena.allocate(4 * 6 * 4), arena.allocate(64 + mm.scratchpadBytes())));
            assertTrue(e.getMessage().contains("weights") && e.getMessage().contains("96 bytes"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> mm.execute(arena.allocate(4 * 8 * 4), arena.allocate(6 * 8 * 2),
                    arena.allocate(24), arena.allocate(4 * 6 * 4), arena.allocate(64 + mm.scratchpadBytes())));
            assertTrue(e.getMessage().contains("without a bias"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> OneDnnMatmul.create(dnn, 4, 8, 6, OneDnnMatmul.WeightType.F16, 7, 6, false));
    }

    @Test
    void aBadLeadingDimensionIsAnErrorNamingIt() {
        OneDnn dnn = OneDnn.tryLoad().orElse(null);
        assumeTrue(dnn != null, "oneDNN does not load here: " + OneDnn.whyUnavailable());
        float[] a = new float[16], b = new float[16], c = new float[16];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> dnn.sgemm(false, false, 4, 4, 4, 1f,
                MemorySegment.ofArray(a), 2, MemorySegment.ofArray(b), 4, 0f, MemorySegment.ofArray(c), 4));
        assertTrue(e.getMessage().contains("lda=2"), e.getMessage());
    }

    private static void check(OneDnn dnn) {
        Random rnd = new Random(3);
        int m = 37, n = 29, k = 41, lda = 50, ldb = 60, ldc = 33;
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                float[] a = random(rnd, 60 * lda), b = random(rnd, 60 * ldb), c = random(rnd, m * ldc);
                float[] want = c.clone();
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) {
                            s += (double) (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                        }
                        want[i * ldc + j] = (float) (0.5 * s + 2.0 * c[i * ldc + j]);
                    }
                }
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment nativeC = arena.allocateFrom(ValueLayout.JAVA_FLOAT, c);
                    dnn.sgemm(ta, tb, m, n, k, 0.5f, MemorySegment.ofArray(a), lda, arena.allocateFrom(ValueLayout.JAVA_FLOAT, b), ldb,
                            2f, nativeC, ldc);
                    dnn.sgemm(ta, tb, m, n, k, 0.5f, MemorySegment.ofArray(a), lda, MemorySegment.ofArray(b), ldb, 2f,
                            MemorySegment.ofArray(c), ldc);
                    float[] fromNative = nativeC.toArray(ValueLayout.JAVA_FLOAT);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < ldc; j++) {
                            int at = i * ldc + j;
                            float tol = j < n ? 1e-4f * Math.max(1, Math.abs(want[at])) : 0f;
                            assertEquals(want[at], c[at], tol, "heap ta=" + ta + " tb=" + tb + " (" + i + "," + j + ")");
                            assertEquals(want[at], fromNative[at], tol, "native ta=" + ta + " tb=" + tb + " (" + i + "," + j + ")");
                        }
                    }
                }
            }
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }
}
