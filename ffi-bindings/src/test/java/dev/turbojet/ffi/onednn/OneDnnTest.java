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
