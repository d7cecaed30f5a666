// Emulated cublasLtMatmul. From 3.4.17 cublasLtMatmul() of the cuBLAS guide
// (https://docs.nvidia.com/cuda/cublas/index.html#cublasltmatmul) and the CUDA 13.1 release notes:
//  - NOT_INITIALIZED "if cuBLASLt handle has not been initialized" (NULL, never created, destroyed, or
//    no CUDA context current to run on); INVALID_VALUE "if the parameters are unexpectedly NULL, in
//    conflict or in an impossible configuration. For example, when workspaceSizeInBytes is less than
//    workspace required by the configured algo"; NOT_SUPPORTED for configurations not implemented;
//    EXECUTION_FAILED "if CUDA reported an execution error from the device".
//  - algo NULL: "an implicit heuristics query with default search preferences will be performed"
//    (no workspace allowed, 256-byte alignment assumed); the fault site "cublasLt.heuristic" applies
//    to it as to cublasLtMatmulAlgoGetHeuristic (NOT_SUPPORTED).
//  - An algo from cublasLtMatmulAlgoGetHeuristic fits only the problem it was chosen for (its
//    descriptor attributes and layouts): another one is INVALID_VALUE (see heuristic.cpp).
//  - workspace: "Must be 256B aligned"; an algo that needs W bytes needs workspace != NULL and
//    workspaceSizeInBytes >= W. The declared workspace must lie in device memory. When the work runs
//    the W bytes it uses are filled with garbage, so a caller relying on their contents sees it.
//  - In-place "C == D and Cdesc == Ddesc"; since CUDA 13.0 Update 2 "C == D is allowed if and only if
//    Cdesc == Ddesc" (release notes; compared here by contents: type, order, rows, cols, ld, batch).
//    With beta == 0 C is not read: in host pointer mode C is then not checked at all; in a device
//    pointer mode "a distinct dummy pointer may still be passed", so C is checked only when the work
//    runs and beta turns out non-zero (a bad C is then a device fault, CUDA_ERROR_ILLEGAL_ADDRESS).
//  - alpha/beta: host pointer mode reads them at the call (2.1.5 "Scalar Parameters": they may be
//    freed after the call returns; a captured graph keeps the values, 2.1.12); device pointer modes
//    read them when the work runs.
// Strict choices, each reported with a message:
//  - A, B, C, D pointers must be aligned to their element size and to the alignment the algo assumes
//    (the preference's MIN_ALIGNMENT_*_BYTES when it was chosen, 256 for algo NULL); the bias pointer
//    to its element size and to its alignment at the heuristic query;
//  - D may not share a byte with A, B, the bias, alpha/beta vectors or the workspace, nor with C unless
//    C == D in place; the workspace may not overlap any input (it is scribbled before they are read).
// Every range (A, B, C, D, bias, alpha, beta, workspace, exact byte extents from the layouts, leading
// dimensions and batch strides) goes with the queued tjemu::Work: the driver refuses the call if one
// leaves its allocation (INVALID_VALUE here, with the driver's message naming the range) and checks
// them again when the work runs. The work copies the whole problem and all scalars by value: the
// descriptors may be destroyed as soon as this returns. Fault site "nan:cublasLtMatmul": the first
// element of D is NaN after the computation.
#include "lt_emu.h"

#include <algorithm>
#include <cstring>

using namespace tjemu::lt;

namespace {

struct Call {
    std::string fn;
    cublasStatus_t bad(cublasStatus_t code, const std::string& message) const { return traced(fn, fail(code, fn, message)); }
};

using Spans = std::vector<std::pair<uint64_t, uint64_t>>;

/** A vector of `len` floats or elements repeated over the batch with `stride`: its byte range. */
tjemu::Range vector_range(uintptr_t ptr, uint64_t len, int32_t batch, int64_t stride, size_t elem, const char* role) {
    const int64_t shift = (int64_t)(batch - 1) * stride;
    const int64_t lo = std::min<int64_t>(0, shift), hi = (int64_t)len - 1 + std::max<int64_t>(0, shift);
    if (len == 0) return tjemu::Range{(CUdeviceptr)ptr, 0, role};
    return tjemu::Range{(CUdeviceptr)(ptr + (intptr_t)(lo * (int64_t)elem)), (size_t)((hi - lo + 1) * (int64_t)elem), role};
}

tjemu::Range matrix_range(uintptr_t ptr, const Matrix& m, const char* role) {
    return tjemu::Range{(CUdeviceptr)(ptr + (intptr_t)m.first), (size_t)m.bytes, role};
}

bool ranges_touch(const tjemu::Range& a, const tjemu::Range& b) {
    return a.bytes > 0 && b.bytes > 0 && a.ptr < b.ptr + b.bytes && b.ptr < a.ptr + a.bytes;
}

Spans spans_of(const tjemu::Range& r) { return r.bytes ? Spans{{r.ptr, r.ptr + r.bytes}} : Spans{}; }

std::string where(const tjemu::Range& r) { return r.role + " [" + hex(r.ptr) + ", +" + std::to_string(r.bytes) + ")"; }

}  // namespace

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatmul(cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t computeDesc, const void* alpha,
                                                    const void* A, cublasLtMatrixLayout_t Adesc, const void* B, cublasLtMatrixLayout_t Bdesc,
                                                    const void* beta, const void* C, cublasLtMatrixLayout_t Cdesc, void* D,
                                                    cublasLtMatrixLayout_t Ddesc, const cublasLtMatmulAlgo_t* algo, void* workspace,
                                                    size_t workspaceSizeInBytes, cudaStream_t stream) {
    std::lock_guard<std::recursive_mutex> g(lock());
    Call c{"cublasLtMatmul"};
    if (live_handle(lightHandle) == nullptr) return c.bad(CUBLAS_STATUS_NOT_INITIALIZED, why_not_live(lightHandle, "handle"));
    const MatmulDesc* desc = live_desc(computeDesc);
    if (desc == nullptr) return c.bad(CUBLAS_STATUS_INVALID_VALUE, why_not_live(computeDesc, "computeDesc"));
    const std::pair<cublasLtMatrixLayout_t, const char*> layouts[] = {{Adesc, "Adesc"}, {Bdesc, "Bdesc"}, {Ddesc, "Ddesc"}};
    for (const auto& [l, name] : layouts)
        if (live_layout(l) == nullptr) return c.bad(CUBLAS_STATUS_INVALID_VALUE, why_not_live(l, name));
    if (Cdesc != nullptr && live_layout(Cdesc) == nullptr) return c.bad(CUBLAS_STATUS_INVALID_VALUE, why_not_live(Cdesc, "Cdesc"));
    if (!tjemu::has_current_context())
        return c.bad(CUBLAS_STATUS_NOT_INITIALIZED, "no CUDA context is current on this thread: there is no device to run on");

    Problem p;
    if (Check e = build_problem(*desc, *live_layout(Adesc), *live_layout(Bdesc), live_layout(Cdesc), *live_layout(Ddesc), p))
        return c.bad(e.code, e.message);
    c.fn += "(" + describe(p) + ")";

    // alpha and beta.
    Operands o;
    std::vector<tjemu::Range> scalars;
    const uint64_t scalar_rows = p.m;
    switch (p.pointer_mode) {
    case CUBLASLT_POINTER_MODE_HOST:
        if (alpha == nullptr) return c.bad(CUBLAS_STATUS_INVALID_VALUE, "alpha is NULL");
        if (beta == nullptr) return c.bad(CUBLAS_STATUS_INVALID_VALUE, "beta is NULL");
        std::memcpy(&o.alpha, alpha, 4);  // the scale type is CUDA_R_32F
        std::memcpy(&o.beta, beta, 4);
        o.read_c = o.beta != 0.0f;
        break;
    case CUBLASLT_POINTER_MODE_DEVICE:
        if (alpha == nullptr || beta == nullptr) return c.bad(CUBLAS_STATUS_INVALID_VALUE, "alpha or beta (device pointers) is NULL");
        o.alpha_ptr = (uintptr_t)alpha;
        o.beta_ptr = (uintptr_t)beta;
        scalars.push_back({(CUdeviceptr)alpha, 4, "alpha"});
        scalars.push_back({(CUdeviceptr)beta, 4, "beta"});
        break;
    case CUBLASLT_POINTER_MODE_DEVICE_VECTOR:
        if (alpha == nullptr || beta == nullptr) return c.bad(CUBLAS_STATUS_INVALID_VALUE, "alpha or beta (device vectors) is NULL");
        o.alpha_ptr = (uintptr_t)alpha;
        o.beta_ptr = (uintptr_t)beta;
        scalars.push_back(vector_range((uintptr_t)alpha, scalar_rows, 1, 0, 4, "alpha vector"));
        scalars.push_back(vector_range((uintptr_t)beta, scalar_rows, 1, 0, 4, "beta vector"));
        break;
    case CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_ZERO:
        if (alpha == nullptr) return c.bad(CUBLAS_STATUS_INVALID_VALUE, "alpha (a device vector) is NULL");
        o.alpha_ptr = (uintptr_t)alpha;
        o.beta = 0.0f;
        o.read_c = false;
        scalars.push_back(vector_range((uintptr_t)alpha, scalar_rows, 1, 0, 4, "alpha vector"));
        break;
    case CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_HOST:
        if (alpha == nullptr) return c.bad(CUBLAS_STATUS_INVALID_VALUE, "alpha (a device vector) is NULL");
        if (beta == nullptr) return c.bad(CUBLAS_STATUS_INVALID_VALUE, "beta (a host value) is NULL");
        o.alpha_ptr = (uintptr_t)alpha;
        std::memcpy(&o.beta, beta, 4);
        o.read_c = o.beta != 0.0f;
        scalars.push_back(vector_range((uintptr_t)alpha, scalar_rows, p.batch, p.alpha_vector_batch_stride, 4, "alpha vector"));
        break;
    }
    const bool host_beta = p.pointer_mode == CUBLASLT_POINTER_MODE_HOST || p.pointer_mode == CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_HOST ||
                           p.pointer_mode == CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_ZERO;
    const bool c_read_now = host_beta && o.read_c;  // known at the call that C is read

    // The algorithm.
    Algo chosen;
    if (algo == nullptr) {
        if (tjemu::fault("cublasLt.heuristic"))
            return c.bad(CUBLAS_STATUS_NOT_SUPPORTED, "algo is NULL and the implicit heuristic offers none (fault injected at cublasLt.heuristic)");
        const std::vector<Algo> found = heuristic(p, Preference{}, desc->bias_pointer, 1);
        if (found.empty()) return c.bad(CUBLAS_STATUS_NOT_SUPPORTED, "algo is NULL and the implicit heuristic (default preferences) offers none");
        chosen = found[0];
    } else {
        if (std::string why = unpack(*algo, chosen); !why.empty()) return c.bad(CUBLAS_STATUS_INVALID_VALUE, why);
        if (chosen.problem != fingerprint(p))
            return c.bad(CUBLAS_STATUS_INVALID_VALUE,
                         "algo was chosen by cublasLtMatmulAlgoGetHeuristic for a different problem: the matmul descriptor or a layout "
                         "(types, order, rows, cols, ld, batch, transposes, epilogue, pointer mode) differs from the one it was chosen for");
    }

    const bool empty = p.m == 0 || p.n == 0;
    o.a = (uintptr_t)A;
    o.b = (uintptr_t)B;
    o.c = (uintptr_t)C;
    o.d = (uintptr_t)D;
    o.bias = (uintptr_t)desc->bias_pointer;

    // Pointers: present, aligned to the element and to what the algorithm assumes.
    struct Operand {
        const char* name;
        uintptr_t ptr;
        size_t elem;
        uint32_t align;
        const char* pref;
        bool used;
    };
    const Operand operands[] = {
        {"A", o.a, p.a.elem, chosen.align_a, "CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES", !empty && p.k > 0},
        {"B", o.b, p.b.elem, chosen.align_b, "CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES", !empty && p.k > 0},
        {"C", o.c, p.c.elem, chosen.align_c, "CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES", !empty && c_read_now},
        {"D", o.d, p.d.elem, chosen.align_d, "CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES", !empty},
        {"bias (CUBLASLT_MATMUL_DESC_BIAS_POINTER)", o.bias, p.d.elem, chosen.align_bias, nullptr, !empty && p.bias},
    };
    for (const Operand& x : operands) {
        if (!x.used) continue;
        if (x.ptr == 0)
            return c.bad(CUBLAS_STATUS_INVALID_VALUE, std::string(x.name) + " is NULL" +
                                                          (p.bias && x.pref == nullptr ? " but the epilogue " + epilogue_name(p.epilogue) + " adds a bias" : ""));
        if (x.ptr % x.elem != 0)
            return c.bad(CUBLAS_STATUS_INVALID_VALUE, std::string(x.name) + " " + hex(x.ptr) + " is not aligned to its " + std::to_string(x.elem) + "-byte elements");
        if (x.ptr % x.align != 0)
            return c.bad(CUBLAS_STATUS_INVALID_VALUE,
                         std::string(x.name) + " " + hex(x.ptr) + " is not " + std::to_string(x.align) + "-byte aligned, which the algorithm assumes (" +
                             (x.pref ? std::string(x.pref) + " was " + std::to_string(x.align) + " when it was chosen" + (algo ? "" : ": the default, algo is NULL")
                                     : std::string("the bias pointer's alignment when cublasLtMatmulAlgoGetHeuristic ran")) +
                             "); 3.3.13: an algorithm may need the alignment the preference promised");
    }

    // Workspace.
    if (chosen.workspace > 0) {
        if (workspace == nullptr)
            return c.bad(CUBLAS_STATUS_INVALID_VALUE, "the algorithm needs " + std::to_string(chosen.workspace) + " bytes of workspace but workspace is NULL");
        if (workspaceSizeInBytes < chosen.workspace)
            return c.bad(CUBLAS_STATUS_INVALID_VALUE, "workspaceSizeInBytes " + std::to_string(workspaceSizeInBytes) +
                                                          " is less than the " + std::to_string(chosen.workspace) + " bytes the algorithm needs");
    }
    if (workspace != nullptr && (uintptr_t)workspace % 256 != 0)
        return c.bad(CUBLAS_STATUS_INVALID_VALUE, "workspace " + hex((uintptr_t)workspace) + " is not 256-byte aligned (\"Must be 256B aligned\")");
    o.workspace = (uintptr_t)workspace;
    o.workspace_bytes = empty ? 0 : chosen.workspace;

    // The ranges the work touches.
    std::vector<tjemu::Range> ranges;
    const tjemu::Range ra = matrix_range(o.a, p.a, "A"), rb = matrix_range(o.b, p.b, "B"), rc = matrix_range(o.c, p.c, "C"),
                       rd = matrix_range(o.d, p.d, "D");
    const tjemu::Range rbias = p.bias ? vector_range(o.bias, p.m, p.batch, p.bias_batch_stride, p.d.elem, "bias") : tjemu::Range{0, 0, "bias"};
    const tjemu::Range rws{(CUdeviceptr)workspace, workspace ? workspaceSizeInBytes : 0, "workspace"};
    if (!empty) {
        if (p.k > 0) {
            ranges.push_back(ra);
            ranges.push_back(rb);
        }
        if (c_read_now) ranges.push_back(rc);
        ranges.push_back(rd);
        if (p.bias) ranges.push_back(rbias);
        for (const tjemu::Range& s : scalars) ranges.push_back(s);
    }
    if (rws.bytes > 0) ranges.push_back(rws);

    // Aliasing.
    if (!empty) {
        if (o.c == o.d && !p.c_is_d_layout)
            return c.bad(CUBLAS_STATUS_INVALID_VALUE, "C == D (" + hex(o.d) + ") but Cdesc differs from Ddesc: \"C == D is allowed if and only if Cdesc == Ddesc\"");
        const Spans d_spans = element_spans(p.d, o.d);
        auto d_meets = [&](const tjemu::Range& r, const Spans& s) { return ranges_touch(rd, r) && spans_overlap(d_spans, s); };
        if (p.k > 0 && d_meets(ra, element_spans(p.a, o.a))) return c.bad(CUBLAS_STATUS_INVALID_VALUE, where(rd) + " overlaps " + where(ra) + ": the output may not alias an input");
        if (p.k > 0 && d_meets(rb, element_spans(p.b, o.b))) return c.bad(CUBLAS_STATUS_INVALID_VALUE, where(rd) + " overlaps " + where(rb) + ": the output may not alias an input");
        if (c_read_now && o.c != o.d && d_meets(rc, element_spans(p.c, o.c)))
            return c.bad(CUBLAS_STATUS_INVALID_VALUE, where(rd) + " overlaps " + where(rc) +
                                                          " without being C itself: in-place needs C == D and Cdesc == Ddesc, out-of-place distinct memory");
        if (p.bias && d_meets(rbias, spans_of(rbias))) return c.bad(CUBLAS_STATUS_INVALID_VALUE, where(rd) + " overlaps " + where(rbias));
        for (const tjemu::Range& s : scalars)
            if (d_meets(s, spans_of(s))) return c.bad(CUBLAS_STATUS_INVALID_VALUE, where(rd) + " overlaps " + where(s));
        if (o.workspace_bytes > 0) {
            const tjemu::Range used{(CUdeviceptr)workspace, (size_t)o.workspace_bytes, "workspace"};
            for (const tjemu::Range& r : ranges)
                if (r.role != "workspace" && ranges_touch(used, r))
                    return c.bad(CUBLAS_STATUS_INVALID_VALUE, where(used) + " overlaps " + where(r) +
                                                                  ": the algorithm writes its workspace while the matmul runs");
        }
    }

    if (empty) return traced(c.fn + " (empty, nothing to compute)", CUBLAS_STATUS_SUCCESS);
    o.nan = tjemu::fault("nan:cublasLtMatmul");
    if (o.nan) tjemu::report("fault injected at nan:cublasLtMatmul: the first element of D will be NaN");

    tjemu::Work work;
    work.what = "cublasLtMatmul(m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) + " k=" + std::to_string(p.k) +
                (p.batch > 1 ? " batch=" + std::to_string(p.batch) : "") + ")";
    work.ranges = ranges;
    work.run = [p, o] { run_matmul(p, o); };
    std::string why;
    const CUresult r = tjemu::enqueue(reinterpret_cast<CUstream>(stream), std::move(work), &why);
    if (r == CUDA_ERROR_INVALID_VALUE)
        return c.bad(CUBLAS_STATUS_INVALID_VALUE, "a device pointer or extent is invalid: " + (why.empty() ? std::string("(no detail)") : why));
    if (r != CUDA_SUCCESS) {
        const char* name = nullptr;
        cuGetErrorName(r, &name);
        return c.bad(CUBLAS_STATUS_EXECUTION_FAILED, std::string("queuing the matmul on stream ") + hex((uintptr_t)stream) + " failed: " +
                                                         (name ? name : std::to_string((int)r)) + (why.empty() ? "" : ": " + why));
    }
    return traced(c.fn + " algo " + std::to_string(chosen.id) + " workspace " + std::to_string(o.workspace_bytes), CUBLAS_STATUS_SUCCESS);
}
