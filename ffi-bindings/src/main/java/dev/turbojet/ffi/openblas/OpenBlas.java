package dev.turbojet.ffi.openblas;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.Native;
import dev.turbojet.ffi.NativeLibraries;
import dev.turbojet.ffi.NativeLibraryException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * OpenBLAS's single-precision GEMM ({@code cblas_sgemm}, as declared in its {@code cblas.h}) and the
 * threading calls around it.
 *
 * <p>{@link #sgemm} is bound as a <em>critical</em> downcall, so its matrices may be heap segments
 * ({@code MemorySegment.ofArray}) as well as native ones: the JVM neither copies them nor lets the
 * collector move them while the call runs (it cannot reach a safepoint until the call returns). The
 * library is loaded on first use; {@link #load()} says why when it cannot be.
 */
@SuppressWarnings("restricted") // binding the downcalls is this class's job
public final class OpenBlas {
    /** CBLAS_ORDER: row-major. */
    public static final int ROW_MAJOR = 101;
    /** CBLAS_TRANSPOSE: as stored, and transposed. */
    public static final int NO_TRANS = 111;
    public static final int TRANS = 112;

    private static volatile OpenBlas instance;
    private static volatile String unavailable;

    private final MethodHandle sgemm;
    private final MethodHandle setNumThreads;
    private final MethodHandle getNumThreads;
    private final MethodHandle coreName;
    private final MethodHandle config;
    private final String origin;

    private OpenBlas(SymbolLookup symbols, String origin) {
        Linker linker = Linker.nativeLinker();
        // void cblas_sgemm(order, transA, transB, blasint M, N, K, float alpha, const float *A, blasint lda,
        //                  const float *B, blasint ldb, float beta, float *C, blasint ldc): blasint is int (LP64 build)
        this.sgemm = linker.downcallHandle(find(symbols, "cblas_sgemm"),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT,
                        ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT),
                Linker.Option.critical(true));
        this.setNumThreads = linker.downcallHandle(find(symbols, "openblas_set_num_threads"),
                FunctionDescriptor.ofVoid(JAVA_INT));
        this.getNumThreads = linker.downcallHandle(find(symbols, "openblas_get_num_threads"),
                FunctionDescriptor.of(JAVA_INT));
        this.coreName = linker.downcallHandle(find(symbols, "openblas_get_corename"), FunctionDescriptor.of(ADDRESS));
        this.config = linker.downcallHandle(find(symbols, "openblas_get_config"), FunctionDescriptor.of(ADDRESS));
        this.origin = origin;
    }

    private static MemorySegment find(SymbolLookup symbols, String name) {
        return symbols.find(name).orElseThrow(() -> new IllegalStateException(
                "the OpenBLAS library found does not export " + name + " (an OpenBLAS 0.3 libopenblas.so.0 does)"));
    }

    /** OpenBLAS, loaded on the first call; an {@link IllegalStateException} saying why when it cannot be. */
    public static OpenBlas load() {
        OpenBlas blas = instance;
        if (blas != null) return blas;
        synchronized (OpenBlas.class) {
            if (instance != null) return instance;
            if (unavailable != null) throw new IllegalStateException(unavailable);
            try {
                NativeLibraries.Loaded loaded = NativeLibraries.get(Lib.OPENBLAS);
                instance = new OpenBlas(loaded.symbols(), loaded.from().toString());
                return instance;
            } catch (NativeLibraryException | IllegalStateException e) {
                unavailable = e.getMessage();
                throw new IllegalStateException(unavailable, e);
            }
        }
    }

    /** OpenBLAS when it loads here, else empty (the reason is {@link #whyUnavailable()}). */
    public static Optional<OpenBlas> tryLoad() {
        try {
            return Optional.of(load());
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
    }

    /** Why OpenBLAS did not load, or "" if it did or was not tried. */
    public static String whyUnavailable() {
        String why = unavailable;
        return why == null ? "" : why;
    }

    /**
     * C := alpha op(A) op(B) + beta C, row-major: op(A) is M x K, op(B) K x N, C M x N; lda, ldb and ldc
     * are row strides in elements. The segments may be heap or native.
     */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                      MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** How many threads OpenBLAS itself splits one call over (process-wide). */
    public void setThreads(int threads) {
        try {
            setNumThreads.invokeExact(threads);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public int threads() {
        try {
            return (int) getNumThreads.invokeExact();
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** The kernel family OpenBLAS picked for this CPU, e.g. "Haswell", "Zen", "SkylakeX". */
    public String coreName() {
        try {
            return Native.string((MemorySegment) coreName.invokeExact());
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Its build configuration, e.g. "OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=128". */
    public String config() {
        try {
            return Native.string((MemorySegment) config.invokeExact());
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Where the library was loaded from. */
    public String origin() {
        return origin;
    }
}
