// The emulated cuBLASLt's algorithms and cublasLtMatmulAlgoGetHeuristic. From the cuBLAS guide,
// chapter 3 (https://docs.nvidia.com/cuda/cublas/index.html#using-the-cublaslt-api):
//  - 3.4.22 cublasLtMatmulAlgoGetHeuristic: results "in the order of increasing estimated compute
//    time"; INVALID_VALUE "if requestedAlgoCount is less or equal to zero"; NOT_SUPPORTED "if no
//    heuristic function available for current configuration"; returnAlgoCount is "the number of
//    heuristicResultsArray elements written" (elements past it are not touched).
//  - 3.3.10 cublasLtMatmulHeuristicResult_t: workspaceSize is the "actual size of workspace memory
//    required", state CUBLAS_STATUS_SUCCESS for a usable result, wavesCount a utilisation estimate.
//  - 3.3.5 cublasLtMatmulAlgo_t "can be trivially serialized and later restored": the emulator packs
//    its algorithm into the 8 words with a magic number, the fingerprint of the problem it was chosen
//    for, the workspace it needs, the alignments it assumes and a checksum, so cublasLtMatmul can
//    reject an algorithm that is uninitialised or was chosen for another problem (3.4.19
//    cublasLtMatmulAlgoCheck: INVALID_VALUE "if matrix layout descriptors or operation descriptor
//    don't match algo descriptor").
//  - 3.3.13 preferences: MAX_WORKSPACE_BYTES ("Default is 0 (no workspace memory allowed)"),
//    REDUCTION_SCHEME_MASK (only algorithms whose reduction scheme is not masked out; NONE is 0 and
//    is never masked), MIN_ALIGNMENT_A/B/C/D_BYTES ("Selecting a smaller value will exclude algorithms
//    that can not work with matrix A, which is not as strictly aligned as the algorithms need";
//    default 256), MAX_WAVES_COUNT (exclude algorithms above it when non-zero), IMPL_MASK (only
//    algorithms whose cublasLtNumericalImplFlags_t are all allowed). SEARCH_MODE
//    CUBLASLT_SEARCH_LIMITED_BY_ALGO_ID needs cublasLtMatmulAlgoInit, which is not emulated.
//  - 3.3.9 CUBLASLT_MATMUL_DESC_BIAS_POINTER: "Routines that don't dereference this pointer, like
//    cublasLtMatmulAlgoGetHeuristic() depend on its value to determine expected pointer alignment."
// The emulated algorithms (both compute the same thing, exactly, in fp32):
//  0  no workspace, no reduction (CUBLASLT_REDUCTION_SCHEME_NONE);
//  1  "split-K": needs a workspace (> 0 bytes, at most MAX_WORKSPACE_BYTES), reduction scheme
//     CUBLASLT_REDUCTION_SCHEME_COMPUTE_TYPE; offered first when the preference allows a workspace.
// Strict: an algorithm assumes exactly the alignment the preference promised (an algorithm may need
// that much), and the bias pointer's alignment at the time of the query. Fault site
// "cublasLt.heuristic": no algorithm is offered (NOT_SUPPORTED, 0 results).
#include "lt_emu.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tjemu::lt {

namespace {

constexpr uint64_t kAlgoMagic = 0x544a454d554c5431ull;  // "TJEMULT1"

uint64_t checksum(const uint64_t* w) {
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 7; i++) h = (h ^ w[i]) * 0xbf58476d1ce4e5b9ull + (h >> 29);
    return h;
}

uint64_t impl_flags(const Problem& p) {
    uint64_t f = CUBLASLT_NUMERICAL_IMPL_FLAGS_FMA | CUBLASLT_NUMERICAL_IMPL_FLAGS_ACCUMULATOR_32F;
    switch (p.a.type) {
    case CUDA_R_16F: f |= CUBLASLT_NUMERICAL_IMPL_FLAGS_INPUT_16F; break;
    case CUDA_R_16BF: f |= CUBLASLT_NUMERICAL_IMPL_FLAGS_INPUT_16BF; break;
    default: f |= CUBLASLT_NUMERICAL_IMPL_FLAGS_INPUT_32F; break;
    }
    return f;
}

}  // namespace

uint32_t pointer_alignment(const void* p) {
    const uintptr_t v = (uintptr_t)p;
    if (v == 0) return 256;
    uint32_t a = 1;
    while (a < 256 && (v & a) == 0) a <<= 1;
    return a;
}

void pack(const Algo& a, cublasLtMatmulAlgo_t* out) {
    uint64_t* w = out->data;
    uint32_t waves;
    std::memcpy(&waves, &a.waves, 4);
    w[0] = kAlgoMagic;
    w[1] = a.id;
    w[2] = a.workspace;
    w[3] = a.problem;
    w[4] = (uint64_t)a.align_a | (uint64_t)a.align_b << 32;
    w[5] = (uint64_t)a.align_c | (uint64_t)a.align_d << 32;
    w[6] = (uint64_t)a.align_bias | (uint64_t)waves << 32;
    w[7] = checksum(w);
}

std::string unpack(const cublasLtMatmulAlgo_t& in, Algo& a) {
    const uint64_t* w = in.data;
    if (w[0] != kAlgoMagic || w[7] != checksum(w))
        return "algo is not an algorithm from cublasLtMatmulAlgoGetHeuristic (uninitialised, or its bytes were changed)";
    if (w[1] > 1) return "algo names emulated algorithm " + std::to_string(w[1]) + ", which does not exist";
    a.id = (uint32_t)w[1];
    a.workspace = w[2];
    a.problem = w[3];
    a.align_a = (uint32_t)w[4];
    a.align_b = (uint32_t)(w[4] >> 32);
    a.align_c = (uint32_t)w[5];
    a.align_d = (uint32_t)(w[5] >> 32);
    a.align_bias = (uint32_t)w[6];
    const uint32_t waves = (uint32_t)(w[6] >> 32);
    std::memcpy(&a.waves, &waves, 4);
    return "";
}

std::vector<Algo> heuristic(const Problem& p, const Preference& pref, const void* bias_pointer, int max) {
    std::vector<Algo> out;
    Algo base;
    base.problem = fingerprint(p);
    base.align_a = std::max<uint32_t>(pref.align_a, 1);
    base.align_b = std::max<uint32_t>(pref.align_b, 1);
    base.align_c = std::max<uint32_t>(pref.align_c, 1);
    base.align_d = std::max<uint32_t>(pref.align_d, 1);
    base.align_bias = p.bias ? pointer_alignment(bias_pointer) : 256;
    const double tiles = std::ceil((double)p.m / 128) * std::ceil((double)p.n / 128) * p.batch;
    base.waves = (float)(tiles / std::max(p.sm_count, 1));
    const uint64_t flags = impl_flags(p);
    if ((flags & ~pref.impl_mask) != 0) return out;  // every emulated algorithm uses these implementations

    // 1: split-K, its partial sums in the workspace.
    if (pref.max_workspace > 0 && (pref.reduction_mask & CUBLASLT_REDUCTION_SCHEME_COMPUTE_TYPE) != 0) {
        Algo a = base;
        a.id = 1;
        const uint64_t want = std::clamp<uint64_t>((p.m * p.n * 4 + 255) / 256 * 256, 256, uint64_t(32) << 20);
        a.workspace = std::min<uint64_t>(want, pref.max_workspace);
        a.waves = base.waves * 2;
        if (pref.max_waves <= 0 || a.waves <= pref.max_waves) out.push_back(a);
    }
    // 0: no workspace.
    {
        Algo a = base;
        a.id = 0;
        a.workspace = 0;
        if (pref.max_waves <= 0 || a.waves <= pref.max_waves) out.push_back(a);
    }
    if ((int)out.size() > max) out.resize((size_t)std::max(max, 0));
    return out;
}

}  // namespace tjemu::lt

using namespace tjemu::lt;

TJLT_API cublasStatus_t CUBLASWINAPI cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t operationDesc,
                                                                    cublasLtMatrixLayout_t Adesc, cublasLtMatrixLayout_t Bdesc,
                                                                    cublasLtMatrixLayout_t Cdesc, cublasLtMatrixLayout_t Ddesc,
                                                                    cublasLtMatmulPreference_t preference, int requestedAlgoCount,
                                                                    cublasLtMatmulHeuristicResult_t heuristicResultsArray[],
                                                                    int* returnAlgoCount) {
    std::lock_guard<std::recursive_mutex> g(lock());
    std::string fn = "cublasLtMatmulAlgoGetHeuristic";
    if (returnAlgoCount) *returnAlgoCount = 0;
    if (live_handle(lightHandle) == nullptr) return traced(fn, fail(CUBLAS_STATUS_NOT_INITIALIZED, fn, why_not_live(lightHandle, "handle")));
    const MatmulDesc* desc = live_desc(operationDesc);
    if (desc == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(operationDesc, "matmul descriptor")));
    const std::pair<cublasLtMatrixLayout_t, const char*> layouts[] = {{Adesc, "Adesc"}, {Bdesc, "Bdesc"}, {Ddesc, "Ddesc"}};
    for (const auto& [l, name] : layouts)
        if (live_layout(l) == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(l, name)));
    if (Cdesc != nullptr && live_layout(Cdesc) == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(Cdesc, "Cdesc")));
    const Preference* pref = live_pref(preference);
    if (pref == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, why_not_live(preference, "preference")));
    if (requestedAlgoCount <= 0)
        return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, "requestedAlgoCount " + std::to_string(requestedAlgoCount) + " is not positive"));
    if (heuristicResultsArray == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, "heuristicResultsArray is NULL"));
    if (returnAlgoCount == nullptr) return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, "returnAlgoCount is NULL"));

    Problem p;
    if (Check c = build_problem(*desc, *live_layout(Adesc), *live_layout(Bdesc), live_layout(Cdesc), *live_layout(Ddesc), p))
        return traced(fn, fail(c.code, fn, c.message));
    fn += "(" + describe(p) + ")";
    switch (pref->search_mode) {
    case CUBLASLT_SEARCH_BEST_FIT: break;
    case CUBLASLT_SEARCH_LIMITED_BY_ALGO_ID:
        return traced(fn, fail(CUBLAS_STATUS_NOT_SUPPORTED, fn, "CUBLASLT_SEARCH_LIMITED_BY_ALGO_ID needs cublasLtMatmulAlgoInit, which is not emulated"));
    default:
        return traced(fn, fail(CUBLAS_STATUS_INVALID_VALUE, fn, "CUBLASLT_MATMUL_PREF_SEARCH_MODE " + std::to_string(pref->search_mode) + " is reserved"));
    }
    if (tjemu::fault("cublasLt.heuristic"))
        return traced(fn, fail(CUBLAS_STATUS_NOT_SUPPORTED, fn, "fault injected at cublasLt.heuristic: no algorithm offered"));
    const std::vector<Algo> algos = heuristic(p, *pref, desc->bias_pointer, requestedAlgoCount);
    if (algos.empty())
        return traced(fn, fail(CUBLAS_STATUS_NOT_SUPPORTED, fn, "no emulated algorithm fits the preference (IMPL_MASK " +
                                                                    hex(pref->impl_mask) + ", MAX_WAVES_COUNT " + std::to_string(pref->max_waves) + ")"));
    for (size_t i = 0; i < algos.size(); i++) {
        cublasLtMatmulHeuristicResult_t& r = heuristicResultsArray[i];
        std::memset(&r, 0, sizeof r);
        pack(algos[i], &r.algo);
        r.workspaceSize = algos[i].workspace;
        r.state = CUBLAS_STATUS_SUCCESS;
        r.wavesCount = algos[i].waves;
    }
    *returnAlgoCount = (int)algos.size();
    return traced(fn + " = " + std::to_string(algos.size()) + " algorithms, workspace " + std::to_string(algos[0].workspace), CUBLAS_STATUS_SUCCESS);
}
