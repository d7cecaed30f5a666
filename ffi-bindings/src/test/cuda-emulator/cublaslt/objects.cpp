// Emulated cuBLASLt objects: the handle (cublasLtCreate, cublasLtDestroy), the matmul descriptor,
// matrix layouts and matmul preferences (Create, Destroy, SetAttribute, GetAttribute), the version
// and status-name functions, and the diagnostics every other file uses. From NVIDIA's cublasLt.h and
// the cuBLAS guide, chapter 3 (https://docs.nvidia.com/cuda/cublas/index.html#using-the-cublaslt-api):
//  - 3.4.1 cublasLtCreate: INVALID_VALUE for a NULL output pointer; NOT_INITIALIZED on "an error in
//    the CUDA Runtime API called by the cuBLASLt routine, or an error in the hardware setup". The
//    context "is tied to the current CUDA device ... the device must be set as the current before
//    invoking cuBLASLt functions". Strict: the emulator requires a current CUDA context at
//    cublasLtCreate (NVIDIA's runtime-based library would make device 0's primary context current
//    by itself), so a caller that never made one current is caught at the first call. The handle
//    records no context (3.3.3: "a cuBLASLt handle is not tied to any particular CUDA context").
//  - 3.4.2 cublasLtDestroy: INVALID_VALUE for NULL, NOT_INITIALIZED for a handle that is not (or no
//    longer) initialized; it "will implicitly call cudaDeviceSynchronize()": cuCtxSynchronize here.
//  - 3.4.29/3.4.41/3.4.34 *SetAttribute: INVALID_VALUE "if buf is NULL or sizeInBytes doesn't match
//    the size of the internal storage for the selected attribute"; an attribute the header does not
//    define is INVALID_VALUE too. Values are not range-checked here (the pages list no other error);
//    cublasLtMatmul and cublasLtMatmulAlgoGetHeuristic check them.
//  - 3.4.28/3.4.40/3.4.33 *GetAttribute: INVALID_VALUE "if sizeInBytes is 0 and sizeWritten is NULL,
//    or if sizeInBytes is non-zero and buf is NULL, or sizeInBytes doesn't match"; with sizeInBytes 0
//    *sizeWritten is the size needed.
//  - 3.4.27/3.4.39/3.4.32 descriptor Destroy lists only SUCCESS: destroying NULL succeeds (as NVIDIA's
//    13.1 library does). Strict: destroying an already destroyed or foreign pointer is INVALID_VALUE
//    (a double free in NVIDIA's library). Create with a NULL output pointer is INVALID_VALUE (as NVIDIA's).
//  - 3.4.10 cublasLtGetVersion: the version of the headers built against (CUBLAS_VERSION);
//    3.4.6/3.4.7 status name and description of every cublasStatus_t (the descriptions shorten 2.2.2's
//    meanings); for a value that is no cublasStatus_t both are "unrecognized status", what NVIDIA's 13.1
//    library answers (the pages do not say). Never NULL.
//  - Strict: only the attributes cublasLt.h defines are accepted (NVIDIA's 13.1 library also takes an
//    undeclared matmul descriptor attribute 16).
#include "lt_emu.h"

#if __has_include(<cuda_runtime_api.h>)
#include <cuda_runtime_api.h>  // CUDART_VERSION
#endif

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>

namespace tjemu::lt {

namespace {

enum class Kind { handle, desc, layout, pref };

const char* kind_name(Kind k) {
    switch (k) {
    case Kind::handle: return "cuBLASLt handle";
    case Kind::desc: return "matmul descriptor";
    case Kind::layout: return "matrix layout";
    case Kind::pref: return "matmul preference";
    }
    return "object";
}

struct Registry {
    std::map<const void*, Kind> live;
    std::map<const void*, Kind> destroyed;  // in the quarantine below
    std::deque<std::pair<void*, Kind>> quarantine;
    uint64_t next_serial = 1;
};

Registry& registry() {
    static Registry r;
    return r;
}

constexpr size_t kQuarantine = 1 << 16;

void release(void* p, Kind k) {
    switch (k) {
    case Kind::handle: delete static_cast<cublasLtContext*>(p); break;
    case Kind::desc: delete static_cast<MatmulDesc*>(p); break;
    case Kind::layout: delete static_cast<Layout*>(p); break;
    case Kind::pref: delete static_cast<Preference*>(p); break;
    }
}

template <typename T>
T* make(Kind k) {
    T* t = new T{};
    t->serial = registry().next_serial++;
    registry().live[t] = k;
    return t;
}

/** Marks a live object destroyed: its tag changes, its memory is kept for a while so the address is not reused. */
template <typename T>
void retire(T* t, Kind k) {
    Registry& r = registry();
    r.live.erase(t);
    t->magic = kDeadMagic;
    r.destroyed[t] = k;
    r.quarantine.emplace_back(t, k);
    if (r.quarantine.size() > kQuarantine) {
        auto [old, kind] = r.quarantine.front();
        r.quarantine.pop_front();
        r.destroyed.erase(old);
        release(old, kind);
    }
}

template <typename T>
T* find(const void* p, Kind k, uint64_t magic) {
    auto it = registry().live.find(p);
    if (it == registry().live.end() || it->second != k) return nullptr;
    T* t = static_cast<T*>(const_cast<void*>(p));
    return t->magic == magic ? t : nullptr;
}

// ---- attribute tables ----

/** One settable attribute: its enum value, name, documented size and where it lives in the object. */
struct Field {
    int attr;
    const char* name;
    size_t size;
    size_t offset;
};

#define FIELD(T, attr, member, ctype)                                                                    \
    Field { (int)(attr), #attr, sizeof(ctype), offsetof(T, member) }
#define CHECKED(T, member, ctype) static_assert(sizeof(T::member) == sizeof(ctype), #member " has the wrong size")

// The types are those cublasLt.h gives each attribute (3.3.9, 3.3.19, 3.3.13 agree).
CHECKED(MatmulDesc, compute_type, int32_t);
CHECKED(MatmulDesc, epilogue, uint32_t);
CHECKED(MatmulDesc, bias_pointer, void*);
CHECKED(MatmulDesc, fast_accum, int8_t);
CHECKED(MatmulDesc, emulation_desc, cublasLtEmulationDesc_t);
const Field desc_fields[] = {
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE, compute_type, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_SCALE_TYPE, scale_type, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_POINTER_MODE, pointer_mode, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_TRANSA, transa, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_TRANSB, transb, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_TRANSC, transc, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_FILL_MODE, fill_mode, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_EPILOGUE, epilogue, uint32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, bias_pointer, void*),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE, bias_batch_stride, int64_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_POINTER, aux_pointer, void*),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_LD, aux_ld, int64_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_BATCH_STRIDE, aux_batch_stride, int64_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_ALPHA_VECTOR_BATCH_STRIDE, alpha_vector_batch_stride, int64_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_SM_COUNT_TARGET, sm_count_target, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, a_scale_pointer, void*),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, b_scale_pointer, void*),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_C_SCALE_POINTER, c_scale_pointer, void*),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_D_SCALE_POINTER, d_scale_pointer, void*),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_AMAX_D_POINTER, amax_d_pointer, void*),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_DATA_TYPE, aux_data_type, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_SCALE_POINTER, aux_scale_pointer, void*),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_AMAX_POINTER, aux_amax_pointer, void*),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_FAST_ACCUM, fast_accum, int8_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, bias_data_type, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, a_scale_mode, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, b_scale_mode, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_C_SCALE_MODE, c_scale_mode, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_D_SCALE_MODE, d_scale_mode, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_SCALE_MODE, aux_scale_mode, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_D_OUT_SCALE_POINTER, d_out_scale_pointer, void*),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_D_OUT_SCALE_MODE, d_out_scale_mode, int32_t),
    FIELD(MatmulDesc, CUBLASLT_MATMUL_DESC_EMULATION_DESCRIPTOR, emulation_desc, cublasLtEmulationDesc_t),
};

CHECKED(Layout, type, uint32_t);
CHECKED(Layout, rows, uint64_t);
CHECKED(Layout, ld, int64_t);
CHECKED(Layout, batch_count, int32_t);
const Field layout_fields[] = {
    FIELD(Layout, CUBLASLT_MATRIX_LAYOUT_TYPE, type, uint32_t),
    FIELD(Layout, CUBLASLT_MATRIX_LAYOUT_ORDER, order, int32_t),
    FIELD(Layout, CUBLASLT_MATRIX_LAYOUT_ROWS, rows, uint64_t),
    FIELD(Layout, CUBLASLT_MATRIX_LAYOUT_COLS, cols, uint64_t),
    FIELD(Layout, CUBLASLT_MATRIX_LAYOUT_LD, ld, int64_t),
    FIELD(Layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, batch_count, int32_t),
    FIELD(Layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, batch_stride, int64_t),
    FIELD(Layout, CUBLASLT_MATRIX_LAYOUT_PLANE_OFFSET, plane_offset, int64_t),
    FIELD(Layout, CUBLASLT_MATRIX_LAYOUT_BATCH_MODE, batch_mode, uint32_t),
};

CHECKED(Preference, max_workspace, uint64_t);
CHECKED(Preference, max_waves, float);
const Field pref_fields[] = {
    FIELD(Preference, CUBLASLT_MATMUL_PREF_SEARCH_MODE, search_mode, uint32_t),
    FIELD(Preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, max_workspace, uint64_t),
    FIELD(Preference, CUBLASLT_MATMUL_PREF_REDUCTION_SCHEME_MASK, reduction_mask, uint32_t),
    FIELD(Preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, align_a, uint32_t),
    FIELD(Preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, align_b, uint32_t),
    FIELD(Preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, align_c, uint32_t),
    FIELD(Preference, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, align_d, uint32_t),
    FIELD(Preference, CUBLASLT_MATMUL_PREF_MAX_WAVES_COUNT, max_waves, float),
    FIELD(Preference, CUBLASLT_MATMUL_PREF_IMPL_MASK, impl_mask, uint64_t),
};

#undef FIELD
#undef CHECKED

template <size_t N>
const Field* field(const Field (&table)[N], int attr) {
    for (const Field& f : table)
        if (f.attr == attr) return &f;
    return nullptr;
}

template <size_t N>
cublasStatus_t set_field(const char* fn, void* object, const void* handle, const Field (&table)[N], int attr,
                         const void* buf, size_t size) {
    const std::string call = std::string(fn) + "(" + hex((uintptr_t)handle) + ", attr " + std::to_string(attr) + ")";
    const Field* f = field(table, attr);
    if (f == nullptr)
        return fail(CUBLAS_STATUS_INVALID_VALUE, call, "attribute " + std::to_string(attr) + " is not one cublasLt.h defines for this descriptor");
    if (buf == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, std::string(fn) + "(" + f->name + ")", "buf is NULL");
    if (size != f->size)
        return fail(CUBLAS_STATUS_INVALID_VALUE, std::string(fn) + "(" + f->name + ")",
                    "sizeInBytes is " + std::to_string(size) + " but the attribute's type is " + std::to_string(f->size) +
                        " bytes (cublasLt.h)");
    std::memcpy(static_cast<char*>(object) + f->offset, buf, f->size);
    if (verbose()) {
        uint64_t v = 0;
        std::memcpy(&v, buf, f->size < 8 ? f->size : 8);
        traced(std::string(fn) + "(" + hex((uintptr_t)handle) + ", " + f->name + ", " + std::to_string(v) + ")",
               CUBLAS_STATUS_SUCCESS);
    }
    return CUBLAS_STATUS_SUCCESS;
}

template <size_t N>
cublasStatus_t get_field(const char* fn, const void* object, const void* handle, const Field (&table)[N], int attr,
                         void* buf, size_t size, size_t* written) {
    const std::string call = std::string(fn) + "(" + hex((uintptr_t)handle) + ", attr " + std::to_string(attr) + ")";
    const Field* f = field(table, attr);
    if (f == nullptr)
        return fail(CUBLAS_STATUS_INVALID_VALUE, call, "attribute " + std::to_string(attr) + " is not one cublasLt.h defines for this descriptor");
    if (size == 0) {
        if (written == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "sizeInBytes is 0 and sizeWritten is NULL");
        *written = f->size;  // "if sizeInBytes is 0: number of bytes needed to write full contents"
        return CUBLAS_STATUS_SUCCESS;
    }
    if (buf == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "sizeInBytes is non-zero and buf is NULL");
    if (size != f->size)
        return fail(CUBLAS_STATUS_INVALID_VALUE, std::string(fn) + "(" + f->name + ")",
                    "sizeInBytes is " + std::to_string(size) + " but the attribute's type is " + std::to_string(f->size) + " bytes");
    std::memcpy(buf, static_cast<const char*>(object) + f->offset, f->size);
    if (written) *written = f->size;
    return CUBLAS_STATUS_SUCCESS;
}

}  // namespace

std::recursive_mutex& lock() {
    static std::recursive_mutex m;
    return m;
}

cublasLtContext* live_handle(const void* p) { return find<cublasLtContext>(p, Kind::handle, kHandleMagic); }
MatmulDesc* live_desc(const void* p) { return find<MatmulDesc>(p, Kind::desc, kDescMagic); }
Layout* live_layout(const void* p) { return find<Layout>(p, Kind::layout, kLayoutMagic); }
Preference* live_pref(const void* p) { return find<Preference>(p, Kind::pref, kPrefMagic); }

std::string why_not_live(const void* p, const char* what) {
    if (p == nullptr) return std::string(what) + " is NULL";
    const Registry& r = registry();
    if (auto it = r.destroyed.find(p); it != r.destroyed.end())
        return std::string(what) + " " + hex((uintptr_t)p) + " is a " + kind_name(it->second) + " that was already destroyed";
    if (auto it = r.live.find(p); it != r.live.end())
        return std::string(what) + " " + hex((uintptr_t)p) + " is a " + kind_name(it->second) + ", not a " + what;
    return std::string(what) + " " + hex((uintptr_t)p) + " was never created by this cuBLASLt";
}

const char* status_name(cublasStatus_t s) {
    // No default: -Wswitch names any status of cublas_api.h missing here.
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
    }
    return "unrecognized status";
}

namespace {
/** The meanings of 2.2.2 cublasStatus_t, shortened. */
const char* status_string(cublasStatus_t s) {
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "the operation completed successfully";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
    case CUBLAS_STATUS_ALLOC_FAILED: return "resource allocation failed inside the library";
    case CUBLAS_STATUS_INVALID_VALUE: return "an unsupported value or parameter was passed to the function";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "the function requires a feature absent from the device architecture";
    case CUBLAS_STATUS_MAPPING_ERROR: return "an access to GPU memory space failed";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "the GPU program failed to execute";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "an internal operation failed";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "the functionality requested is not supported";
    case CUBLAS_STATUS_LICENSE_ERROR: return "the functionality requested requires a license and an error was detected when checking it";
    }
    return "unrecognized status";
}
}  // namespace

std::string hex(uintptr_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
    return buf;
}

cublasStatus_t fail(cublasStatus_t code, const std::string& fn, const std::string& message) {
    tjemu::report("cuBLASLt " + fn + ": " + status_name(code) + ": " + message);
    return code;
}

cublasStatus_t traced(const std::string& call, cublasStatus_t code) {
    if (tjemu::verbose()) tjemu::report("cuBLASLt " + call + " -> " + status_name(code));
    return code;
}

std::string type_name(int32_t t) {
    switch (t) {
    case CUDA_R_16F: return "CUDA_R_16F";
    case CUDA_R_16BF: return "CUDA_R_16BF";
    case CUDA_R_32F: return "CUDA_R_32F";
    case CUDA_R_64F: return "CUDA_R_64F";
    case CUDA_R_8I: return "CUDA_R_8I";
    case CUDA_R_32I: return "CUDA_R_32I";
    case CUDA_R_8F_E4M3: return "CUDA_R_8F_E4M3";
    case CUDA_R_8F_E5M2: return "CUDA_R_8F_E5M2";
    case CUDA_C_32F: return "CUDA_C_32F";
    case CUDA_C_16F: return "CUDA_C_16F";
    default: return "cudaDataType " + std::to_string(t);
    }
}

std::string op_name(int32_t op) {
    switch (op) {
    case CUBLAS_OP_N: return "N";
    case CUBLAS_OP_T: return "T";
    case CUBLAS_OP_C: return "C";
    default: return "cublasOperation_t " + std::to_string(op);
    }
}

std::string epilogue_name(uint32_t e) {
    switch (e) {
    case CUBLASLT_EPILOGUE_DEFAULT: return "CUBLASLT_EPILOGUE_DEFAULT";
    case CUBLASLT_EPILOGUE_RELU: return "CUBLASLT_EPILOGUE_RELU";
    case CUBLASLT_EPILOGUE_RELU_AUX: return "CUBLASLT_EPILOGUE_RELU_AUX";
    case CUBLASLT_EPILOGUE_BIAS: return "CUBLASLT_EPILOGUE_BIAS";
    case CUBLASLT_EPILOGUE_RELU_BIAS: return "CUBLASLT_EPILOGUE_RELU_BIAS";
    case CUBLASLT_EPILOGUE_RELU_AUX_BIAS: return "CUBLASLT_EPILOGUE_RELU_AUX_BIAS";
    case CUBLASLT_EPILOGUE_DRELU: return "CUBLASLT_EPILOGUE_DRELU";
    case CUBLASLT_EPILOGUE_DRELU_BGRAD: return "CUBLASLT_EPILOGUE_DRELU_BGRAD";
    case CUBLASLT_EPILOGUE_GELU: return "CUBLASLT_EPILOGUE_GELU";
    case CUBLASLT_EPILOGUE_GELU_AUX: return "CUBLASLT_EPILOGUE_GELU_AUX";
    case CUBLASLT_EPILOGUE_GELU_BIAS: return "CUBLASLT_EPILOGUE_GELU_BIAS";
    case CUBLASLT_EPILOGUE_GELU_AUX_BIAS: return "CUBLASLT_EPILOGUE_GELU_AUX_BIAS";
    case CUBLASLT_EPILOGUE_DGELU: return "CUBLASLT_EPILOGUE_DGELU";
    case CUBLASLT_EPILOGUE_DGELU_BGRAD: return "CUBLASLT_EPILOGUE_DGELU_BGRAD";
    case CUBLASLT_EPILOGUE_BGRADA: return "CUBLASLT_EPILOGUE_BGRADA";
    case CUBLASLT_EPILOGUE_BGRADB: return "CUBLASLT_EPILOGUE_BGRADB";
    default: return "epilogue " + std::to_string(e);
    }
}

std::string order_name(int32_t o) {
    switch (o) {
    case CUBLASLT_ORDER_COL: return "col";
    case CUBLASLT_ORDER_ROW: return "row";
    case CUBLASLT_ORDER_COL32: return "CUBLASLT_ORDER_COL32";
    case CUBLASLT_ORDER_COL4_4R2_8C: return "CUBLASLT_ORDER_COL4_4R2_8C";
    case CUBLASLT_ORDER_COL32_2R_4R4: return "CUBLASLT_ORDER_COL32_2R_4R4";
    default: return "order " + std::to_string(o);
    }
}

}  // namespace tjemu::lt

using namespace tjemu::lt;
using Guard = std::lock_guard<std::recursive_mutex>;

// ---- library ---------------------------------------------------------------------------------

TJLT_API size_t CUBLASWINAPI cublasLtGetVersion(void) { return CUBLAS_VERSION; }

#ifdef CUDART_VERSION
TJLT_API size_t CUBLASWINAPI cublasLtGetCudartVersion(void) { return CUDART_VERSION; }
#endif

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtGetProperty(libraryPropertyType type, int* value) {
    if (value == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasLtGetProperty", "value is NULL");
    switch (type) {
    case MAJOR_VERSION: *value = CUBLAS_VER_MAJOR; return CUBLAS_STATUS_SUCCESS;
    case MINOR_VERSION: *value = CUBLAS_VER_MINOR; return CUBLAS_STATUS_SUCCESS;
    case PATCH_LEVEL: *value = CUBLAS_VER_PATCH; return CUBLAS_STATUS_SUCCESS;
    }
    return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasLtGetProperty", "unknown libraryPropertyType " + std::to_string((int)type));
}

TJLT_API const char* CUBLASWINAPI cublasLtGetStatusName(cublasStatus_t status) { return status_name(status); }

TJLT_API const char* CUBLASWINAPI cublasLtGetStatusString(cublasStatus_t status) { return status_string(status); }

// ---- handle ----------------------------------------------------------------------------------

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtCreate(cublasLtHandle_t* lightHandle) {
    Guard g(lock());
    const char* fn = "cublasLtCreate";
    if (lightHandle == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, "lightHandle (the output pointer) is NULL"));
    if (!tjemu::has_current_context())
        return traced(fn, fail(CUBLAS_STATUS_NOT_INITIALIZED, fn,
                               "no CUDA context is current on this thread (cuInit, then cuDevicePrimaryCtxRetain + "
                               "cuCtxSetCurrent, first): the cuBLASLt context is tied to the current device"));
    cublasLtContext* h = make<cublasLtContext>(Kind::handle);
    h->magic = kHandleMagic;
    *lightHandle = h;
    return traced(std::string(fn) + " = " + hex((uintptr_t)h), CUBLAS_STATUS_SUCCESS);
}

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtDestroy(cublasLtHandle_t lightHandle) {
    Guard g(lock());
    const std::string fn = "cublasLtDestroy(" + hex((uintptr_t)lightHandle) + ")";
    if (lightHandle == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, "lightHandle is NULL"));
    cublasLtContext* h = live_handle(lightHandle);
    if (h == nullptr) return traced(fn, fail(CUBLAS_STATUS_NOT_INITIALIZED, fn, why_not_live(lightHandle, "handle")));
    if (tjemu::has_current_context()) cuCtxSynchronize();  // "will implicitly call cudaDeviceSynchronize()"
    retire(h, Kind::handle);
    return traced(fn, CUBLAS_STATUS_SUCCESS);
}

// ---- matmul descriptor -----------------------------------------------------------------------

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatmulDescCreate(cublasLtMatmulDesc_t* matmulDesc, cublasComputeType_t computeType,
                                                              cudaDataType_t scaleType) {
    Guard g(lock());
    const std::string fn = "cublasLtMatmulDescCreate(compute " + std::to_string((int)computeType) + ", scale " + type_name(scaleType) + ")";
    if (matmulDesc == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, "matmulDesc (the output pointer) is NULL"));
    MatmulDesc* d = make<MatmulDesc>(Kind::desc);
    d->compute_type = (int32_t)computeType;  // checked when used: the page lists no error for a bad type
    d->scale_type = (int32_t)scaleType;
    *matmulDesc = reinterpret_cast<cublasLtMatmulDesc_t>(d);
    return traced(fn + " = " + hex((uintptr_t)d), CUBLAS_STATUS_SUCCESS);
}

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t matmulDesc) {
    Guard g(lock());
    const std::string fn = "cublasLtMatmulDescDestroy(" + hex((uintptr_t)matmulDesc) + ")";
    if (matmulDesc == nullptr) return traced(fn, CUBLAS_STATUS_SUCCESS);  // the page lists only SUCCESS
    MatmulDesc* d = live_desc(matmulDesc);
    if (d == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(matmulDesc, "matmul descriptor")));
    retire(d, Kind::desc);
    return traced(fn, CUBLAS_STATUS_SUCCESS);
}

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t matmulDesc, cublasLtMatmulDescAttributes_t attr,
                                                                    const void* buf, size_t sizeInBytes) {
    Guard g(lock());
    const char* fn = "cublasLtMatmulDescSetAttribute";
    MatmulDesc* d = live_desc(matmulDesc);
    if (d == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(matmulDesc, "matmul descriptor"));
    return set_field(fn, d, matmulDesc, desc_fields, (int)attr, buf, sizeInBytes);
}

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatmulDescGetAttribute(cublasLtMatmulDesc_t matmulDesc, cublasLtMatmulDescAttributes_t attr,
                                                                    void* buf, size_t sizeInBytes, size_t* sizeWritten) {
    Guard g(lock());
    const char* fn = "cublasLtMatmulDescGetAttribute";
    const MatmulDesc* d = live_desc(matmulDesc);
    if (d == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(matmulDesc, "matmul descriptor"));
    return get_field(fn, d, matmulDesc, desc_fields, (int)attr, buf, sizeInBytes, sizeWritten);
}

// ---- matrix layout ---------------------------------------------------------------------------

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t* matLayout, cudaDataType type, uint64_t rows,
                                                                uint64_t cols, int64_t ld) {
    Guard g(lock());
    const std::string fn = "cublasLtMatrixLayoutCreate(" + type_name(type) + ", " + std::to_string(rows) + "x" +
                           std::to_string(cols) + ", ld " + std::to_string(ld) + ")";
    if (matLayout == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, "matLayout (the output pointer) is NULL"));
    Layout* l = make<Layout>(Kind::layout);
    l->type = (uint32_t)type;  // type, shape and ld are checked where they are used (cublasLtMatmul)
    l->rows = rows;
    l->cols = cols;
    l->ld = ld;
    *matLayout = reinterpret_cast<cublasLtMatrixLayout_t>(l);
    return traced(fn + " = " + hex((uintptr_t)l), CUBLAS_STATUS_SUCCESS);
}

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t matLayout) {
    Guard g(lock());
    const std::string fn = "cublasLtMatrixLayoutDestroy(" + hex((uintptr_t)matLayout) + ")";
    if (matLayout == nullptr) return traced(fn, CUBLAS_STATUS_SUCCESS);  // the page lists only SUCCESS
    Layout* l = live_layout(matLayout);
    if (l == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(matLayout, "matrix layout")));
    retire(l, Kind::layout);
    return traced(fn, CUBLAS_STATUS_SUCCESS);
}

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatrixLayoutSetAttribute(cublasLtMatrixLayout_t matLayout, cublasLtMatrixLayoutAttribute_t attr,
                                                                      const void* buf, size_t sizeInBytes) {
    Guard g(lock());
    const char* fn = "cublasLtMatrixLayoutSetAttribute";
    Layout* l = live_layout(matLayout);
    if (l == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(matLayout, "matrix layout"));
    return set_field(fn, l, matLayout, layout_fields, (int)attr, buf, sizeInBytes);
}

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatrixLayoutGetAttribute(cublasLtMatrixLayout_t matLayout, cublasLtMatrixLayoutAttribute_t attr,
                                                                      void* buf, size_t sizeInBytes, size_t* sizeWritten) {
    Guard g(lock());
    const char* fn = "cublasLtMatrixLayoutGetAttribute";
    const Layout* l = live_layout(matLayout);
    if (l == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(matLayout, "matrix layout"));
    return get_field(fn, l, matLayout, layout_fields, (int)attr, buf, sizeInBytes, sizeWritten);
}

// ---- matmul preference -----------------------------------------------------------------------

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t* pref) {
    Guard g(lock());
    const char* fn = "cublasLtMatmulPreferenceCreate";
    if (pref == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, "pref (the output pointer) is NULL"));
    Preference* p = make<Preference>(Kind::pref);
    *pref = reinterpret_cast<cublasLtMatmulPreference_t>(p);
    return traced(std::string(fn) + " = " + hex((uintptr_t)p), CUBLAS_STATUS_SUCCESS);
}

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref) {
    Guard g(lock());
    const std::string fn = "cublasLtMatmulPreferenceDestroy(" + hex((uintptr_t)pref) + ")";
    if (pref == nullptr) return traced(fn, CUBLAS_STATUS_SUCCESS);  // the page lists only SUCCESS
    Preference* p = live_pref(pref);
    if (p == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(pref, "matmul preference")));
    retire(p, Kind::pref);
    return traced(fn, CUBLAS_STATUS_SUCCESS);
}

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t pref,
                                                                          cublasLtMatmulPreferenceAttributes_t attr, const void* buf,
                                                                          size_t sizeInBytes) {
    Guard g(lock());
    const char* fn = "cublasLtMatmulPreferenceSetAttribute";
    Preference* p = live_pref(pref);
    if (p == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(pref, "matmul preference"));
    return set_field(fn, p, pref, pref_fields, (int)attr, buf, sizeInBytes);
}

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatmulPreferenceGetAttribute(cublasLtMatmulPreference_t pref,
                                                                          cublasLtMatmulPreferenceAttributes_t attr, void* buf,
                                                                          size_t sizeInBytes, size_t* sizeWritten) {
    Guard g(lock());
    const char* fn = "cublasLtMatmulPreferenceGetAttribute";
    const Preference* p = live_pref(pref);
    if (p == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(pref, "matmul preference"));
    return get_field(fn, p, pref, pref_fields, (int)attr, buf, sizeInBytes, sizeWritten);
}
