package dev.turbojet.ffi.onednn;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

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
 * oneDNN's single-precision GEMM ({@code dnnl_sgemm}, as declared in its {@code oneapi/dnnl/dnnl.h}), the
 * CPU ISA it dispatches to, and its version.
 *
 * <p>{@link #sgemm} is bound as a <em>critical</em> downcall, so its matrices may be heap segments. The
 * build used (bytedeco's) runs on OpenMP: {@code dnnl_sgemm} splits a call over
 * {@code omp_get_max_threads()} threads of the calling thread. Callers that do their own splitting make
 * each thread single-threaded once with {@link #singleThreadedOnThisThread()} ({@code omp_set_num_threads}
 * sets the calling thread's ICV only), so no OpenMP team spins beside their own pool.
 */
@SuppressWarnings("restricted") // binding the downcalls is this class's job
public final class OneDnn {
    /** dnnl_status_t: dnnl_success. */
    public static final int SUCCESS = 0;
    /** dnnl_cpu_isa_t: dnnl_cpu_isa_avx512_core, the first AVX-512 level; the later ones are supersets of its bits. */
    public static final int ISA_AVX512_CORE = 0x27;

    private static volatile OneDnn instance;
    private static volatile String unavailable;

    private final MethodHandle sgemm;
    private final MethodHandle effectiveIsa;
    private final MethodHandle version;
    private final MethodHandle ompSetNumThreads;
    private final String origin;
    private final SymbolLookup symbols;
    /** The OpenMP thread count this thread last set, or null before its first set. */
    private final ThreadLocal<Integer> threads = new ThreadLocal<>();

    private OneDnn(SymbolLookup symbols, String origin) {
        Linker linker = Linker.nativeLinker();
        // dnnl_status_t dnnl_sgemm(char transa, char transb, dnnl_dim_t M, dnnl_dim_t N, dnnl_dim_t K, float alpha,
        //     const float *A, dnnl_dim_t lda, const float *B, dnnl_dim_t ldb, float beta, float *C, dnnl_dim_t ldc);
        // dnnl_dim_t is int64_t; dnnl_status_t an enum (int)
        this.sgemm = linker.downcallHandle(find(symbols, "dnnl_sgemm"),
                FunctionDescriptor.of(JAVA_INT, JAVA_BYTE, JAVA_BYTE, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_FLOAT,
                        ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_FLOAT, ADDRESS, JAVA_LONG),
                Linker.Option.critical(true));
        // dnnl_cpu_isa_t dnnl_get_effective_cpu_isa(void)
        this.effectiveIsa = linker.downcallHandle(find(symbols, "dnnl_get_effective_cpu_isa"), FunctionDescriptor.of(JAVA_INT));
        // const dnnl_version_t *dnnl_version(void)
        this.version = linker.downcallHandle(find(symbols, "dnnl_version"), FunctionDescriptor.of(ADDRESS));
        // void omp_set_num_threads(int): libgomp's, found through libdnnl's own dependencies
        this.ompSetNumThreads = linker.downcallHandle(find(symbols, "omp_set_num_threads"), FunctionDescriptor.ofVoid(JAVA_INT));
        this.origin = origin;
        this.symbols = symbols;
    }

    /** The library's symbols (for {@link OneDnnConv}'s bindings). */
    SymbolLookup symbols() {
        return symbols;
    }

    private static MemorySegment find(SymbolLookup symbols, String name) {
        return symbols.find(name).orElseThrow(() -> new IllegalStateException(
                "the oneDNN library found does not export " + name + " (an OpenMP build of libdnnl.so.3 does)"));
    }

    /** oneDNN, loaded on the first call; an {@link IllegalStateException} saying why when it cannot be. */
    public static OneDnn load() {
        OneDnn dnn = instance;
        if (dnn != null) return dnn;
        synchronized (OneDnn.class) {
            if (instance != null) return instance;
            if (unavailable != null) throw new IllegalStateException(unavailable);
            try {
                NativeLibraries.Loaded loaded = NativeLibraries.get(Lib.ONEDNN);
                instance = new OneDnn(loaded.symbols(), loaded.from().toString());
                return instance;
            } catch (NativeLibraryException | IllegalStateException e) {
                unavailable = e.getMessage();
                throw new IllegalStateException(unavailable, e);
            }
        }
    }

    /** oneDNN when it loads here, else empty (the reason is {@link #whyUnavailable()}). */
    public static Optional<OneDnn> tryLoad() {
        try {
            return Optional.of(load());
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
    }

    /** Why oneDNN did not load, or "" if it did or was not tried. */
    public static String whyUnavailable() {
        String why = unavailable;
        return why == null ? "" : why;
    }

    /**
     * C := alpha op(A) op(B) + beta C, row-major: op(A) is M x K, op(B) K x N, C M x N; lda, ldb and ldc
     * are row strides in elements. The segments may be heap or native. A status other than success is an
     * {@link IllegalStateException} naming it.
     */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                      MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        int status;
        try {
            status = (int) sgemm.invokeExact(transA ? (byte) 'T' : (byte) 'N', transB ? (byte) 'T' : (byte) 'N',
                    (long) m, (long) n, (long) k, alpha, a, (long) lda, b, (long) ldb, beta, c, (long) ldc);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
        if (status != SUCCESS) {
            throw new IllegalStateException("dnnl_sgemm(M=" + m + ", N=" + n + ", K=" + k + ", lda=" + lda + ", ldb=" + ldb
                    + ", ldc=" + ldc + ") failed with dnnl_status_t " + status);
        }
    }

    /** Makes sgemm calls from the calling thread run on that thread alone (once per thread; later calls are free). */
    public void singleThreadedOnThisThread() {
        threadsOnThisThread(1);
    }

    /**
     * Makes oneDNN calls from the calling thread split over {@code n} OpenMP threads ({@code omp_set_num_threads},
     * which sets the calling thread's ICV only); free when the thread's count is already {@code n}.
     */
    public void threadsOnThisThread(int n) {
        if (n < 1) throw new IllegalArgumentException("threads " + n + " < 1");
        Integer now = threads.get();
        if (now != null && now == n) return;
        try {
            ompSetNumThreads.invokeExact(n);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
        threads.set(n);
    }

    /** The dnnl_cpu_isa_t value oneDNN dispatches to here. */
    public int effectiveIsa() {
        try {
            return (int) effectiveIsa.invokeExact();
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Whether its kernels use AVX-512 here (the ISA has all of {@link #ISA_AVX512_CORE}'s bits). */
    public boolean usesAvx512() {
        return (effectiveIsa() & ISA_AVX512_CORE) == ISA_AVX512_CORE;
    }

    /** "major.minor.patch" from dnnl_version(). */
    public String version() {
        try {
            // typedef struct { int major; int minor; int patch; const char *hash; unsigned cpu_runtime; unsigned gpu_runtime; }
            MemorySegment v = ((MemorySegment) version.invokeExact()).reinterpret(12);
            return v.get(JAVA_INT, 0) + "." + v.get(JAVA_INT, 4) + "." + v.get(JAVA_INT, 8);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Where the library was loaded from. */
    public String origin() {
        return origin;
    }
}
