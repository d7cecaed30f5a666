package dev.turbojet.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.HeaderAudit.COutput;
import dev.turbojet.ffi.HeaderAudit.Collected;
import dev.turbojet.ffi.HeaderAudit.Fact;
import dev.turbojet.ffi.HeaderAudit.Headers;
import dev.turbojet.ffi.HeaderAudit.OutParam;
import dev.turbojet.ffi.HeaderAudit.Tables;
import java.lang.foreign.FunctionDescriptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The header audit: every constant, enum value, struct size and offset and every downcall signature of
 * the Java bindings ({@code dev.turbojet.ffi.**}) against NVIDIA's real headers (cuda.h, cublasLt.h,
 * cudnn.h, nvrtc.h, found by {@code src/test/cuda-emulator/nvidia-headers.sh}), by one g++ compile of a
 * generated program ({@code target/header-audit/main.cpp}). Skips, with the reason, where g++ or the
 * headers are missing.
 *
 * <p>The tables below say which C expression each Java value must equal. A new {@code static final}
 * integer or enum constant in the bindings fails this test until it has an entry (the message says where);
 * a new downcall needs none: {@link Native#declared()} lists it, and its symbol and signature are checked
 * against the header's prototype. A number read back through a pointer parameter needs an
 * {@link #OUT_PARAMS} entry (nothing finds those for you). The program also holds deliberately wrong
 * items ({@link #WRONG_FACTS}, {@link #WRONG_CALLS}), so every run shows that the audit can fail.
 */
class HeaderAuditTest {
    // ------------------------------------------------------------------ the tables

    /** Integer static final fields (package.Class.FIELD) and the C expressions each must equal. */
    static final Map<String, List<String>> CONSTANTS = Map.ofEntries(
            c("cuda.CudaDriver.ATTR_SM_COUNT", "CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT"),
            c("cuda.CudaDriver.ATTR_CC_MAJOR", "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR"),
            c("cuda.CudaDriver.ATTR_CC_MINOR", "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR"),
            c("cuda.CudaDriver.ATTR_SHARED_OPTIN", "CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN"),
            c("cuda.CudaStreams.STREAM_NON_BLOCKING", "CU_STREAM_NON_BLOCKING"),
            c("cuda.CudaStreams.EVENT_DEFAULT", "CU_EVENT_DEFAULT"),
            c("cuda.CudaStreams.EVENT_DISABLE_TIMING", "CU_EVENT_DISABLE_TIMING"),
            c("cuda.CudaModules.FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES", "CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES"),
            c("cuda.CudaMemory.HOST_ALLOC_PORTABLE", "CU_MEMHOSTALLOC_PORTABLE"),
            c("cublas.CublasLt.COMPUTE_32F", "CUBLAS_COMPUTE_32F"),
            c("cublas.CublasLt.OP_N", "CUBLAS_OP_N"),
            c("cublas.CublasLt.OP_T", "CUBLAS_OP_T"),
            c("cublas.CublasLt.ALGO_BYTES", "sizeof(cublasLtMatmulAlgo_t)"),
            c("cublas.CublasLt.HEURISTIC_RESULT_BYTES", "sizeof(cublasLtMatmulHeuristicResult_t)"),
            c("cublas.CublasLt.HEURISTIC_ALGO_OFFSET", "offsetof(cublasLtMatmulHeuristicResult_t, algo)"),
            c("cublas.CublasLt.HEURISTIC_WORKSPACE_SIZE_OFFSET", "offsetof(cublasLtMatmulHeuristicResult_t, workspaceSize)"),
            c("cublas.CublasLt.HEURISTIC_WAVES_COUNT_OFFSET", "offsetof(cublasLtMatmulHeuristicResult_t, wavesCount)"),
            c("cublas.CublasLt.STRUCT_ALIGNMENT", "alignof(cublasLtMatmulHeuristicResult_t)", "alignof(cublasLtMatmulAlgo_t)"),
            c("cudnn.ConvPlans.HEUR_MODE_A", "CUDNN_HEUR_MODE_A"),
            c("cudnn.ConvPlans.CROSS_CORRELATION", "CUDNN_CROSS_CORRELATION"),
            c("nvrtc.Nvrtc.ERROR_COMPILATION", "NVRTC_ERROR_COMPILATION"));

    /** Integer static final fields named like their C constant: Java prefix -> C prefix. */
    static final Map<String, String> FIELD_PREFIXES = Map.of(
            "cublas.CublasLt.DESC_", "CUBLASLT_MATMUL_DESC_",
            "cublas.CublasLt.LAYOUT_", "CUBLASLT_MATRIX_LAYOUT_",
            "cublas.CublasLt.PREF_", "CUBLASLT_MATMUL_PREF_");

    /** Integer static final fields that are turbojet's own choices, not header values: field -> why. */
    static final Map<String, String> NOT_FROM_HEADERS = Map.ofEntries(
            Map.entry("cudnn.ConvPlans.X_UID", "a tensor unique id of our choosing"),
            Map.entry("cudnn.ConvPlans.W_UID", "a tensor unique id of our choosing"),
            Map.entry("cudnn.ConvPlans.Y_UID", "a tensor unique id of our choosing"),
            Map.entry("cudnn.ConvPlans.MAX_CONFIGS", "how many engine configs we ask the heuristic for"),
            Map.entry("cudnn.ConvGraph.ALIGNMENT", "the tensor alignment we promise cuDNN (our allocations')"),
            Map.entry("openblas.OpenBlas.ROW_MAJOR", "CBLAS's CblasRowMajor, from OpenBLAS's cblas.h (OpenBlasTest checks it there)"),
            Map.entry("openblas.OpenBlas.NO_TRANS", "CBLAS's CblasNoTrans, from OpenBLAS's cblas.h (OpenBlasTest checks it there)"),
            Map.entry("openblas.OpenBlas.TRANS", "CBLAS's CblasTrans, from OpenBLAS's cblas.h (OpenBlasTest checks it there)"),
            Map.entry("onednn.OneDnn.SUCCESS", "oneDNN's dnnl_success, from its dnnl_common_types.h (OneDnnTest checks it there)"),
            Map.entry("onednn.OneDnn.ISA_AVX512_CORE", "oneDNN's dnnl_cpu_isa_avx512_core, from its dnnl_types.h (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.ENGINE_CPU", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.STREAM_DEFAULT_FLAGS", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.F32", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.F16", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.BF16", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.QUERY_IMPL_INFO_STR", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.FORMAT_TAG_ANY", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.FORWARD_INFERENCE", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.CONVOLUTION_DIRECT", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.QUERY_WEIGHTS_MD", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.ARG_SRC", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.ARG_DST", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.ARG_WEIGHTS", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.ARG_BIAS", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.MAX_NDIMS", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.ARG_SCRATCHPAD", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.SCRATCHPAD_MODE_USER", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.QUERY_SCRATCHPAD_MD", "oneDNN's, from its own headers in the dnnl jar (OneDnnTest checks it there)"),
            Map.entry("onednn.DnnlApi.ARG_OFFSET", "an offset in dnnl_exec_arg_t, from the EXEC_ARG layout (OneDnnTest checks the struct)"),
            Map.entry("onednn.DnnlApi.MEMORY_OFFSET", "an offset in dnnl_exec_arg_t, from the EXEC_ARG layout (OneDnnTest checks the struct)"));

    /** Enums with integer fields: enum -> field -> naming rule (constant name -> C expression). */
    static final Map<String, Map<String, UnaryOperator<String>>> ENUMS = Map.of(
            "cuda.CaptureMode", Map.of("value", n -> "CU_STREAM_CAPTURE_MODE_" + n),
            "cublas.DataType", Map.of("value", HeaderAudit.OVERRIDES_ONLY, "bytes", HeaderAudit.OVERRIDES_ONLY),
            "cublas.Epilogue", Map.of("value", n -> "CUBLASLT_EPILOGUE_" + n),
            "cublas.Order", Map.of("value", HeaderAudit.OVERRIDES_ONLY),
            "cublas.CublasStatus", Map.of("code", n -> n),
            "cudnn.Attribute", Map.of("value", n -> "CUDNN_ATTR_" + n),
            "cudnn.Attribute.Type", Map.of("value", n -> "CUDNN_TYPE_" + n),
            "cudnn.DescriptorType", Map.of("value", n -> "CUDNN_BACKEND_" + n + "_DESCRIPTOR"),
            "cudnn.ConvDataType", Map.of("value", n -> "CUDNN_DATA_" + n, "bytes", HeaderAudit.OVERRIDES_ONLY));

    /** Enum values whose C name the rule does not give: enum.CONSTANT.field -> C expression. */
    static final Map<String, String> ENUM_OVERRIDES = Map.ofEntries(
            entry("cublas.DataType.F32.value", "CUDA_R_32F"),
            entry("cublas.DataType.F16.value", "CUDA_R_16F"),
            entry("cublas.DataType.BF16.value", "CUDA_R_16BF"),
            entry("cublas.DataType.F32.bytes", "sizeof(float)"),
            entry("cublas.DataType.F16.bytes", "sizeof(__half)"),
            entry("cublas.DataType.BF16.bytes", "sizeof(__nv_bfloat16)"),
            entry("cublas.Epilogue.NONE.value", "CUBLASLT_EPILOGUE_DEFAULT"),
            entry("cublas.Order.COLUMN_MAJOR.value", "CUBLASLT_ORDER_COL"),
            entry("cublas.Order.ROW_MAJOR.value", "CUBLASLT_ORDER_ROW"),
            entry("cudnn.ConvDataType.FLOAT.bytes", "sizeof(float)"),
            entry("cudnn.ConvDataType.HALF.bytes", "sizeof(__half)"),
            entry("cudnn.ConvDataType.BFLOAT16.bytes", "sizeof(__nv_bfloat16)"));

    /**
     * Values the bindings write inline (status checks against 0, element widths of attribute buffers, the
     * types of the heuristic result fields they read), with the value the Java code uses.
     */
    static final List<Fact> LITERALS = List.of(
            new Fact("cuda.CudaCheck.check: success is status 0", 0, "CUDA_SUCCESS"),
            new Fact("cublas.CublasLt.check: success is status 0", 0, "CUBLAS_STATUS_SUCCESS"),
            new Fact("cudnn.Cudnn.check: success is status 0", 0, "CUDNN_STATUS_SUCCESS"),
            new Fact("nvrtc.Nvrtc.check: success is status 0", 0, "NVRTC_SUCCESS"),
            new Fact("cuda.CudaStreams.waitEvent: flags 0", 0, "CU_EVENT_WAIT_DEFAULT"),
            new Fact("cublas.CublasLt.setInt: TRANSA/TRANSB written as 4 bytes", 4, "sizeof(cublasOperation_t)"),
            new Fact("cublas.CublasLt.setInt: EPILOGUE written as 4 bytes", 4, "sizeof(cublasLtEpilogue_t)"),
            new Fact("cublas.CublasLt.setInt: BIAS_DATA_TYPE written as 4 bytes", 4, "sizeof(cudaDataType_t)"),
            new Fact("cublas.CublasLt.setLayoutInt: ORDER written as 4 bytes", 4, "sizeof(cublasLtOrder_t)"),
            new Fact("cublas.CublasLt.heuristic: workspaceSize read as JAVA_LONG (is size_t)", 1,
                    "std::is_same_v<decltype(cublasLtMatmulHeuristicResult_t::workspaceSize), size_t>"),
            new Fact("cublas.CublasLt.heuristic: wavesCount read as JAVA_FLOAT (is float)", 1,
                    "std::is_same_v<decltype(cublasLtMatmulHeuristicResult_t::wavesCount), float>"));

    /**
     * How CudnnBackend writes the elements of each cudnnBackendAttributeType_t (setEnum: JAVA_INT,
     * setLongs: JAVA_LONG, setFloat: JAVA_FLOAT, setHandle / setDescriptors: ADDRESS, setPointers: JAVA_LONG
     * addresses): Attribute.Type constant -> Java bytes per element, and the C type cuDNN reads.
     */
    static final Map<String, Map.Entry<Integer, String>> CUDNN_ELEMENTS = Map.of(
            "HANDLE", entry(8, "cudnnHandle_t"),
            "DATA_TYPE", entry(4, "cudnnDataType_t"),
            "INT64", entry(8, "int64_t"),
            "FLOAT", entry(4, "float"),
            "VOID_PTR", entry(8, "void*"),
            "CONVOLUTION_MODE", entry(4, "cudnnConvolutionMode_t"),
            "HEUR_MODE", entry(4, "cudnnBackendHeurMode_t"),
            "BACKEND_DESCRIPTOR", entry(8, "cudnnBackendDescriptor_t"));

    /** Numbers the bindings read back through a pointer parameter (handles, read as ADDRESS, need no entry). */
    static final List<OutParam> OUT_PARAMS = List.of(
            new OutParam("cuda.CudaDriver.driverVersion", "cuDriverGetVersion", 1, JAVA_INT),
            new OutParam("cuda.CudaDriver.deviceCount", "cuDeviceGetCount", 1, JAVA_INT),
            new OutParam("cuda.CudaDriver.device", "cuDeviceGet", 1, JAVA_INT),
            new OutParam("cuda.CudaDriver.attribute", "cuDeviceGetAttribute", 1, JAVA_INT),
            new OutParam("cuda.CudaDriver.info", "cuDeviceTotalMem_v2", 1, JAVA_LONG),
            new OutParam("cuda.CudaMemory.alloc", "cuMemAlloc_v2", 1, JAVA_LONG),
            new OutParam("cuda.CudaMemory.info", "cuMemGetInfo_v2", 1, JAVA_LONG),
            new OutParam("cuda.CudaMemory.info", "cuMemGetInfo_v2", 2, JAVA_LONG),
            new OutParam("cuda.CudaStreams.elapsedMillis", "cuEventElapsedTime_v2", 1, JAVA_FLOAT),
            new OutParam("cublas.CublasLt.heuristic", "cublasLtMatmulAlgoGetHeuristic", 10, JAVA_INT),
            new OutParam("cudnn.CudnnBackend.getLong", "cudnnBackendGetAttribute", 5, JAVA_LONG),
            new OutParam("nvrtc.Nvrtc.version", "nvrtcVersion", 1, JAVA_INT),
            new OutParam("nvrtc.Nvrtc.version", "nvrtcVersion", 2, JAVA_INT),
            new OutParam("nvrtc.Nvrtc.log", "nvrtcGetProgramLogSize", 2, JAVA_LONG),
            new OutParam("nvrtc.Nvrtc.compile", "nvrtcGetCUBINSize", 2, JAVA_LONG),
            new OutParam("nvrtc.Nvrtc.compile", "nvrtcGetPTXSize", 2, JAVA_LONG));

    /**
     * Symbols bound on purpose although the header maps their API name to another (versioned) symbol:
     * symbol -> why. Their signature is checked against cuda.h's declaration of that older entry point.
     */
    static final Map<String, String> UNVERSIONED_FALLBACKS = Map.of(
            "cuEventElapsedTime", "CudaStreams falls back to the v1 entry point on drivers older than 12.8, which"
                    + " lack cuEventElapsedTime_v2; v1 is a distinct, older export with the same parameters");

    private static Map.Entry<String, List<String>> c(String java, String... c) {
        return entry(java, List.of(c));
    }

    static Tables tables() {
        return new Tables(CONSTANTS, FIELD_PREFIXES, NOT_FROM_HEADERS, ENUMS, ENUM_OVERRIDES);
    }

    // ------------------------------------------------------------------ the audit

    /** Deliberately wrong items compiled into the same program: the audit must reject each. */
    static final List<Fact> WRONG_FACTS = Stream.of(
            List.of(new Fact("probe.ATTR_SM_COUNT", 17, "CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT"),
                    new Fact("probe.HEURISTIC_WAVES_COUNT_OFFSET", 72,
                            "offsetof(cublasLtMatmulHeuristicResult_t, wavesCount)")),
            // a size_t read as JAVA_INT; an int read as JAVA_FLOAT
            new OutParam("probe", "cuDeviceTotalMem_v2", 1, JAVA_INT).facts(),
            new OutParam("probe", "cuDeviceGetAttribute", 1, JAVA_FLOAT).facts())
            .flatMap(List::stream).toList();
    static final List<Native.Declared> WRONG_CALLS = List.of(
            // size_t as JAVA_INT
            new Native.Declared(Lib.CUDA, "cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
            // the unversioned name, which CUDA 13's cuda.h maps to cuMemAlloc_v2
            new Native.Declared(Lib.CUDA, "cuMemAlloc", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG)),
            // a parameter missing
            new Native.Declared(Lib.CUDA, "cuStreamBeginCapture_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
            // the device pointers A, B, C, D and the workspace (const void* / void*) as JAVA_LONG
            new Native.Declared(Lib.CUBLAS_LT, "cublasLtMatmul", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                    ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS,
                    ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS)),
            // float returned as int
            new Native.Declared(Lib.NVRTC, "nvrtcGetErrorString", FunctionDescriptor.of(JAVA_FLOAT, JAVA_INT)));

    private record Audit(List<Fact> facts, List<String> problems, List<Native.Declared> calls, COutput output) {}

    /** The audit, run once for all tests here; or why it was skipped, or why it could not run. */
    private static Audit audit;
    private static String skipReason;
    private static AssertionError failure;

    private static synchronized Audit audit() throws Exception {
        if (audit == null && skipReason == null && failure == null) {
            try {
                audit = runAudit();
            } catch (AssertionError e) {
                failure = e;
            }
        }
        assumeTrue(skipReason == null, () -> "header audit skipped: " + skipReason);
        if (failure != null) {
            throw failure;
        }
        return audit;
    }

    /** Collects the Java side, then compiles and runs the C++ side (null, with skipReason set, without g++ or headers). */
    private static Audit runAudit() throws Exception {
        skipReason = HeaderAudit.gppMissing().orElse(null);
        if (skipReason != null) {
            return null;
        }
        Path target = HeaderAudit.classesDir().getParent();
        Headers headers = HeaderAudit.findHeaders(target.getParent(), target.resolve("nvidia-headers"));
        skipReason = headers.missing();
        if (skipReason != null) {
            return null;
        }
        Collected collected = HeaderAudit.collect(HeaderAudit.bindingClasses(), tables());
        List<Fact> facts = new ArrayList<>(collected.facts());
        facts.addAll(LITERALS);
        List<String> problems = new ArrayList<>(collected.problems());
        facts.addAll(cudnnElementFacts(problems));
        List<Native.Declared> calls = Native.declared();
        for (OutParam o : OUT_PARAMS) {
            if (calls.stream().anyMatch(d -> d.name().equals(o.symbol()))) {
                facts.addAll(o.facts());
            } else {
                problems.add("HeaderAuditTest.OUT_PARAMS has an entry for " + o.symbol() + ", which the bindings no"
                        + " longer bind: remove it");
            }
        }
        List<Fact> allFacts = new ArrayList<>(facts);
        allFacts.addAll(WRONG_FACTS);
        List<Native.Declared> allCalls = new ArrayList<>(calls);
        allCalls.addAll(WRONG_CALLS);
        try {
            COutput out = HeaderAudit.compileAndRun(target.resolve("header-audit"), headers.flags(), allFacts,
                    allCalls, UNVERSIONED_FALLBACKS.keySet());
            return new Audit(facts, problems, calls, out);
        } catch (AssertionError e) {
            throw problems.isEmpty() ? e
                    : new AssertionError(e.getMessage() + "\nand besides:\n  " + String.join("\n  ", problems));
        }
    }

    /** The element width CudnnBackend writes for each attribute type, against sizeof the C type cuDNN reads. */
    private static List<Fact> cudnnElementFacts(List<String> problems) throws ClassNotFoundException {
        List<Fact> out = new ArrayList<>();
        for (Object type : Class.forName("dev.turbojet.ffi.cudnn.Attribute$Type").getEnumConstants()) {
            String name = ((Enum<?>) type).name();
            Map.Entry<Integer, String> e = CUDNN_ELEMENTS.get(name);
            if (e == null) {
                problems.add("cudnn.Attribute.Type." + name + " has no element width: add it to"
                        + " HeaderAuditTest.CUDNN_ELEMENTS (the bytes CudnnBackend writes per element, and the C type)");
            } else {
                out.add(new Fact("cudnn.Attribute.Type." + name + " elements: " + e.getKey() + " bytes", e.getKey(),
                        "sizeof(" + e.getValue() + ")"));
            }
        }
        return out;
    }

    @Test
    void bindingsMatchNvidiaHeaders() throws Exception {
        Audit a = audit();
        int n = a.facts().size();
        int m = a.calls().size();
        List<String> failures = new ArrayList<>(a.problems());
        failures.addAll(HeaderAudit.compareFacts(a.facts(), a.output().facts().subList(0, n)));
        failures.addAll(HeaderAudit.compareDowncalls(a.calls(), UNVERSIONED_FALLBACKS,
                a.output().names().subList(0, m), a.output().signatures().subList(0, m)));
        if (!failures.isEmpty()) {
            fail(failures.size() + " difference(s) between the Java bindings and NVIDIA's headers ("
                    + a.output().versions() + "):\n  " + String.join("\n  ", failures));
        }
        assertTrue(n >= 103, "only " + n + " values, fewer than the 103 of the first audit (by hand): are the"
                + " binding classes found?");
        assertTrue(m >= 60, "only " + m + " downcalls declared: are the binding classes initialised?");
        System.out.printf("header audit: %d values and %d downcalls match %s%n", n, m, a.output().versions());
    }

    @Test
    void auditRejectsDeliberatelyWrongItems() throws Exception {
        Audit a = audit();
        int n = a.facts().size();
        int m = a.calls().size();
        List<Long> cFacts = a.output().facts();
        List<String> factFailures = HeaderAudit.compareFacts(WRONG_FACTS, cFacts.subList(n, cFacts.size()));
        assertEquals(List.of(
                "probe.ATTR_SM_COUNT = 17, but CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16 in the headers",
                "probe.HEURISTIC_WAVES_COUNT_OFFSET = 72, but offsetof(cublasLtMatmulHeuristicResult_t, wavesCount)"
                        + " = 76 in the headers",
                "probe reads parameter 1 of cuDeviceTotalMem_v2 as JAVA_INT: size = 4, but"
                        + " sizeof(AUDIT_POINTEE(cuDeviceTotalMem_v2, 1)) = 8 in the headers",
                "probe reads parameter 1 of cuDeviceGetAttribute as JAVA_FLOAT: floating point = 1, but"
                        + " std::is_floating_point_v<AUDIT_POINTEE(cuDeviceGetAttribute, 1)> = 0 in the headers"),
                factFailures);
        List<String> names = a.output().names();
        List<String> sigs = a.output().signatures();
        List<String> callFailures = HeaderAudit.compareDowncalls(WRONG_CALLS, Map.of(),
                names.subList(m, names.size()), sigs.subList(m, sigs.size()));
        String all = String.join("\n", callFailures);
        assertEquals(5, callFailures.size(), all);
        assertTrue(callFailures.get(0).startsWith("CUDA cuMemAlloc_v2: parameter 2 is JAVA_INT in Java but an 8-byte"
                + " integer or enum in the header"), all);
        assertTrue(callFailures.get(1).startsWith("CUDA cuMemAlloc: the header maps cuMemAlloc to cuMemAlloc_v2"), all);
        assertTrue(callFailures.get(2).startsWith("CUDA cuStreamBeginCapture_v2: 1 parameters in Java, 2 in the header"),
                all);
        assertTrue(callFailures.get(3).startsWith("CUBLAS_LT cublasLtMatmul: parameter 4 is JAVA_LONG in Java but a"
                + " pointer in the header; parameter 6 is JAVA_LONG"), all);
        assertTrue(callFailures.get(4).startsWith("NVRTC nvrtcGetErrorString: return is JAVA_FLOAT in Java but a"
                + " pointer in the header"), all);
    }

    // ------------------------------------------------------------------ the comparison alone (no g++ needed)

    @Test
    void comparisonNamesBothSides() {
        List<Fact> facts = List.of(new Fact("cuda.X.A", 1, "CU_A"), new Fact("cuda.X.B", 2, "CU_B"));
        assertEquals(List.of("cuda.X.B = 2, but CU_B = 3 in the headers"),
                HeaderAudit.compareFacts(facts, List.of(1L, 3L)));

        FunctionDescriptor java = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG);
        assertEquals(null, HeaderAudit.compareSignature(java, "I4 P8 I4 I8"));
        assertEquals(": parameter 3 is JAVA_LONG in Java but a pointer in the header\n"
                        + "    Java: JAVA_INT (ADDRESS, JAVA_INT, JAVA_LONG)\n"
                        + "    C:    a 4-byte integer or enum (a pointer, a 4-byte integer or enum, a pointer)",
                HeaderAudit.compareSignature(java, "I4 P8 I4 P8"));
        assertTrue(HeaderAudit.compareSignature(FunctionDescriptor.ofVoid(ADDRESS), "V0 P8 I8")
                .startsWith(": 1 parameters in Java, 2 in the header"));
        assertEquals(null, HeaderAudit.compareSignature(FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG), "V0 P8 I8"));

        Native.Declared v1 = new Native.Declared(Lib.CUDA, "cuEventElapsedTime", java);
        Native.Declared v2 = new Native.Declared(Lib.CUDA, "cuEventElapsedTime_v2", java);
        String sig = "I4 P8 I4 I8";
        assertEquals(List.of(), HeaderAudit.compareDowncalls(List.of(v1, v2), UNVERSIONED_FALLBACKS,
                List.of("cuEventElapsedTime_v2", "cuEventElapsedTime_v2"), List.of(sig, sig)));
        assertEquals(List.of("CUDA cuEventElapsedTime: the header maps cuEventElapsedTime to cuEventElapsedTime_v2, so"
                        + " the binding should bind cuEventElapsedTime_v2 (or, if cuEventElapsedTime is deliberate,"
                        + " list it in HeaderAuditTest.UNVERSIONED_FALLBACKS with the reason)"),
                HeaderAudit.compareDowncalls(List.of(v1), Map.of(), List.of("cuEventElapsedTime_v2"), List.of(sig)));
        assertTrue(HeaderAudit.compareDowncalls(List.of(v1), UNVERSIONED_FALLBACKS, List.of("cuEventElapsedTime_v2"),
                List.of(sig)).get(0).contains("but cuEventElapsedTime_v2, the symbol the header maps"
                + " cuEventElapsedTime to, is not bound"));
        assertTrue(HeaderAudit.compareDowncalls(List.of(v1), UNVERSIONED_FALLBACKS, List.of("cuEventElapsedTime"),
                List.of(sig)).get(0).contains("remove the entry"));
    }

    @Test
    void unmappedValuesSayHowToAddThem() {
        Tables empty = new Tables(Map.of(), Map.of(), Map.of(), Map.of(), Map.of("cublas.Gone.X.value", "CU_X"));
        List<Class<?>> classes = Arrays.asList(dev.turbojet.ffi.cuda.CaptureMode.class,
                dev.turbojet.ffi.cuda.CudaStreams.class);
        Collected c = HeaderAudit.collect(classes, empty);
        String all = String.join("\n", c.problems());
        assertTrue(all.contains("cuda.CudaStreams.STREAM_NON_BLOCKING = 1 is not audited: add it to"
                + " HeaderAuditTest.CONSTANTS"), all);
        assertTrue(all.contains("enum field cuda.CaptureMode.value is not audited: add it to HeaderAuditTest.ENUMS"), all);
        assertTrue(all.contains("HeaderAuditTest has an entry for cublas.Gone.X.value, which the bindings no longer"
                + " have: remove it"), all);

        Tables onlyRule = new Tables(Map.of(), Map.of(), Map.of(), Map.of("cuda.CaptureMode",
                Map.of("value", HeaderAudit.OVERRIDES_ONLY)), Map.of());
        String noName = String.join("\n", HeaderAudit.collect(List.of(dev.turbojet.ffi.cuda.CaptureMode.class), onlyRule)
                .problems());
        assertTrue(noName.contains("cuda.CaptureMode.GLOBAL.value = 0 has no C name: add \"cuda.CaptureMode.GLOBAL.value\""
                + " to HeaderAuditTest.ENUM_OVERRIDES"), noName);
    }

    @Test
    void compileErrorsNameTheJavaItem() {
        String log = "main.cpp:40:61: error: 'CUDNN_ATTR_TENSOR_UNIQUE' was not declared in this scope; did you mean"
                + " 'CUDNN_ATTR_TENSOR_UNIQUE_ID'?\n"
                + "main.cpp:90:29: error: 'cuMemAlloc_v3' was not declared in this scope\n"
                + "main.cpp:91:30: error: \u2018cuGraphLaunchz\u2019 was not declared in this scope\n"; // a UTF-8 locale's quotes
        String text = HeaderAudit.explainCompileErrors(log,
                List.of(new Fact("cudnn.Attribute.TENSOR_UNIQUE.value", 906, "CUDNN_ATTR_TENSOR_UNIQUE")),
                List.of(new Native.Declared(Lib.CUDA, "cuMemAlloc_v3", FunctionDescriptor.of(JAVA_INT)),
                        new Native.Declared(Lib.CUDA, "cuGraphLaunchz", FunctionDescriptor.of(JAVA_INT))));
        assertTrue(text.contains("cudnn.Attribute.TENSOR_UNIQUE.value = 906 maps to CUDNN_ATTR_TENSOR_UNIQUE, but the"
                + " headers do not declare 'CUDNN_ATTR_TENSOR_UNIQUE'"), text);
        assertTrue(text.contains("CUDA binds cuMemAlloc_v3, which the headers do not declare"), text);
        assertTrue(text.contains("CUDA binds cuGraphLaunchz, which the headers do not declare"), text);
    }
}
