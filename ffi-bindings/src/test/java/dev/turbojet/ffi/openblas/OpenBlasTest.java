package dev.turbojet.ffi.openblas;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The OpenBLAS binding against OpenBLAS's own cblas.h (shipped in the same jar as the library) and
 * against a plain triple loop: row-major, both transposes, strided leading dimensions, alpha and beta,
 * on heap and native segments.
 */
class OpenBlasTest {
    private static final String HEADER = "org/bytedeco/openblas/linux-x86_64/include/cblas.h";

    private static String header() throws IOException {
        try (InputStream in = OpenBlasTest.class.getClassLoader().getResourceAsStream(HEADER)) {
            assumeTrue(in != null, "no " + HEADER + " on the class path (the openblas jar is absent)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int enumValue(String header, String name) {
        Matcher m = Pattern.compile("\\b" + name + "\\s*=\\s*(\\d+)").matcher(header);
        assertTrue(m.find(), name + " not in cblas.h");
        return Integer.parseInt(m.group(1));
    }

    @Test
    void constantsAreCblasHs() throws IOException {
        String h = header();
        assertEquals(enumValue(h, "CblasRowMajor"), OpenBlas.ROW_MAJOR);
        assertEquals(enumValue(h, "CblasNoTrans"), OpenBlas.NO_TRANS);
        assertEquals(enumValue(h, "CblasTrans"), OpenBlas.TRANS);
        assertTrue(h.matches("(?s).*void cblas_sgemm\\(OPENBLAS_CONST enum CBLAS_ORDER Order, OPENBLAS_CONST enum CBLAS_TRANSPOSE TransA,"
                + " OPENBLAS_CONST enum CBLAS_TRANSPOSE TransB, OPENBLAS_CONST blasint M, OPENBLAS_CONST blasint N, OPENBLAS_CONST blasint K,\\s*"
                + "OPENBLAS_CONST float alpha, OPENBLAS_CONST float \\*A, OPENBLAS_CONST blasint lda, OPENBLAS_CONST float \\*B,"
                + " OPENBLAS_CONST blasint ldb, OPENBLAS_CONST float beta, float \\*C, OPENBLAS_CONST blasint ldc\\);.*"),
                "cblas_sgemm's declaration is the one the binding assumes");
        assertTrue(!h.contains("typedef long blasint") || h.contains("#ifdef OPENBLAS_USE64BITINT"), "blasint is int in this build");
    }

    @Test
    void sgemmMatchesATripleLoop() {
        OpenBlas blas = OpenBlas.tryLoad().orElse(null);
        assumeTrue(blas != null, "OpenBLAS does not load here: " + OpenBlas.whyUnavailable());
        assertNotNull(blas.coreName());
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
                    blas.sgemm(ta, tb, m, n, k, 0.5f, MemorySegment.ofArray(a), lda, arena.allocateFrom(ValueLayout.JAVA_FLOAT, b), ldb,
                            2f, nativeC, ldc);
                    blas.sgemm(ta, tb, m, n, k, 0.5f, MemorySegment.ofArray(a), lda, MemorySegment.ofArray(b), ldb, 2f,
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
