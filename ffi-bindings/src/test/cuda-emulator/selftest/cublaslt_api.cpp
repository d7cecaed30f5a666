// Self test of the emulated cuBLASLt's API against NVIDIA's cublasLt.h and the cuBLAS guide,
// chapter 3 (https://docs.nvidia.com/cuda/cublas/index.html#using-the-cublaslt-api): status names,
// the handle (a current context needed, NULL / destroyed handles), descriptor attributes (sizes from
// the header, unknown attributes, GetAttribute's size query, documented defaults), destroyed and
// foreign descriptors, cublasLtMatmulAlgoGetHeuristic (counts, workspace within the preference,
// reduction / implementation / wave filters, untouched results past the count), algorithms bound to
// their problem, workspace rules, alignment, every configuration error, aliasing, device ranges that
// leave their allocation (refused with a message naming the range), fault injection, the verbose
// trace, and a device fault that poisons the context.
#include "cublaslt_test.h"

#include <sys/wait.h>

#include <functional>
#include <limits>
#include <memory>

using namespace lttest;

namespace {

CUstream stream;
cublasLtHandle_t handle;

std::vector<unsigned char> halves(size_t n, float v) {
    std::vector<unsigned char> b(n * 2);
    for (size_t i = 0; i < n; i++) from_float(CUDA_R_16F, &b[i * 2], v);
    return b;
}

/** An 8 x 8 x 8 fp16 column-major problem (A = B = 1, so D = 8 * alpha + beta * C) with exact buffers. */
struct Problem8 {
    static constexpr uint64_t n = 8;
    DeviceBuffer A{halves(64, 1.0f)}, B{halves(64, 1.0f)}, C{halves(64, 2.0f)}, D{halves(64, -1.0f)};
    cublasLtMatmulDesc_t desc = nullptr;
    cublasLtMatrixLayout_t la = nullptr, lb = nullptr, lc = nullptr, ld = nullptr;
    cublasLtMatmulPreference_t pref = nullptr;
    float alpha = 1.0f, beta = 0.0f;

    Problem8() {
        cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F);
        for (cublasLtMatrixLayout_t* l : {&la, &lb, &lc, &ld}) cublasLtMatrixLayoutCreate(l, CUDA_R_16F, n, n, n);
        cublasLtMatmulPreferenceCreate(&pref);
        set_workspace_limit(pref, 1 << 20);
    }
    ~Problem8() {
        cublasLtMatmulDescDestroy(desc);
        for (cublasLtMatrixLayout_t l : {la, lb, lc, ld})
            if (l) cublasLtMatrixLayoutDestroy(l);
        cublasLtMatmulPreferenceDestroy(pref);
    }
    static void replace(cublasLtMatrixLayout_t& l, cudaDataType_t t, uint64_t rows, uint64_t cols, int64_t ldv) {
        cublasLtMatrixLayoutDestroy(l);
        cublasLtMatrixLayoutCreate(&l, t, rows, cols, ldv);
    }
    cublasStatus_t heuristic(cublasLtMatmulHeuristicResult_t* r, int requested = 1, int* found = nullptr, cublasLtMatrixLayout_t c = (cublasLtMatrixLayout_t)-1) {
        int f = 0;
        cublasStatus_t s = cublasLtMatmulAlgoGetHeuristic(handle, desc, la, lb, c == (cublasLtMatrixLayout_t)-1 ? lc : c, ld, pref, requested, r, &f);
        if (found) *found = f;
        return s;
    }
    cublasStatus_t matmul(const cublasLtMatmulAlgo_t* algo = nullptr, void* ws = nullptr, size_t ws_size = 0, const void* a = nullptr,
                          const void* b = nullptr, const void* c = nullptr, void* d = nullptr) {
        return cublasLtMatmul(handle, desc, &alpha, a ? a : A.p(), la, b ? b : B.p(), lb, &beta, c ? c : C.p(), lc, d ? d : D.p(), ld, algo, ws,
                              ws_size, stream);
    }
    float d0() {
        OK(cuStreamSynchronize(stream));
        return to_float(CUDA_R_16F, D.download().data());
    }
};

void status_names() {
    Section s("status names and strings, version");
    const std::pair<cublasStatus_t, const char*> all[] = {
        {CUBLAS_STATUS_SUCCESS, "CUBLAS_STATUS_SUCCESS"},           {CUBLAS_STATUS_NOT_INITIALIZED, "CUBLAS_STATUS_NOT_INITIALIZED"},
        {CUBLAS_STATUS_ALLOC_FAILED, "CUBLAS_STATUS_ALLOC_FAILED"}, {CUBLAS_STATUS_INVALID_VALUE, "CUBLAS_STATUS_INVALID_VALUE"},
        {CUBLAS_STATUS_ARCH_MISMATCH, "CUBLAS_STATUS_ARCH_MISMATCH"}, {CUBLAS_STATUS_MAPPING_ERROR, "CUBLAS_STATUS_MAPPING_ERROR"},
        {CUBLAS_STATUS_EXECUTION_FAILED, "CUBLAS_STATUS_EXECUTION_FAILED"}, {CUBLAS_STATUS_INTERNAL_ERROR, "CUBLAS_STATUS_INTERNAL_ERROR"},
        {CUBLAS_STATUS_NOT_SUPPORTED, "CUBLAS_STATUS_NOT_SUPPORTED"},   {CUBLAS_STATUS_LICENSE_ERROR, "CUBLAS_STATUS_LICENSE_ERROR"}};
    for (const auto& [st, name] : all) {
        CHECK(std::strcmp(cublasLtGetStatusName(st), name) == 0);
        CHECK(cublasLtGetStatusString(st) != nullptr && std::strlen(cublasLtGetStatusString(st)) > 0);
    }
    CHECK(std::strcmp(cublasLtGetStatusName((cublasStatus_t)2), "unrecognized status") == 0);  // 2 is no cublasStatus_t
    CHECK(std::strcmp(cublasLtGetStatusString((cublasStatus_t)2), "unrecognized status") == 0);
    CHECK(cublasLtGetVersion() == CUBLAS_VERSION);
    int v = -1;
    LT_OK(cublasLtGetProperty(MAJOR_VERSION, &v));
    CHECK(v == CUBLAS_VER_MAJOR);
}

/** Before any context exists (run first). */
void no_context() {
    Section s("cublasLtCreate needs a current CUDA context");
    cublasLtHandle_t h = nullptr;
    CHECK_LT(cublasLtCreate(&h), CUBLAS_STATUS_NOT_INITIALIZED);  // the driver is not even initialised
    OK(cuInit(0));
    CHECK_LT(cublasLtCreate(&h), CUBLAS_STATUS_NOT_INITIALIZED);  // initialised, no context current
    CHECK(h == nullptr);
}

void handles() {
    Section s("handles: NULL, destroyed, foreign");
    CHECK_LT(cublasLtCreate(nullptr), CUBLAS_STATUS_INVALID_VALUE);
    cublasLtHandle_t h = nullptr;
    LT_OK(cublasLtCreate(&h));
    CHECK(h != nullptr);
    LT_OK(cublasLtDestroy(h));
    CHECK_LT(cublasLtDestroy(h), CUBLAS_STATUS_NOT_INITIALIZED);
    CHECK_LT(cublasLtDestroy(nullptr), CUBLAS_STATUS_INVALID_VALUE);
    Problem8 p;
    cublasLtMatmulHeuristicResult_t r;
    int found = 7;
    CHECK_LT(cublasLtMatmulAlgoGetHeuristic(h, p.desc, p.la, p.lb, p.lc, p.ld, p.pref, 1, &r, &found), CUBLAS_STATUS_NOT_INITIALIZED);
    CHECK(found == 0);
    CHECK_LT(cublasLtMatmulAlgoGetHeuristic(nullptr, p.desc, p.la, p.lb, p.lc, p.ld, p.pref, 1, &r, &found), CUBLAS_STATUS_NOT_INITIALIZED);
    CHECK_LT(cublasLtMatmul(h, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), p.lb, &p.beta, p.C.p(), p.lc, p.D.p(), p.ld, nullptr, nullptr, 0, stream),
             CUBLAS_STATUS_NOT_INITIALIZED);
    CHECK_LT(cublasLtMatmul(reinterpret_cast<cublasLtHandle_t>(p.la), p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), p.lb, &p.beta, p.C.p(), p.lc,
                            p.D.p(), p.ld, nullptr, nullptr, 0, stream),
             CUBLAS_STATUS_NOT_INITIALIZED);
}

template <typename T>
cublasStatus_t set_desc_attr(cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t a, T v, size_t size = sizeof(T)) {
    return cublasLtMatmulDescSetAttribute(d, a, &v, size);
}
template <typename T>
cublasStatus_t set_layout_attr(cublasLtMatrixLayout_t l, cublasLtMatrixLayoutAttribute_t a, T v, size_t size = sizeof(T)) {
    return cublasLtMatrixLayoutSetAttribute(l, a, &v, size);
}
template <typename T>
cublasStatus_t set_pref_attr(cublasLtMatmulPreference_t p, cublasLtMatmulPreferenceAttributes_t a, T v, size_t size = sizeof(T)) {
    return cublasLtMatmulPreferenceSetAttribute(p, a, &v, size);
}

void attributes() {
    Section s("attributes: sizes from cublasLt.h, unknown attributes, GetAttribute, defaults");
    cublasLtMatmulDesc_t d = nullptr;
    CHECK_LT(cublasLtMatmulDescCreate(nullptr, CUBLAS_COMPUTE_32F, CUDA_R_32F), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(cublasLtMatmulDescCreate(&d, CUBLAS_COMPUTE_32F_FAST_TF32, CUDA_R_32F));
    // Documented defaults.
    int32_t i32 = -5;
    uint32_t u32 = 0;
    size_t written = 0;
    LT_OK(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_POINTER_MODE, &i32, 4, &written));
    CHECK(i32 == CUBLASLT_POINTER_MODE_HOST && written == 4);
    LT_OK(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_TRANSA, &i32, 4, nullptr));
    CHECK(i32 == CUBLAS_OP_N);
    LT_OK(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_EPILOGUE, &u32, 4, nullptr));
    CHECK(u32 == CUBLASLT_EPILOGUE_DEFAULT);
    LT_OK(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &i32, 4, nullptr));
    CHECK(i32 == -1);
    LT_OK(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE, &i32, 4, nullptr));
    CHECK(i32 == CUBLAS_COMPUTE_32F_FAST_TF32);
    LT_OK(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_SCALE_TYPE, &i32, 4, nullptr));
    CHECK(i32 == CUDA_R_32F);
    const void* bias = reinterpret_cast<void*>(1);
    LT_OK(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias, nullptr));
    CHECK(bias == nullptr);
    // Sizes.
    LT_OK(set_desc_attr<int32_t>(d, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T));
    CHECK_LT(set_desc_attr<int64_t>(d, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(set_desc_attr<int16_t>(d, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_TRANSA, nullptr, 4), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_desc_attr<uint32_t>(d, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_GELU_BIAS));
    CHECK_LT(set_desc_attr<uint64_t>(d, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_GELU_BIAS), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_desc_attr<const void*>(d, CUBLASLT_MATMUL_DESC_BIAS_POINTER, nullptr));
    CHECK_LT(set_desc_attr<int32_t>(d, CUBLASLT_MATMUL_DESC_BIAS_POINTER, 0), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_desc_attr<int32_t>(d, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, CUDA_R_16F));
    CHECK_LT(set_desc_attr<int64_t>(d, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, CUDA_R_16F), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_desc_attr<int64_t>(d, CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE, 64));
    CHECK_LT(set_desc_attr<int32_t>(d, CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE, 64), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_desc_attr<int8_t>(d, CUBLASLT_MATMUL_DESC_FAST_ACCUM, 1));
    CHECK_LT(set_desc_attr<int32_t>(d, CUBLASLT_MATMUL_DESC_FAST_ACCUM, 1), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_desc_attr<int32_t>(d, CUBLASLT_MATMUL_DESC_POINTER_MODE, CUBLASLT_POINTER_MODE_DEVICE));
    for (int unknown : {9, 16, 27, 30, 39, 1000, -1})
        CHECK_LT(set_desc_attr<int32_t>(d, (cublasLtMatmulDescAttributes_t)unknown, 0), CUBLAS_STATUS_INVALID_VALUE);
    // GetAttribute's size rules.
    LT_OK(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_TRANSA, nullptr, 0, &written));
    CHECK(written == 4);
    LT_OK(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_BIAS_POINTER, nullptr, 0, &written));
    CHECK(written == sizeof(void*));
    CHECK_LT(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_TRANSA, nullptr, 0, nullptr), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_TRANSA, nullptr, 4, &written), CUBLAS_STATUS_INVALID_VALUE);
    int64_t i64 = 0;
    CHECK_LT(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_TRANSA, &i64, 8, &written), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_TRANSA, &i32, 4, &written));
    CHECK(i32 == CUBLAS_OP_T);
    LT_OK(cublasLtMatmulDescGetAttribute(d, CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE, &i64, 8, &written));
    CHECK(i64 == 64 && written == 8);

    // Layouts.
    cublasLtMatrixLayout_t l = nullptr;
    CHECK_LT(cublasLtMatrixLayoutCreate(nullptr, CUDA_R_16F, 4, 4, 4), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(cublasLtMatrixLayoutCreate(&l, CUDA_R_16BF, 3, 5, 7));
    uint64_t u64 = 0;
    LT_OK(cublasLtMatrixLayoutGetAttribute(l, CUBLASLT_MATRIX_LAYOUT_ROWS, &u64, 8, nullptr));
    CHECK(u64 == 3);
    LT_OK(cublasLtMatrixLayoutGetAttribute(l, CUBLASLT_MATRIX_LAYOUT_LD, &i64, 8, nullptr));
    CHECK(i64 == 7);
    LT_OK(cublasLtMatrixLayoutGetAttribute(l, CUBLASLT_MATRIX_LAYOUT_TYPE, &u32, 4, nullptr));
    CHECK(u32 == CUDA_R_16BF);
    LT_OK(cublasLtMatrixLayoutGetAttribute(l, CUBLASLT_MATRIX_LAYOUT_ORDER, &i32, 4, nullptr));
    CHECK(i32 == CUBLASLT_ORDER_COL);
    LT_OK(cublasLtMatrixLayoutGetAttribute(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &i32, 4, nullptr));
    CHECK(i32 == 1);
    LT_OK(cublasLtMatrixLayoutGetAttribute(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &i64, 8, nullptr));
    CHECK(i64 == 0);
    LT_OK(set_layout_attr<uint64_t>(l, CUBLASLT_MATRIX_LAYOUT_ROWS, 4));
    CHECK_LT(set_layout_attr<uint32_t>(l, CUBLASLT_MATRIX_LAYOUT_ROWS, 4), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_layout_attr<uint64_t>(l, CUBLASLT_MATRIX_LAYOUT_COLS, 4));
    LT_OK(set_layout_attr<int64_t>(l, CUBLASLT_MATRIX_LAYOUT_LD, 8));
    CHECK_LT(set_layout_attr<int32_t>(l, CUBLASLT_MATRIX_LAYOUT_LD, 8), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_layout_attr<int32_t>(l, CUBLASLT_MATRIX_LAYOUT_ORDER, CUBLASLT_ORDER_ROW));
    CHECK_LT(set_layout_attr<int64_t>(l, CUBLASLT_MATRIX_LAYOUT_ORDER, CUBLASLT_ORDER_ROW), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_layout_attr<int32_t>(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, 2));
    CHECK_LT(set_layout_attr<int64_t>(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, 2), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_layout_attr<int64_t>(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, 32));
    CHECK_LT(set_layout_attr<int32_t>(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, 32), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_layout_attr<uint32_t>(l, CUBLASLT_MATRIX_LAYOUT_TYPE, CUDA_R_32F));
    CHECK_LT(set_layout_attr<uint64_t>(l, CUBLASLT_MATRIX_LAYOUT_TYPE, CUDA_R_32F), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_layout_attr<int64_t>(l, CUBLASLT_MATRIX_LAYOUT_PLANE_OFFSET, 0));
    LT_OK(set_layout_attr<uint32_t>(l, CUBLASLT_MATRIX_LAYOUT_BATCH_MODE, CUBLASLT_BATCH_MODE_STRIDED));
    CHECK_LT(set_layout_attr<int32_t>(l, (cublasLtMatrixLayoutAttribute_t)9, 0), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_LD, nullptr, 8), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(cublasLtMatrixLayoutGetAttribute(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, nullptr, 0, &written));
    CHECK(written == 8);

    // Preferences.
    cublasLtMatmulPreference_t p = nullptr;
    CHECK_LT(cublasLtMatmulPreferenceCreate(nullptr), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(cublasLtMatmulPreferenceCreate(&p));
    u64 = 5;
    LT_OK(cublasLtMatmulPreferenceGetAttribute(p, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &u64, 8, nullptr));
    CHECK(u64 == 0);  // "Default is 0 (no workspace memory allowed)"
    LT_OK(cublasLtMatmulPreferenceGetAttribute(p, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &u32, 4, nullptr));
    CHECK(u32 == 256);
    LT_OK(cublasLtMatmulPreferenceGetAttribute(p, CUBLASLT_MATMUL_PREF_IMPL_MASK, &u64, 8, nullptr));
    CHECK(u64 == ~uint64_t(0));
    LT_OK(cublasLtMatmulPreferenceGetAttribute(p, CUBLASLT_MATMUL_PREF_REDUCTION_SCHEME_MASK, &u32, 4, nullptr));
    CHECK(u32 == CUBLASLT_REDUCTION_SCHEME_MASK);
    LT_OK(set_pref_attr<uint64_t>(p, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, 1 << 20));
    CHECK_LT(set_pref_attr<uint32_t>(p, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, 1 << 20), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_pref_attr<float>(p, CUBLASLT_MATMUL_PREF_MAX_WAVES_COUNT, 2.0f));
    LT_OK(set_pref_attr<uint32_t>(p, CUBLASLT_MATMUL_PREF_SEARCH_MODE, CUBLASLT_SEARCH_BEST_FIT));
    CHECK_LT(set_pref_attr<uint32_t>(p, (cublasLtMatmulPreferenceAttributes_t)2, 0), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(set_pref_attr<uint32_t>(p, (cublasLtMatmulPreferenceAttributes_t)4, 0), CUBLAS_STATUS_INVALID_VALUE);

    // Destroyed and foreign objects.
    LT_OK(cublasLtMatmulDescDestroy(d));
    CHECK_LT(set_desc_attr<int32_t>(d, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_N), CUBLAS_STATUS_INVALID_VALUE);
    {
        StderrCapture err;
        CHECK_LT(cublasLtMatmulDescDestroy(d), CUBLAS_STATUS_INVALID_VALUE);
        CHECK(contains(err.text(), "already destroyed"));
    }
    LT_OK(cublasLtMatmulDescDestroy(nullptr));  // the page lists only SUCCESS (and NVIDIA's library agrees)
    LT_OK(cublasLtMatrixLayoutDestroy(nullptr));
    LT_OK(cublasLtMatmulPreferenceDestroy(nullptr));
    CHECK_LT(cublasLtMatmulDescDestroy(reinterpret_cast<cublasLtMatmulDesc_t>(l)), CUBLAS_STATUS_INVALID_VALUE);  // a layout
    CHECK_LT(set_desc_attr<int32_t>(reinterpret_cast<cublasLtMatmulDesc_t>(p), CUBLASLT_MATMUL_DESC_TRANSA, 0), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(cublasLtMatrixLayoutDestroy(l));
    CHECK_LT(cublasLtMatrixLayoutDestroy(l), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(set_layout_attr<uint64_t>(l, CUBLASLT_MATRIX_LAYOUT_ROWS, 4), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(cublasLtMatmulPreferenceDestroy(p));
    CHECK_LT(cublasLtMatmulPreferenceDestroy(p), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(set_pref_attr<uint64_t>(p, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, 0), CUBLAS_STATUS_INVALID_VALUE);
}

void heuristics() {
    Section s("cublasLtMatmulAlgoGetHeuristic: counts, workspace within the preference, filters, fault site");
    Problem8 p;
    cublasLtMatmulHeuristicResult_t r[4];
    for (auto& x : r) {
        std::memset(&x, 0, sizeof x);
        x.state = CUBLAS_STATUS_LICENSE_ERROR;  // sentinel: untouched past returnAlgoCount
    }
    int found = -1;
    LT_OK(p.heuristic(r, 4, &found));
    CHECK(found == 2);
    CHECK(r[0].state == CUBLAS_STATUS_SUCCESS && r[0].workspaceSize > 0 && r[0].workspaceSize <= (1u << 20));
    CHECK(r[1].state == CUBLAS_STATUS_SUCCESS && r[1].workspaceSize == 0);
    CHECK(r[2].state == CUBLAS_STATUS_LICENSE_ERROR && r[3].state == CUBLAS_STATUS_LICENSE_ERROR);
    CHECK(r[0].wavesCount > 0);
    LT_OK(p.heuristic(r, 1, &found));
    CHECK(found == 1 && r[0].workspaceSize > 0);

    set_workspace_limit(p.pref, 100);
    LT_OK(p.heuristic(r, 4, &found));
    CHECK(found == 2 && r[0].workspaceSize > 0 && r[0].workspaceSize <= 100);
    set_workspace_limit(p.pref, 0);
    LT_OK(p.heuristic(r, 4, &found));
    CHECK(found == 1 && r[0].workspaceSize == 0);
    set_workspace_limit(p.pref, 1 << 20);

    // The split-K algorithm reduces in the workspace (COMPUTE_TYPE): a mask without it leaves the other.
    LT_OK(set_pref_attr<uint32_t>(p.pref, CUBLASLT_MATMUL_PREF_REDUCTION_SCHEME_MASK, CUBLASLT_REDUCTION_SCHEME_INPLACE));
    LT_OK(p.heuristic(r, 4, &found));
    CHECK(found == 1 && r[0].workspaceSize == 0);
    LT_OK(set_pref_attr<uint32_t>(p.pref, CUBLASLT_MATMUL_PREF_REDUCTION_SCHEME_MASK, CUBLASLT_REDUCTION_SCHEME_MASK));
    // Implementation mask: no algorithm without FMA.
    LT_OK(set_pref_attr<uint64_t>(p.pref, CUBLASLT_MATMUL_PREF_IMPL_MASK, CUBLASLT_NUMERICAL_IMPL_FLAGS_HMMA));
    found = 9;
    CHECK_LT(p.heuristic(r, 4, &found), CUBLAS_STATUS_NOT_SUPPORTED);
    CHECK(found == 0);
    LT_OK(set_pref_attr<uint64_t>(p.pref, CUBLASLT_MATMUL_PREF_IMPL_MASK, ~uint64_t(0)));
    LT_OK(set_pref_attr<float>(p.pref, CUBLASLT_MATMUL_PREF_MAX_WAVES_COUNT, 1e-9f));
    CHECK_LT(p.heuristic(r, 4, &found), CUBLAS_STATUS_NOT_SUPPORTED);
    LT_OK(set_pref_attr<float>(p.pref, CUBLASLT_MATMUL_PREF_MAX_WAVES_COUNT, 0.0f));
    LT_OK(set_pref_attr<uint32_t>(p.pref, CUBLASLT_MATMUL_PREF_SEARCH_MODE, CUBLASLT_SEARCH_LIMITED_BY_ALGO_ID));
    CHECK_LT(p.heuristic(r, 4, &found), CUBLAS_STATUS_NOT_SUPPORTED);
    LT_OK(set_pref_attr<uint32_t>(p.pref, CUBLASLT_MATMUL_PREF_SEARCH_MODE, 5));
    CHECK_LT(p.heuristic(r, 4, &found), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_pref_attr<uint32_t>(p.pref, CUBLASLT_MATMUL_PREF_SEARCH_MODE, CUBLASLT_SEARCH_BEST_FIT));

    // Arguments.
    CHECK_LT(p.heuristic(r, 0, &found), CUBLAS_STATUS_INVALID_VALUE);
    CHECK(found == 0);
    CHECK_LT(p.heuristic(r, -3, &found), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(cublasLtMatmulAlgoGetHeuristic(handle, p.desc, p.la, p.lb, p.lc, p.ld, p.pref, 1, nullptr, &found), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(cublasLtMatmulAlgoGetHeuristic(handle, p.desc, p.la, p.lb, p.lc, p.ld, p.pref, 1, r, nullptr), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(cublasLtMatmulAlgoGetHeuristic(handle, p.desc, p.la, p.lb, p.lc, p.ld, nullptr, 1, r, &found), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(cublasLtMatmulAlgoGetHeuristic(handle, nullptr, p.la, p.lb, p.lc, p.ld, p.pref, 1, r, &found), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(cublasLtMatmulAlgoGetHeuristic(handle, p.desc, nullptr, p.lb, p.lc, p.ld, p.pref, 1, r, &found), CUBLAS_STATUS_INVALID_VALUE);

    // Cdesc NULL means Ddesc: the algorithm fits the matmul with Cdesc = Ddesc.
    LT_OK(p.heuristic(r, 1, &found, nullptr));
    DeviceBuffer ws(r[0].workspaceSize);
    LT_OK(p.matmul(&r[0].algo, ws.p(), r[0].workspaceSize));
    CHECK(p.d0() == 8.0f);

    // Fault site: no algorithm, once.
    CHECK(tjemuControl("fault cublasLt.heuristic") == 0);
    found = 5;
    CHECK_LT(p.heuristic(r, 4, &found), CUBLAS_STATUS_NOT_SUPPORTED);
    CHECK(found == 0);
    LT_OK(p.heuristic(r, 4, &found));
    CHECK(found == 2);
    CHECK(tjemuControl("fault cublasLt.heuristic") == 0);
    CHECK_LT(p.matmul(), CUBLAS_STATUS_NOT_SUPPORTED);  // algo NULL runs the same heuristic
    LT_OK(p.matmul());
    CHECK(tjemuControl("clear-faults") == 0);
}

void algorithms() {
    Section s("algorithms are bound to their problem; serialisation; garbage algo");
    Problem8 p;
    cublasLtMatmulHeuristicResult_t r;
    LT_OK(p.heuristic(&r));
    DeviceBuffer ws(r.workspaceSize);
    LT_OK(p.matmul(&r.algo, ws.p(), r.workspaceSize));
    cublasLtMatmulAlgo_t copy;
    std::memcpy(&copy, &r.algo, sizeof copy);  // "can be trivially serialized and later restored"
    LT_OK(p.matmul(&copy, ws.p(), r.workspaceSize));
    // Another problem: a transpose, an epilogue, a leading dimension, a type.
    LT_OK(set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T));
    CHECK_LT(p.matmul(&r.algo, ws.p(), r.workspaceSize), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_N));
    LT_OK(set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_RELU));
    CHECK_LT(p.matmul(&r.algo, ws.p(), r.workspaceSize), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_DEFAULT));
    LT_OK(p.matmul(&r.algo, ws.p(), r.workspaceSize));
    LT_OK(set_layout_attr<int64_t>(p.lc, CUBLASLT_MATRIX_LAYOUT_LD, 8));  // the same value: still the same problem
    LT_OK(p.matmul(&r.algo, ws.p(), r.workspaceSize));
    {
        DeviceBuffer bigger(halves(9 * 8, 1.0f));
        LT_OK(set_layout_attr<int64_t>(p.la, CUBLASLT_MATRIX_LAYOUT_LD, 9));
        StderrCapture err;
        CHECK_LT(p.matmul(&r.algo, ws.p(), r.workspaceSize, bigger.p()), CUBLAS_STATUS_INVALID_VALUE);
        CHECK(contains(err.text(), "different problem"));
        LT_OK(p.matmul(nullptr, nullptr, 0, bigger.p()));  // fine with its own heuristic
        LT_OK(set_layout_attr<int64_t>(p.la, CUBLASLT_MATRIX_LAYOUT_LD, 8));
    }
    cublasLtMatmulAlgo_t zero;
    std::memset(&zero, 0, sizeof zero);
    CHECK_LT(p.matmul(&zero, ws.p(), r.workspaceSize), CUBLAS_STATUS_INVALID_VALUE);
    copy.data[2] = 0;  // claim no workspace
    CHECK_LT(p.matmul(&copy, nullptr, 0), CUBLAS_STATUS_INVALID_VALUE);
    OK(cuStreamSynchronize(stream));
}

void workspace() {
    Section s("workspace: required size, NULL, 256-byte alignment, extent, garbage after use");
    Problem8 p;
    cublasLtMatmulHeuristicResult_t r;
    LT_OK(p.heuristic(&r));
    const size_t w = r.workspaceSize;
    CHECK(w > 0);
    DeviceBuffer ws(w + 256);
    CHECK_LT(p.matmul(&r.algo, nullptr, w), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(p.matmul(&r.algo, ws.p(), w - 1), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(p.matmul(&r.algo, ws.p(16), w), CUBLAS_STATUS_INVALID_VALUE);
    {
        StderrCapture err;
        CHECK_LT(p.matmul(&r.algo, ws.p(), w + 257), CUBLAS_STATUS_INVALID_VALUE);  // more than the allocation holds
        CHECK(contains(err.text(), "workspace ["));
    }
    CHECK_LT(p.matmul(&r.algo, p.A.p(), w), CUBLAS_STATUS_INVALID_VALUE);  // the workspace is A: it would be scribbled
    ws.upload(std::vector<unsigned char>(w + 256, 0));
    LT_OK(p.matmul(&r.algo, ws.p(), w + 256));
    CHECK(p.d0() == 8.0f);
    const std::vector<unsigned char> after = ws.download();
    size_t garbage = 0;
    for (size_t i = 0; i < w; i++) garbage += after[i] != 0;
    CHECK(garbage == w);  // the part the algorithm used holds garbage now
    // The no-workspace algorithm with none.
    set_workspace_limit(p.pref, 0);
    LT_OK(p.heuristic(&r));
    LT_OK(p.matmul(&r.algo, nullptr, 0));
    CHECK(p.d0() == 8.0f);
}

void alignment() {
    Section s("alignment: elements, the preference's MIN_ALIGNMENT, the bias pointer at heuristic time");
    Problem8 p;
    DeviceBuffer big(halves(64 + 8, 1.0f));
    {
        StderrCapture err;
        CHECK_LT(p.matmul(nullptr, nullptr, 0, big.p(2)), CUBLAS_STATUS_INVALID_VALUE);  // default preferences: 256 bytes
        CHECK(contains(err.text(), "MIN_ALIGNMENT_A"));
    }
    CHECK_LT(p.matmul(nullptr, nullptr, 0, big.p(1)), CUBLAS_STATUS_INVALID_VALUE);  // not even an element boundary
    LT_OK(set_pref_attr<uint32_t>(p.pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, 2));
    cublasLtMatmulHeuristicResult_t r;
    LT_OK(p.heuristic(&r));
    DeviceBuffer ws(r.workspaceSize);
    LT_OK(p.matmul(&r.algo, ws.p(), r.workspaceSize, big.p(2)));
    CHECK(p.d0() == 8.0f);
    CHECK_LT(p.matmul(&r.algo, ws.p(), r.workspaceSize, big.p(1)), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(p.matmul(&r.algo, ws.p(), r.workspaceSize, nullptr, nullptr, nullptr, p.D.p(2)), CUBLAS_STATUS_INVALID_VALUE);  // D: still 256

    // Bias: the algorithm assumes the alignment the bias pointer had when it was chosen.
    DeviceBuffer bias(halves(8 + 8, 0.5f));
    LT_OK(set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_BIAS));
    set_bias(p.desc, bias.p());
    LT_OK(p.heuristic(&r));
    set_bias(p.desc, bias.p(2));
    CHECK_LT(p.matmul(&r.algo, ws.p(), r.workspaceSize), CUBLAS_STATUS_INVALID_VALUE);
    LT_OK(p.heuristic(&r));
    LT_OK(p.matmul(&r.algo, ws.p(), r.workspaceSize));
    CHECK(p.d0() == 8.5f);
}

/** Applies `configure` to a fresh problem and expects `want` from both the heuristic and cublasLtMatmul (algo NULL). */
void expect_config(const char* what, const std::function<void(Problem8&)>& configure, cublasStatus_t want) {
    Problem8 p;
    configure(p);
    cublasLtMatmulHeuristicResult_t r;
    int found = -1;
    const cublasStatus_t h = p.heuristic(&r, 1, &found);
    const cublasStatus_t m = p.matmul();
    const bool good = h == want && m == want && (want == CUBLAS_STATUS_SUCCESS ? found == 1 : found == 0);
    ++selftest::checks;
    if (!good) {
        ++selftest::failures;
        std::printf("FAIL %s: heuristic %s (%d found), matmul %s, expected %s\n", what, cublasLtGetStatusName(h), found, cublasLtGetStatusName(m),
                    cublasLtGetStatusName(want));
    }
    cuStreamSynchronize(stream);
}

void configurations() {
    Section s("configuration errors: shapes, leading dimensions, operations, epilogues, types, batches, attributes");
    const cublasStatus_t INVALID = CUBLAS_STATUS_INVALID_VALUE, UNSUPPORTED = CUBLAS_STATUS_NOT_SUPPORTED;
    expect_config("baseline", [](Problem8&) {}, CUBLAS_STATUS_SUCCESS);
    expect_config("op(A) k != op(B) k", [](Problem8& p) { Problem8::replace(p.la, CUDA_R_16F, 8, 7, 8); }, INVALID);
    expect_config("D rows != op(A) rows", [](Problem8& p) { Problem8::replace(p.ld, CUDA_R_16F, 7, 8, 8); }, INVALID);
    expect_config("C shape != D shape", [](Problem8& p) { Problem8::replace(p.lc, CUDA_R_16F, 8, 7, 8); }, INVALID);
    expect_config("transposed A changes its shape", [](Problem8& p) {
        Problem8::replace(p.la, CUDA_R_16F, 8, 4, 8);
        set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T);
    }, INVALID);
    expect_config("col-major ld < rows", [](Problem8& p) { Problem8::replace(p.la, CUDA_R_16F, 8, 8, 7); }, INVALID);
    expect_config("row-major ld < cols", [](Problem8& p) {
        Problem8::replace(p.lb, CUDA_R_16F, 8, 8, 7);
        set_layout_attr<int32_t>(p.lb, CUBLASLT_MATRIX_LAYOUT_ORDER, CUBLASLT_ORDER_ROW);
    }, INVALID);
    expect_config("negative ld", [](Problem8& p) { Problem8::replace(p.la, CUDA_R_16F, 8, 8, -8); }, INVALID);
    expect_config("D ld 0", [](Problem8& p) { Problem8::replace(p.ld, CUDA_R_16F, 8, 8, 0); }, INVALID);
    expect_config("unknown TRANSA", [](Problem8& p) { set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_TRANSA, 7); }, INVALID);
    expect_config("TRANSB CONJG", [](Problem8& p) { set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_TRANSB, CUBLAS_OP_CONJG); }, UNSUPPORTED);
    expect_config("TRANSC T", [](Problem8& p) { set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_TRANSC, CUBLAS_OP_T); }, UNSUPPORTED);
    expect_config("unknown epilogue", [](Problem8& p) { set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, 3); }, INVALID);
    expect_config("epilogue 0", [](Problem8& p) { set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, 0); }, INVALID);
    for (uint32_t e : {CUBLASLT_EPILOGUE_RELU_AUX, CUBLASLT_EPILOGUE_GELU_AUX_BIAS, CUBLASLT_EPILOGUE_DGELU, CUBLASLT_EPILOGUE_BGRADB})
        expect_config("AUX / gradient epilogue", [e](Problem8& p) { set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, e); }, UNSUPPORTED);
    expect_config("RELU with a row-major D", [](Problem8& p) {
        set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_RELU);
        set_layout_attr<int32_t>(p.lc, CUBLASLT_MATRIX_LAYOUT_ORDER, CUBLASLT_ORDER_ROW);
        set_layout_attr<int32_t>(p.ld, CUBLASLT_MATRIX_LAYOUT_ORDER, CUBLASLT_ORDER_ROW);
    }, UNSUPPORTED);
    expect_config("row-major D, default epilogue", [](Problem8& p) {
        set_layout_attr<int32_t>(p.lc, CUBLASLT_MATRIX_LAYOUT_ORDER, CUBLASLT_ORDER_ROW);
        set_layout_attr<int32_t>(p.ld, CUBLASLT_MATRIX_LAYOUT_ORDER, CUBLASLT_ORDER_ROW);
    }, CUBLAS_STATUS_SUCCESS);
    expect_config("C and D in different orders", [](Problem8& p) { set_layout_attr<int32_t>(p.lc, CUBLASLT_MATRIX_LAYOUT_ORDER, CUBLASLT_ORDER_ROW); }, INVALID);
    expect_config("A fp16, B bf16", [](Problem8& p) { set_layout_attr<uint32_t>(p.lb, CUBLASLT_MATRIX_LAYOUT_TYPE, CUDA_R_16BF); }, UNSUPPORTED);
    expect_config("C fp32, D fp16", [](Problem8& p) { set_layout_attr<uint32_t>(p.lc, CUBLASLT_MATRIX_LAYOUT_TYPE, CUDA_R_32F); }, INVALID);
    expect_config("fp32 inputs, fp16 output (not in Table 1)", [](Problem8& p) {
        for (auto l : {p.la, p.lb}) set_layout_attr<uint32_t>(l, CUBLASLT_MATRIX_LAYOUT_TYPE, CUDA_R_32F);
    }, UNSUPPORTED);
    expect_config("unknown data type", [](Problem8& p) { for (auto l : {p.la, p.lb}) set_layout_attr<uint32_t>(l, CUBLASLT_MATRIX_LAYOUT_TYPE, 12345); }, UNSUPPORTED);
    expect_config("FAST_TF32 with fp16 (Table 1: fp32 only)", [](Problem8& p) {
        set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE, CUBLAS_COMPUTE_32F_FAST_TF32);
    }, UNSUPPORTED);
    expect_config("compute 16F", [](Problem8& p) { set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE, CUBLAS_COMPUTE_16F); }, UNSUPPORTED);
    expect_config("unknown compute type", [](Problem8& p) { set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE, 12345); }, INVALID);
    expect_config("scale type fp16", [](Problem8& p) { set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_SCALE_TYPE, CUDA_R_16F); }, UNSUPPORTED);
    expect_config("batch counts differ", [](Problem8& p) { set_layout_attr<int32_t>(p.la, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, 2); }, INVALID);
    expect_config("batch count 0", [](Problem8& p) {
        for (auto l : {p.la, p.lb, p.lc, p.ld}) set_layout_attr<int32_t>(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, 0);
    }, INVALID);
    expect_config("D's batch matrices overlap (stride 0)", [](Problem8& p) {
        for (auto l : {p.la, p.lb, p.lc, p.ld}) set_layout_attr<int32_t>(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, 2);
    }, INVALID);
    expect_config("A scale pointer with fp16", [](Problem8& p) {
        set_desc_attr<const void*>(p.desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, p.C.p());
    }, INVALID);
    expect_config("D scale mode", [](Problem8& p) { set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_D_SCALE_MODE, 1); }, INVALID);
    expect_config("aux data type", [](Problem8& p) { set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_DATA_TYPE, CUDA_R_16F); }, INVALID);
    expect_config("bias type fp32 with fp16 D", [](Problem8& p) {
        set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_BIAS);
        set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, CUDA_R_32F);
        set_bias(p.desc, p.C.p());
    }, UNSUPPORTED);
    expect_config("bias type = D's", [](Problem8& p) {
        set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_BIAS);
        set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, CUDA_R_16F);
        set_bias(p.desc, p.C.p());
    }, CUBLAS_STATUS_SUCCESS);
    expect_config("COL32 order", [](Problem8& p) { set_layout_attr<int32_t>(p.la, CUBLASLT_MATRIX_LAYOUT_ORDER, CUBLASLT_ORDER_COL32); }, UNSUPPORTED);
    expect_config("unknown order", [](Problem8& p) { set_layout_attr<int32_t>(p.la, CUBLASLT_MATRIX_LAYOUT_ORDER, 9); }, INVALID);
    expect_config("pointer-array batch", [](Problem8& p) {
        set_layout_attr<uint32_t>(p.la, CUBLASLT_MATRIX_LAYOUT_BATCH_MODE, CUBLASLT_BATCH_MODE_POINTER_ARRAY);
    }, UNSUPPORTED);
    expect_config("planar complex offset", [](Problem8& p) { set_layout_attr<int64_t>(p.la, CUBLASLT_MATRIX_LAYOUT_PLANE_OFFSET, 128); }, UNSUPPORTED);
    expect_config("fill mode LOWER", [](Problem8& p) { set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_FILL_MODE, CUBLAS_FILL_MODE_LOWER); }, UNSUPPORTED);
    expect_config("unknown pointer mode", [](Problem8& p) { set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_POINTER_MODE, 9); }, INVALID);
    expect_config("alpha vector stride with BETA_ZERO", [](Problem8& p) {
        set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_POINTER_MODE, CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_ZERO);
        set_desc_attr<int64_t>(p.desc, CUBLASLT_MATMUL_DESC_ALPHA_VECTOR_BATCH_STRIDE, 8);
    }, INVALID);
    expect_config("rows beyond int32", [](Problem8& p) { Problem8::replace(p.la, CUDA_R_16F, uint64_t(1) << 33, 8, int64_t(1) << 33); }, UNSUPPORTED);

    // cublasLtMatmul only: pointers.
    Problem8 p;
    CHECK_LT(cublasLtMatmul(handle, p.desc, nullptr, p.A.p(), p.la, p.B.p(), p.lb, &p.beta, p.C.p(), p.lc, p.D.p(), p.ld, nullptr, nullptr, 0, stream),
             CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), p.lb, nullptr, p.C.p(), p.lc, p.D.p(), p.ld, nullptr, nullptr, 0, stream),
             CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(p.matmul(nullptr, nullptr, 0, nullptr, nullptr, nullptr, nullptr), CUBLAS_STATUS_SUCCESS);  // (defaults: real buffers)
    CHECK_LT(cublasLtMatmul(handle, p.desc, &p.alpha, nullptr, p.la, p.B.p(), p.lb, &p.beta, p.C.p(), p.lc, p.D.p(), p.ld, nullptr, nullptr, 0, stream),
             CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), p.lb, &p.beta, p.C.p(), p.lc, nullptr, p.ld, nullptr, nullptr, 0, stream),
             CUBLAS_STATUS_INVALID_VALUE);
    // beta 0: C is not read, so NULL is fine; beta 1: it is not.
    LT_OK(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), p.lb, &p.beta, nullptr, p.lc, p.D.p(), p.ld, nullptr, nullptr, 0, stream));
    p.beta = 1.0f;
    CHECK_LT(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), p.lb, &p.beta, nullptr, p.lc, p.D.p(), p.ld, nullptr, nullptr, 0, stream),
             CUBLAS_STATUS_INVALID_VALUE);
    CHECK(p.d0() == 8.0f);
    p.beta = 0.0f;
    set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_RELU_BIAS);
    {
        StderrCapture err;
        CHECK_LT(p.matmul(), CUBLAS_STATUS_INVALID_VALUE);  // the epilogue adds a bias, the pointer is NULL
        CHECK(contains(err.text(), "bias"));
    }
    set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_DEFAULT);
    CHECK_LT(cublasLtMatmul(handle, nullptr, &p.alpha, p.A.p(), p.la, p.B.p(), p.lb, &p.beta, p.C.p(), p.lc, p.D.p(), p.ld, nullptr, nullptr, 0, stream),
             CUBLAS_STATUS_INVALID_VALUE);
    cublasLtMatrixLayout_t dead = nullptr;
    cublasLtMatrixLayoutCreate(&dead, CUDA_R_16F, 8, 8, 8);
    cublasLtMatrixLayoutDestroy(dead);
    CHECK_LT(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), dead, p.B.p(), p.lb, &p.beta, p.C.p(), p.lc, p.D.p(), p.ld, nullptr, nullptr, 0, stream),
             CUBLAS_STATUS_INVALID_VALUE);
    // An empty problem is fine and touches nothing.
    Problem8 e;
    Problem8::replace(e.ld, CUDA_R_16F, 0, 8, 0);
    Problem8::replace(e.lc, CUDA_R_16F, 0, 8, 0);
    Problem8::replace(e.la, CUDA_R_16F, 0, 8, 0);
    LT_OK(e.matmul(nullptr, nullptr, 0, nullptr, nullptr, nullptr, nullptr));
}

void aliasing() {
    Section s("aliasing: C == D needs Cdesc == Ddesc; D may not overlap A, B, C, the bias");
    Problem8 p;
    p.beta = 1.0f;
    // In place with the same and with an equal layout.
    LT_OK(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), p.lb, &p.beta, p.D.p(), p.ld, p.D.p(), p.ld, nullptr, nullptr, 0, stream));
    CHECK(p.d0() == 7.0f);  // 8 + (-1)
    LT_OK(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), p.lb, &p.beta, p.D.p(), p.lc, p.D.p(), p.ld, nullptr, nullptr, 0, stream));
    CHECK(p.d0() == 15.0f);
    // C == D with another layout: refused even with beta 0.
    cublasLtMatrixLayout_t other = nullptr;
    cublasLtMatrixLayoutCreate(&other, CUDA_R_16F, 8, 4, 16);
    cublasLtMatrixLayout_t d4 = nullptr;
    cublasLtMatrixLayoutCreate(&d4, CUDA_R_16F, 8, 4, 8);
    cublasLtMatrixLayout_t b4 = nullptr;
    cublasLtMatrixLayoutCreate(&b4, CUDA_R_16F, 8, 4, 8);
    p.beta = 0.0f;
    {
        StderrCapture err;
        CHECK_LT(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), b4, &p.beta, p.D.p(), other, p.D.p(), d4, nullptr, nullptr, 0, stream),
                 CUBLAS_STATUS_INVALID_VALUE);
        CHECK(contains(err.text(), "Cdesc"));
    }
    p.beta = 1.0f;
    // D overlapping an input.
    CHECK_LT(p.matmul(nullptr, nullptr, 0, nullptr, nullptr, nullptr, p.A.p()), CUBLAS_STATUS_INVALID_VALUE);
    CHECK_LT(p.matmul(nullptr, nullptr, 0, nullptr, nullptr, nullptr, p.B.p()), CUBLAS_STATUS_INVALID_VALUE);
    // D = the second half of C's buffer, C the first half (8 x 4 each): disjoint, fine; shifted by half a column less, overlapping.
    // (D is then only 64- or 16-byte aligned: the preference says so.)
    LT_OK(set_pref_attr<uint32_t>(p.pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, 16));
    cublasLtMatmulHeuristicResult_t r;
    CHECK_LT(cublasLtMatmulAlgoGetHeuristic(handle, p.desc, p.la, b4, d4, d4, p.pref, 1, &r, nullptr), CUBLAS_STATUS_INVALID_VALUE);
    int found = 0;
    LT_OK(cublasLtMatmulAlgoGetHeuristic(handle, p.desc, p.la, b4, d4, d4, p.pref, 1, &r, &found));
    DeviceBuffer ws(r.workspaceSize);
    CHECK_LT(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), b4, &p.beta, p.C.p(), d4, p.C.p(64), d4, nullptr, nullptr, 0, stream),
             CUBLAS_STATUS_INVALID_VALUE);  // algo NULL: default preferences assume a 256-byte aligned D
    LT_OK(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), b4, &p.beta, p.C.p(), d4, p.C.p(64), d4, &r.algo, ws.p(), r.workspaceSize, stream));
    OK(cuStreamSynchronize(stream));
    CHECK_LT(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), b4, &p.beta, p.C.p(), d4, p.C.p(48), d4, &r.algo, ws.p(), r.workspaceSize, stream),
             CUBLAS_STATUS_INVALID_VALUE);
    // Interleaved rows of one 16 x 4 buffer (ld 16): A's rows 0..7 and D's rows 8..15 share no element.
    cublasLtMatrixLayout_t tall = nullptr, a16 = nullptr;
    cublasLtMatrixLayoutCreate(&tall, CUDA_R_16F, 8, 4, 16);
    cublasLtMatrixLayoutCreate(&a16, CUDA_R_16F, 8, 8, 16);
    DeviceBuffer shared(halves(16 * 8, 1.0f));
    LT_OK(cublasLtMatmulAlgoGetHeuristic(handle, p.desc, a16, b4, tall, tall, p.pref, 1, &r, &found));
    p.beta = 0.0f;
    LT_OK(cublasLtMatmul(handle, p.desc, &p.alpha, shared.p(), a16, p.B.p(), b4, &p.beta, shared.p(16), tall, shared.p(16), tall, &r.algo, ws.p(),
                         r.workspaceSize, stream));
    OK(cuStreamSynchronize(stream));
    std::vector<unsigned char> sh = shared.download();
    CHECK(to_float(CUDA_R_16F, &sh[16]) == 8.0f && to_float(CUDA_R_16F, &sh[0]) == 1.0f);
    // The bias inside D.
    set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_BIAS);
    set_bias(p.desc, p.D.p());
    CHECK_LT(p.matmul(), CUBLAS_STATUS_INVALID_VALUE);
    for (auto l : {other, d4, b4, tall, a16}) cublasLtMatrixLayoutDestroy(l);
}

void ranges() {
    Section s("device ranges: a buffer one element short is refused with a message naming it");
    struct Short {
        const char* role;
        int which;  // 0 A, 1 B, 2 C, 3 D
    };
    for (const Short& sh : {Short{"A [", 0}, Short{"B [", 1}, Short{"C [", 2}, Short{"D [", 3}}) {
        Problem8 p;
        p.beta = 1.0f;
        DeviceBuffer small(64 * 2 - 2);  // one fp16 element too few
        StderrCapture err;
        const void* ptrs[4] = {p.A.p(), p.B.p(), p.C.p(), p.D.p()};
        ptrs[sh.which] = small.p();
        CHECK_LT(cublasLtMatmul(handle, p.desc, &p.alpha, ptrs[0], p.la, ptrs[1], p.lb, &p.beta, ptrs[2], p.lc, const_cast<void*>(ptrs[3]), p.ld,
                                nullptr, nullptr, 0, stream),
                 CUBLAS_STATUS_INVALID_VALUE);
        const std::string text = err.text();
        CHECK(contains(text, sh.role) && contains(text, "past the end"));
        if (!contains(text, sh.role)) std::printf("  (stderr was: %s)\n", text.c_str());
    }
    {
        Problem8 p;  // beta 0: C is not read, a short C does not matter
        DeviceBuffer small(64 * 2 - 2);
        LT_OK(p.matmul(nullptr, nullptr, 0, nullptr, nullptr, small.p()));
        CHECK(p.d0() == 8.0f);
    }
    {
        Problem8 p;  // a batched bias whose last vector runs off its buffer
        for (auto l : {p.la, p.lb, p.lc, p.ld}) {
            set_layout_attr<int32_t>(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, 2);
            set_layout_attr<int64_t>(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, 0);
        }
        DeviceBuffer d2(halves(128, 0.0f)), bias(halves(15, 0.0f));
        set_layout_attr<int64_t>(p.ld, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, 64);
        set_layout_attr<int64_t>(p.lc, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, 64);
        set_desc_attr<uint32_t>(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_BIAS);
        set_desc_attr<int64_t>(p.desc, CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE, 8);
        set_bias(p.desc, bias.p());
        StderrCapture err;
        CHECK_LT(p.matmul(nullptr, nullptr, 0, nullptr, nullptr, d2.p(), d2.p()), CUBLAS_STATUS_INVALID_VALUE);
        CHECK(contains(err.text(), "bias ["));
    }
    {
        Problem8 p;  // a freed buffer
        CUdeviceptr gone = 0;
        cuMemAlloc(&gone, 128);
        cuMemFree(gone);
        StderrCapture err;
        CHECK_LT(p.matmul(nullptr, nullptr, 0, reinterpret_cast<void*>(gone)), CUBLAS_STATUS_INVALID_VALUE);
        CHECK(contains(err.text(), "A "));
    }
    {
        Problem8 p;  // device pointer mode: alpha must be device memory
        set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_POINTER_MODE, CUBLASLT_POINTER_MODE_DEVICE);
        float host_alpha = 1.0f, host_beta = 0.0f;
        StderrCapture err;
        CHECK_LT(cublasLtMatmul(handle, p.desc, &host_alpha, p.A.p(), p.la, p.B.p(), p.lb, &host_beta, p.C.p(), p.lc, p.D.p(), p.ld, nullptr, nullptr, 0,
                                stream),
                 CUBLAS_STATUS_INVALID_VALUE);
        CHECK(contains(err.text(), "alpha"));
    }
    {
        Problem8 p;  // device pointer mode, beta 0 on the device: C may be a dummy pointer
        set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_POINTER_MODE, CUBLASLT_POINTER_MODE_DEVICE);
        std::vector<unsigned char> sc(8);
        const float ab[2] = {2.0f, 0.0f};
        std::memcpy(sc.data(), ab, 8);
        DeviceBuffer scal(sc);
        LT_OK(cublasLtMatmul(handle, p.desc, scal.p(0), p.A.p(), p.la, p.B.p(), p.lb, scal.p(4), reinterpret_cast<void*>(0x10), p.lc, p.D.p(), p.ld,
                             nullptr, nullptr, 0, stream));
        CHECK(p.d0() == 16.0f);
    }
    {
        Problem8 p;  // not a stream
        int not_a_stream = 0;
        StderrCapture err;
        CHECK_LT(cublasLtMatmul(handle, p.desc, &p.alpha, p.A.p(), p.la, p.B.p(), p.lb, &p.beta, p.C.p(), p.lc, p.D.p(), p.ld, nullptr, nullptr, 0,
                                reinterpret_cast<cudaStream_t>(&not_a_stream)),
                 CUBLAS_STATUS_EXECUTION_FAILED);
        CHECK(contains(err.text(), "stream"));
    }
}

void faults() {
    Section s("fault injection: nan:cublasLtMatmul");
    Problem8 p;
    CHECK(tjemuControl("fault nan:cublasLtMatmul") == 0);
    LT_OK(p.matmul());
    OK(cuStreamSynchronize(stream));
    std::vector<unsigned char> d = p.D.download();
    CHECK(std::isnan(to_float(CUDA_R_16F, &d[0])) && to_float(CUDA_R_16F, &d[2]) == 8.0f);
    LT_OK(p.matmul());
    CHECK(p.d0() == 8.0f);  // once
    CHECK(tjemuControl("clear-faults") == 0);
}

/** Last: a device fault poisons the context, as on a GPU; a fresh context works again. */
void device_fault() {
    Section s("device fault: device beta != 0 with an invalid C is found when the work runs (sticky)");
    {
        Problem8 p;
        set_desc_attr<int32_t>(p.desc, CUBLASLT_MATMUL_DESC_POINTER_MODE, CUBLASLT_POINTER_MODE_DEVICE);
        std::vector<unsigned char> sc(8);
        const float ab[2] = {1.0f, 1.0f};
        std::memcpy(sc.data(), ab, 8);
        DeviceBuffer scal(sc);
        StderrCapture err;
        LT_OK(cublasLtMatmul(handle, p.desc, scal.p(0), p.A.p(), p.la, p.B.p(), p.lb, scal.p(4), reinterpret_cast<void*>(0x10), p.lc, p.D.p(), p.ld,
                             nullptr, nullptr, 0, stream));
        CHECK_STATUS(cuStreamSynchronize(stream), CUDA_ERROR_ILLEGAL_ADDRESS);
        CHECK(contains(err.text(), "C "));
        CHECK_LT(p.matmul(), CUBLAS_STATUS_EXECUTION_FAILED);  // the context is poisoned
    }
    selftest::reset();
    CUstream fresh = nullptr;
    OK(cuStreamCreate(&fresh, CU_STREAM_NON_BLOCKING));
    stream = fresh;
    Problem8 p;
    LT_OK(p.matmul());
    CHECK(p.d0() == 8.0f);
}

/** The verbose trace: a child process with TJEMU_VERBOSE=1 runs one matmul; its stderr has a line per call. */
void verbose_trace(const char* self) {
    Section s("TJEMU_VERBOSE: one line per call");
    int fds[2];
    CHECK(pipe(fds) == 0);
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        setenv("TJEMU_VERBOSE", "1", 1);
        execl(self, self, "--verbose-child", (char*)nullptr);
        _exit(127);
    }
    close(fds[1]);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) text.append(buf, (size_t)n);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(contains(text, "cuBLASLt cublasLtCreate"));
    CHECK(contains(text, "cuBLASLt cublasLtMatmul(m=8 n=8 k=8"));
    CHECK(contains(text, "-> CUBLAS_STATUS_SUCCESS"));
}

int verbose_child() {
    selftest::context();
    cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING);
    if (cublasLtCreate(&handle) != CUBLAS_STATUS_SUCCESS) return 1;
    Problem8 p;
    if (p.matmul() != CUBLAS_STATUS_SUCCESS) return 1;
    return cuStreamSynchronize(stream) == CUDA_SUCCESS ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "--verbose-child") == 0) return verbose_child();
    status_names();
    no_context();
    selftest::context();
    OK(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
    LT_OK(cublasLtCreate(&handle));
    handles();
    attributes();
    heuristics();
    algorithms();
    workspace();
    alignment();
    configurations();
    aliasing();
    ranges();
    faults();
    device_fault();
    LT_OK(cublasLtDestroy(handle));
    verbose_trace("/proc/self/exe");
    return selftest::finish("cublaslt_api");
}
