// The emulated cuBLASLt (libcublasLt.so.13): internal state shared by the files of cublaslt/.
//
// Emulates the cuBLASLt matmul API as declared in NVIDIA's cublasLt.h (the nvidia_cublas 13.x wheel)
// and documented in the cuBLAS library guide, chapter 3 "Using the cuBLASLt API"
// (https://docs.nvidia.com/cuda/cublas/index.html#using-the-cublaslt-api; sections are cited by
// their number there, e.g. "3.4.17 cublasLtMatmul()"). Where the documentation leaves a case open,
// the emulator takes the strictest reasonable reading; each such choice is marked "Strict:".
//
// Objects. The handle and the three descriptor kinds are heap objects with a magic tag. Every call
// looks its arguments up in the live set before touching them, so a NULL, foreign or destroyed
// pointer is an error with a message, never a crash. Destroyed objects stay allocated (tag changed)
// in a bounded quarantine, so their addresses are not reused soon and a stale pointer is reported as
// "destroyed" rather than silently taken for a newer object.
//
// Execution. cublasLtMatmul validates everything on the calling thread, then queues one
// tjemu::Work on the stream with every device range it touches; the computation (compute.cpp)
// runs on the emulated device thread from a by-value copy of the problem, so the descriptors may be
// destroyed as soon as the call returns.
#pragma once

#include <cublasLt.h>

#include "tjemu.h"

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#define TJLT_API extern "C" __attribute__((visibility("default")))

// The handle type cublasLt.h only declares.
struct cublasLtContext {
    uint64_t magic;
    uint64_t serial;
};

namespace tjemu::lt {

constexpr uint64_t kHandleMagic = 0x544a4c5448414e44ull;  // "TJLTHAND"
constexpr uint64_t kDescMagic = 0x544a4c544d44534bull;    // "TJLTMDSK"
constexpr uint64_t kLayoutMagic = 0x544a4c544c41594full;  // "TJLTLAYO"
constexpr uint64_t kPrefMagic = 0x544a4c5450524546ull;    // "TJLTPREF"
constexpr uint64_t kDeadMagic = 0x4445414444454144ull;    // "DEADDEAD"

/** cublasLtMatrixLayout_t contents (3.3.19 cublasLtMatrixLayoutAttribute_t; defaults as documented). */
struct Layout {
    uint64_t magic = kLayoutMagic;
    uint64_t serial = 0;
    uint32_t type = 0;                         // CUBLASLT_MATRIX_LAYOUT_TYPE, cudaDataType
    int32_t order = CUBLASLT_ORDER_COL;        // CUBLASLT_MATRIX_LAYOUT_ORDER
    uint64_t rows = 0, cols = 0;               // CUBLASLT_MATRIX_LAYOUT_ROWS / COLS
    int64_t ld = 0;                            // CUBLASLT_MATRIX_LAYOUT_LD
    int32_t batch_count = 1;                   // CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT
    int64_t batch_stride = 0;                  // CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET (elements)
    int64_t plane_offset = 0;                  // CUBLASLT_MATRIX_LAYOUT_PLANE_OFFSET
    uint32_t batch_mode = CUBLASLT_BATCH_MODE_STRIDED;  // CUBLASLT_MATRIX_LAYOUT_BATCH_MODE
};

/** cublasLtMatmulDesc_t contents (3.3.9 cublasLtMatmulDescAttributes_t; defaults as documented). */
struct MatmulDesc {
    uint64_t magic = kDescMagic;
    uint64_t serial = 0;
    int32_t compute_type = 0;
    int32_t scale_type = 0;
    int32_t pointer_mode = CUBLASLT_POINTER_MODE_HOST;
    int32_t transa = CUBLAS_OP_N, transb = CUBLAS_OP_N, transc = CUBLAS_OP_N;
    int32_t fill_mode = CUBLAS_FILL_MODE_FULL;
    uint32_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
    const void* bias_pointer = nullptr;
    int64_t bias_batch_stride = 0;
    void* aux_pointer = nullptr;
    int64_t aux_ld = 0;
    int64_t aux_batch_stride = 0;
    int64_t alpha_vector_batch_stride = 0;
    int32_t sm_count_target = 0;
    const void* a_scale_pointer = nullptr;
    const void* b_scale_pointer = nullptr;
    const void* c_scale_pointer = nullptr;
    const void* d_scale_pointer = nullptr;
    void* amax_d_pointer = nullptr;
    int32_t aux_data_type = -1;
    void* aux_scale_pointer = nullptr;
    void* aux_amax_pointer = nullptr;
    int8_t fast_accum = 0;
    int32_t bias_data_type = -1;
    int32_t a_scale_mode = 0, b_scale_mode = 0, c_scale_mode = 0, d_scale_mode = 0, aux_scale_mode = 0;
    void* d_out_scale_pointer = nullptr;
    int32_t d_out_scale_mode = 0;
    cublasLtEmulationDesc_t emulation_desc = nullptr;
};

/** cublasLtMatmulPreference_t contents (3.3.13 cublasLtMatmulPreferenceAttributes_t; documented defaults). */
struct Preference {
    uint64_t magic = kPrefMagic;
    uint64_t serial = 0;
    uint32_t search_mode = CUBLASLT_SEARCH_BEST_FIT;
    uint64_t max_workspace = 0;  // "Default is 0 (no workspace memory allowed)"
    uint32_t reduction_mask = CUBLASLT_REDUCTION_SCHEME_MASK;
    uint32_t align_a = 256, align_b = 256, align_c = 256, align_d = 256;
    float max_waves = 0.0f;
    uint64_t impl_mask = ~uint64_t(0);
};

// ---- registry (objects.cpp) ----

/** One lock for the whole library: calls are short, the computation runs on the device thread. */
std::recursive_mutex& lock();
cublasLtContext* live_handle(const void* p);
MatmulDesc* live_desc(const void* p);
Layout* live_layout(const void* p);
Preference* live_pref(const void* p);
/** Why `p` is not a live object of kind `what` ("NULL", "destroyed", "never created", "a layout, not a ..."). */
std::string why_not_live(const void* p, const char* what);

// ---- diagnostics (objects.cpp) ----

const char* status_name(cublasStatus_t s);
std::string hex(uintptr_t v);
/** Reports "cuBLASLt FN: STATUS: message" on stderr and returns `code` (also traced when verbose). */
cublasStatus_t fail(cublasStatus_t code, const std::string& fn, const std::string& message);
/** Logs one line for the call when TJEMU_VERBOSE is set; returns `code`. */
cublasStatus_t traced(const std::string& call, cublasStatus_t code);
std::string type_name(int32_t cuda_data_type);
std::string op_name(int32_t op);
std::string epilogue_name(uint32_t e);
std::string order_name(int32_t order);

// ---- the problem (problem.cpp) ----

/** A matrix's storage: element (r, c) of batch b is at element offset r*row_step + c*col_step + b*batch_stride. */
struct Matrix {
    cudaDataType_t type = CUDA_R_32F;
    size_t elem = 4;          // bytes per element
    int32_t order = CUBLASLT_ORDER_COL;
    uint64_t rows = 0, cols = 0;
    int64_t ld = 0;
    int32_t batch = 1;
    int64_t batch_stride = 0;
    int64_t row_step = 0, col_step = 0;
    /** Byte extent touched by the whole batch: starts `first` bytes (<= 0) from the pointer, spans `bytes`. */
    int64_t first = 0;
    uint64_t bytes = 0;
    bool operator==(const Matrix& o) const;
};

/** Everything cublasLtMatmul computes, validated and copied out of the descriptors. */
struct Problem {
    cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
    cudaDataType_t scale = CUDA_R_32F;
    int32_t pointer_mode = CUBLASLT_POINTER_MODE_HOST;
    int64_t alpha_vector_batch_stride = 0;
    bool trans_a = false, trans_b = false;
    uint32_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
    bool bias = false, relu = false, gelu = false;
    cudaDataType_t bias_type = CUDA_R_32F;
    int64_t bias_batch_stride = 0;
    uint64_t m = 0, n = 0, k = 0;
    int32_t batch = 1;
    int32_t sm_count = 132;
    Matrix a, b, c, d;
    bool c_is_d_layout = false;  // Cdesc was NULL ("assumes it to be equal to Ddesc") or has Ddesc's contents
};

/** A validation failure: the status and what to tell the caller. */
struct Check {
    cublasStatus_t code = CUBLAS_STATUS_SUCCESS;
    std::string message;
    explicit operator bool() const { return code != CUBLAS_STATUS_SUCCESS; }
};

/**
 * Validates the descriptor and the layouts (all live; C may be NULL) as cublasLtMatmul and
 * cublasLtMatmulAlgoGetHeuristic need them and fills `out`. INVALID_VALUE for impossible or
 * inconsistent configurations, NOT_SUPPORTED for documented configurations the emulator (or the
 * emulated Hopper GPU) does not run.
 */
Check build_problem(const MatmulDesc& desc, const Layout& a, const Layout& b, const Layout* c, const Layout& d,
                             Problem& out);
/** 64-bit fingerprint of everything that defines the problem (not the pointers). */
uint64_t fingerprint(const Problem& p);
/** Element size of a supported data type, 0 for any other. */
size_t element_size(int32_t type);
/** One-line summary for messages and the verbose trace: "m=.. n=.. k=.. batch=.. A f16 col T ...". */
std::string describe(const Problem& p);

// ---- emulated algorithms (heuristic.cpp) ----

/** What an emulated algorithm is, as packed into cublasLtMatmulAlgo_t::data. */
struct Algo {
    uint32_t id = 0;              // 0: no workspace; 1: split-K, reduction in the workspace
    uint64_t workspace = 0;       // bytes it needs
    uint64_t problem = 0;         // fingerprint of the problem it was chosen for
    uint32_t align_a = 256, align_b = 256, align_c = 256, align_d = 256, align_bias = 256;  // alignment it assumes
    float waves = 1.0f;
};

void pack(const Algo& a, cublasLtMatmulAlgo_t* out);
/** "" and fills `out` when `in` is an algorithm made by this library, else why not. */
std::string unpack(const cublasLtMatmulAlgo_t& in, Algo& out);
/**
 * The emulated heuristic: the algorithms for `p` that `pref` allows, best first (at most `max`).
 * `bias_pointer` is CUBLASLT_MATMUL_DESC_BIAS_POINTER's value, whose alignment an algorithm may assume.
 */
std::vector<Algo> heuristic(const Problem& p, const Preference& pref, const void* bias_pointer, int max);
/** Largest power of two dividing `p`, at most 256 (NULL: 256). */
uint32_t pointer_alignment(const void* p);

// ---- the computation (compute.cpp) ----

/** Pointers and scalars of one queued matmul. */
struct Operands {
    uintptr_t a = 0, b = 0, c = 0, d = 0, bias = 0, workspace = 0;
    uint64_t workspace_bytes = 0;
    float alpha = 1.0f, beta = 0.0f;   // host pointer mode: read at the call
    uintptr_t alpha_ptr = 0, beta_ptr = 0;  // device pointer modes: read when it runs
    bool read_c = true;                // false when beta is known to be 0 (C "does not have to be a valid input")
    bool nan = false;                  // fault injection "nan:cublasLtMatmul"
};

/** Runs on the device thread. Throws tjemu::DeviceFault for what can only be found then (device-mode beta != 0 with a bad C). */
void run_matmul(const Problem& p, const Operands& o);

/** Byte ranges [first, last) covered by a matrix's elements, one per contiguous column (col) or row (row) and batch. */
std::vector<std::pair<uint64_t, uint64_t>> element_spans(const Matrix& m, uintptr_t base);
/** Whether two matrices (or a matrix and a plain range) share any byte. */
bool spans_overlap(std::vector<std::pair<uint64_t, uint64_t>> x, std::vector<std::pair<uint64_t, uint64_t>> y);

}  // namespace tjemu::lt
