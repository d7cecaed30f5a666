package dev.turbojet.ffi.cublas;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.Native;
import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.Stream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/** cuBLASLt (libcublasLt): handles, matmul descriptors, layouts, heuristics and cublasLtMatmul. */
public final class CublasLt {
    static final int COMPUTE_32F = 68;
    static final int DESC_COMPUTE_TYPE = 0;
    static final int DESC_SCALE_TYPE = 1;
    static final int DESC_TRANSA = 3;
    static final int DESC_TRANSB = 4;
    static final int DESC_EPILOGUE = 7;
    static final int DESC_BIAS_POINTER = 8;
    static final int DESC_BIAS_DATA_TYPE = 26;
    static final int LAYOUT_ORDER = 1;
    static final int LAYOUT_BATCH_COUNT = 5;
    static final int LAYOUT_STRIDED_BATCH_OFFSET = 6;
    static final int PREF_MAX_WORKSPACE_BYTES = 1;
    /** cublasOperation_t, the value of DESC_TRANSA / DESC_TRANSB. */
    static final int OP_N = 0;
    static final int OP_T = 1;
    /** sizeof(cublasLtMatmulAlgo_t), an opaque uint64_t[8]. */
    static final long ALGO_BYTES = 64;
    /** sizeof(cublasLtMatmulHeuristicResult_t): algo[64], workspaceSize, state, wavesCount, reserved[4]. */
    static final long HEURISTIC_RESULT_BYTES = 96;
    /** Offsets in cublasLtMatmulHeuristicResult_t of algo, workspaceSize (size_t) and wavesCount (float). */
    static final long HEURISTIC_ALGO_OFFSET = 0;
    static final long HEURISTIC_WORKSPACE_SIZE_OFFSET = 64;
    static final long HEURISTIC_WAVES_COUNT_OFFSET = 76;
    /** The alignment we allocate both structs with (their alignof: they hold uint64_t / size_t). */
    static final long STRUCT_ALIGNMENT = 8;

    private static final FunctionDescriptor SET_ATTR = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle GET_VERSION = fn("cublasLtGetVersion", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle STATUS_NAME = fn("cublasLtGetStatusName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle STATUS_STRING = fn("cublasLtGetStatusString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle CREATE = fn("cublasLtCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DESTROY = fn("cublasLtDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DESC_CREATE =
            fn("cublasLtMatmulDescCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle DESC_DESTROY = fn("cublasLtMatmulDescDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DESC_SET = fn("cublasLtMatmulDescSetAttribute", SET_ATTR);
    private static final MethodHandle LAYOUT_CREATE = fn("cublasLtMatrixLayoutCreate",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle LAYOUT_DESTROY = fn("cublasLtMatrixLayoutDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LAYOUT_SET = fn("cublasLtMatrixLayoutSetAttribute", SET_ATTR);
    private static final MethodHandle PREF_CREATE = fn("cublasLtMatmulPreferenceCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle PREF_DESTROY = fn("cublasLtMatmulPreferenceDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle PREF_SET = fn("cublasLtMatmulPreferenceSetAttribute", SET_ATTR);
    private static final MethodHandle HEURISTIC = fn("cublasLtMatmulAlgoGetHeuristic", FunctionDescriptor.of(JAVA_INT,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MATMUL = fn("cublasLtMatmul", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            JAVA_LONG, ADDRESS));

    private CublasLt() {}

    private static MethodHandle fn(String name, FunctionDescriptor descriptor) {
        return Native.downcall(Lib.CUBLAS_LT, name, descriptor);
    }

    /** cublasLtGetVersion, e.g. 130101 for 13.1.1 (needs no GPU). */
    public static long version() {
        try {
            return (long) GET_VERSION.invokeExact();
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    static void check(String function, int status) {
        if (status != 0) {
            throw new CublasException(function, status, statusName(status), Native.statusString(STATUS_STRING, status));
        }
    }

    /** The library's name for a status, falling back to our table when it doesn't know it. */
    public static String statusName(int status) {
        String name = Native.statusString(STATUS_NAME, status);
        return name.startsWith("CUBLAS_STATUS_") ? name : CublasStatus.nameOf(status);
    }


    public static CublasLtHandle create() {
        return new CublasLtHandle(createOut("cublasLtCreate", CREATE));
    }

    public static void destroy(CublasLtHandle handle) {
        call("cublasLtDestroy", DESTROY, handle.handle());
    }

    /** A matmul with fp32 compute and fp32 alpha/beta; the operand types come from the layouts. */
    public static MatmulDesc createMatmulDesc(boolean transA, boolean transB) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cublasLtMatmulDescCreate", (int) DESC_CREATE.invokeExact(out, COMPUTE_32F, DataType.F32.value));
            MatmulDesc desc = new MatmulDesc(out.get(ADDRESS, 0));
            setInt(desc, DESC_TRANSA, transA ? OP_T : OP_N);
            setInt(desc, DESC_TRANSB, transB ? OP_T : OP_N);
            return desc;
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** Sets the epilogue; a bias epilogue needs a 16-byte aligned bias vector of {@code biasType}. */
    public static void setEpilogue(MatmulDesc desc, Epilogue epilogue, Optional<DevicePtr> bias, DataType biasType) {
        if (epilogue.hasBias() != bias.isPresent()) {
            throw new IllegalArgumentException("epilogue " + epilogue + (bias.isPresent() ? " takes no" : " needs a") + " bias");
        }
        if (bias.isPresent() && !bias.get().isAligned(16)) {
            throw new IllegalArgumentException("cuBLASLt bias must be 16-byte aligned: " + bias.get());
        }
        setInt(desc, DESC_EPILOGUE, epilogue.value);
        if (bias.isPresent()) {
            setAttr("cublasLtMatmulDescSetAttribute", DESC_SET, desc.handle(), DESC_BIAS_POINTER, bias.get().address());
            setInt(desc, DESC_BIAS_DATA_TYPE, biasType.value);
        }
    }

    public static void destroy(MatmulDesc desc) {
        call("cublasLtMatmulDescDestroy", DESC_DESTROY, desc.handle());
    }

    /**
     * A {@code rows x cols} matrix with leading dimension {@code ld}, optionally a strided batch of
     * {@code batch} matrices {@code stride} elements apart.
     */
    public static MatrixLayout createLayout(DataType type, long rows, long cols, long ld, Order order,
                                            int batch, long stride) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cublasLtMatrixLayoutCreate", (int) LAYOUT_CREATE.invokeExact(out, type.value, rows, cols, ld));
            MatrixLayout layout = new MatrixLayout(out.get(ADDRESS, 0));
            setLayoutInt(layout, LAYOUT_ORDER, order.value);
            if (batch > 1) {
                setLayoutInt(layout, LAYOUT_BATCH_COUNT, batch);
                setAttr("cublasLtMatrixLayoutSetAttribute", LAYOUT_SET, layout.handle(), LAYOUT_STRIDED_BATCH_OFFSET, stride);
            }
            return layout;
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    public static void destroy(MatrixLayout layout) {
        call("cublasLtMatrixLayoutDestroy", LAYOUT_DESTROY, layout.handle());
    }

    public static MatmulPreference createPreference(long maxWorkspaceBytes) {
        MatmulPreference pref = new MatmulPreference(createOut("cublasLtMatmulPreferenceCreate", PREF_CREATE));
        setAttr("cublasLtMatmulPreferenceSetAttribute", PREF_SET, pref.handle(), PREF_MAX_WORKSPACE_BYTES, maxWorkspaceBytes);
        return pref;
    }

    public static void destroy(MatmulPreference pref) {
        call("cublasLtMatmulPreferenceDestroy", PREF_DESTROY, pref.handle());
    }

    /** The best algorithm cuBLASLt's heuristic offers for this problem (D uses C's layout). */
    public static MatmulAlgo heuristic(CublasLtHandle handle, MatmulDesc desc, MatrixLayout a, MatrixLayout b,
                                       MatrixLayout c, MatmulPreference pref) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment result = arena.allocate(HEURISTIC_RESULT_BYTES, STRUCT_ALIGNMENT);
            MemorySegment count = arena.allocate(JAVA_INT);
            int status = (int) HEURISTIC.invokeExact(handle.handle(), desc.handle(), a.handle(), b.handle(), c.handle(),
                    c.handle(), pref.handle(), 1, result, count);
            check("cublasLtMatmulAlgoGetHeuristic", status);
            if (count.get(JAVA_INT, 0) == 0) {
                throw new CublasException("cublasLtMatmulAlgoGetHeuristic", CublasStatus.CUBLAS_STATUS_NOT_SUPPORTED.code,
                        CublasStatus.CUBLAS_STATUS_NOT_SUPPORTED.name(), "no algorithm for this problem");
            }
            MemorySegment algo = Arena.global().allocate(ALGO_BYTES, STRUCT_ALIGNMENT);
            algo.copyFrom(result.asSlice(HEURISTIC_ALGO_OFFSET, ALGO_BYTES));
            return new MatmulAlgo(algo, result.get(JAVA_LONG, HEURISTIC_WORKSPACE_SIZE_OFFSET),
                    result.get(JAVA_FLOAT, HEURISTIC_WAVES_COUNT_OFFSET));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** D = alpha * op(A) op(B) + beta * C (then the epilogue), enqueued on {@code stream}. */
    public static void matmul(CublasLtHandle handle, MatmulDesc desc, float alpha, DevicePtr a, MatrixLayout aLayout,
                              DevicePtr b, MatrixLayout bLayout, float beta, DevicePtr c, MatrixLayout cLayout,
                              DevicePtr d, MatrixLayout dLayout, MatmulAlgo algo, DevicePtr workspace,
                              long workspaceBytes, Stream stream) {
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) MATMUL.invokeExact(handle.handle(), desc.handle(), arena.allocateFrom(JAVA_FLOAT, alpha),
                    device(a), aLayout.handle(), device(b), bLayout.handle(), arena.allocateFrom(JAVA_FLOAT, beta),
                    device(c), cLayout.handle(), device(d), dLayout.handle(), algo.algo(), device(workspace),
                    workspaceBytes, stream.handle());
            check("cublasLtMatmul", status);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    /** A device pointer as the {@code void*} cublasLtMatmul declares (never dereferenced on the host). */
    private static MemorySegment device(DevicePtr p) {
        return MemorySegment.ofAddress(p.address());
    }

    private static void setInt(MatmulDesc desc, int attribute, int value) {
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) DESC_SET.invokeExact(desc.handle(), attribute, arena.allocateFrom(JAVA_INT, value), 4L);
            check("cublasLtMatmulDescSetAttribute", status);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    private static void setLayoutInt(MatrixLayout layout, int attribute, int value) {
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) LAYOUT_SET.invokeExact(layout.handle(), attribute, arena.allocateFrom(JAVA_INT, value), 4L);
            check("cublasLtMatrixLayoutSetAttribute", status);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    private static void setAttr(String name, MethodHandle setter, MemorySegment target, int attribute, long value) {
        try (Arena arena = Arena.ofConfined()) {
            check(name, (int) setter.invokeExact(target, attribute, arena.allocateFrom(JAVA_LONG, value), 8L));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    private static MemorySegment createOut(String name, MethodHandle create) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check(name, (int) create.invokeExact(out));
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }

    private static void call(String name, MethodHandle fn, MemorySegment arg) {
        try {
            check(name, (int) fn.invokeExact(arg));
        } catch (Throwable t) {
            throw Native.unchecked(t);
        }
    }
}
