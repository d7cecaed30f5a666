// Emulated cuDNN 9 cudnnBackendExecute. From NVIDIA's cudnn_graph.h (cuDNN 9.24) and the cudnn_graph
// Library page (https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html):
// "executes the given Engine Configuration Plan on the VariantPack and the finalized ExecutionPlan on
// the data"; CUDNN_STATUS_BAD_PARAM for "an incorrect or inconsistent value ... for example, a
// required data pointer is invalid"; CUDNN_STATUS_EXECUTION_FAILED when running it fails. The
// variant pack maps the UID of every non-virtual tensor to a device pointer and holds the workspace.
// Checks, in order, each a clear error:
//  - live handle, plan and pack of the right types, both finalized (BAD_PARAM_NOT_FINALIZED);
//  - strict: the plan's handle (if set) and every descriptor the plan was built from are still alive;
//  - a pointer for every tensor UID of the graph (and no UID the graph lacks), non-NULL
//    (BAD_PARAM_NULL_POINTER), aligned to the tensor's CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT
//    (BAD_PARAM_MISALIGNED_POINTER), spanning memory inside one live allocation (BAD_PARAM);
//  - a workspace pointer when the plan needs CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE > 0 bytes;
//  - strict: Y may not overlap X, W or the workspace (an in-place convolution is not computable).
// Then the work goes to the handle's stream (cudnnSetStream) with the ranges it touches. When it runs
// it first fills the workspace with garbage (0xff bytes), then computes (conv_compute.cpp). Fault
// injection: "nan:cudnn" makes the first element of Y NaN after the computation.
#include "cudnn_emu.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace tjemu::dnn;

namespace {

struct Call {
    std::string fn;
    cudnnStatus_t bad(cudnnStatus_t code, const std::string& message) const { return traced(fn, fail(code, fn, message)); }
};

bool overlap(const tjemu::Range& a, const tjemu::Range& b) {
    return a.bytes > 0 && b.bytes > 0 && a.ptr < b.ptr + b.bytes && b.ptr < a.ptr + a.bytes;
}

void store_nan(cudnnDataType_t t, void* y) {
    switch (t) {
    case CUDNN_DATA_HALF: *static_cast<uint16_t*>(y) = 0x7e00; break;
    case CUDNN_DATA_BFLOAT16: *static_cast<uint16_t*>(y) = 0x7fc0; break;
    default: *static_cast<float*>(y) = std::numeric_limits<float>::quiet_NaN(); break;
    }
}

}  // namespace

TJDNN_API cudnnStatus_t CUDNNWINAPI cudnnBackendExecute(cudnnHandle_t handle, cudnnBackendDescriptor_t executionPlan,
                                                        cudnnBackendDescriptor_t variantPack) {
    std::lock_guard<std::recursive_mutex> g(lock());
    const Call c{"cudnnBackendExecute(" + hex((uintptr_t)handle) + ", " + hex((uintptr_t)executionPlan) + ", " +
                 hex((uintptr_t)variantPack) + ")"};
    Handle* h = live_handle(handle);
    if (h == nullptr) return c.bad(CUDNN_STATUS_BAD_PARAM, "not a live cuDNN handle (NULL, never created, or destroyed)");
    const std::pair<cudnnBackendDescriptor_t, cudnnBackendDescriptorType_t> args[] = {
        {executionPlan, CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR}, {variantPack, CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR}};
    for (const auto& [p, type] : args) {
        const std::string which = type == CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR ? "executionPlan" : "variantPack";
        if (p == nullptr) return c.bad(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, which + " is NULL");
        Desc* d = live(p);
        if (d == nullptr) return c.bad(CUDNN_STATUS_BAD_PARAM, which + " is not a live descriptor (never created, or destroyed)");
        if (d->type != type)
            return c.bad(CUDNN_STATUS_BAD_PARAM_DESCRIPTOR_TYPE, which + " is a " + type_name(d->type) + " descriptor");
        if (!d->finalized) return c.bad(CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED, which + " is not finalized");
    }
    const Desc& plan = *live(executionPlan);
    const Desc& pack = *live(variantPack);
    if (plan.plan_handle != 0) {
        Handle* ph = live_handle(plan.plan_handle_ptr);
        if (ph == nullptr || ph->serial != plan.plan_handle)
            return c.bad(CUDNN_STATUS_BAD_PARAM, "the handle the plan was built with (CUDNN_ATTR_EXECUTION_PLAN_HANDLE " +
                                                     hex((uintptr_t)plan.plan_handle_ptr) + ") was destroyed");
    }
    if (std::string dead = dead_dependency(plan); !dead.empty())
        return c.bad(CUDNN_STATUS_BAD_PARAM, "the execution plan depends on a descriptor that is gone: " + dead +
                                                 ". The tensors, convolution, operation, graph, engine and engine "
                                                 "configuration a plan was built from must stay alive while it is executed: " +
                                                 kLifetimeRule);
    const ConvProblem p = *plan.problem;

    // Pointers by UID.
    const Value& uids = *attr(pack, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS);
    const Value& ptrs = *attr(pack, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS);
    const std::pair<const char*, const Geometry*> tensors[] = {{"x", &p.x}, {"w", &p.w}, {"y", &p.y}};
    uintptr_t at[3];
    for (size_t i = 0; i < uids.ints.size(); i++) {
        bool known = false;
        for (const auto& [n, t] : tensors) known |= t->uid == uids.ints[i];
        if (!known)
            return c.bad(CUDNN_STATUS_BAD_PARAM, "the variant pack has a pointer for unique id " + std::to_string(uids.ints[i]) +
                                                     ", which is no tensor of the plan's graph (x " + std::to_string(p.x.uid) +
                                                     ", w " + std::to_string(p.w.uid) + ", y " + std::to_string(p.y.uid) + ")");
    }
    std::vector<tjemu::Range> ranges;
    for (int k = 0; k < 3; k++) {
        const auto& [n, t] = tensors[k];
        size_t i = 0;
        while (i < uids.ints.size() && uids.ints[i] != t->uid) i++;
        if (i == uids.ints.size())
            return c.bad(CUDNN_STATUS_BAD_PARAM, std::string("the variant pack has no pointer for tensor ") + n + " (unique id " +
                                                     std::to_string(t->uid) + ")");
        at[k] = ptrs.ptrs[i];
        if (at[k] == 0)
            return c.bad(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, std::string("the pointer for tensor ") + n + " (unique id " +
                                                                  std::to_string(t->uid) + ") is NULL");
        if (at[k] % (uintptr_t)t->alignment != 0)
            return c.bad(CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER,
                         std::string("the pointer for tensor ") + n + " (" + hex(at[k]) + ") is not aligned to its "
                             "CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT of " + std::to_string(t->alignment) + " bytes");
        ranges.push_back(tjemu::Range{(CUdeviceptr)at[k], extent_bytes(*t), n});
    }
    const uintptr_t ws = attr(pack, CUDNN_ATTR_VARIANT_PACK_WORKSPACE)->ptrs[0];
    const size_t ws_bytes = (size_t)plan.workspace;
    if (ws_bytes > 0) {
        if (ws == 0)
            return c.bad(CUDNN_STATUS_BAD_PARAM_NULL_POINTER,
                         "the plan (" + engine_name((int)plan.engine_index) + ") needs a workspace of " + std::to_string(ws_bytes) +
                             " bytes (CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE) but CUDNN_ATTR_VARIANT_PACK_WORKSPACE is NULL");
        ranges.push_back(tjemu::Range{(CUdeviceptr)ws, ws_bytes, "workspace"});
    }
    if (std::string bad = tjemu::check_ranges(ranges); !bad.empty())
        return c.bad(CUDNN_STATUS_BAD_PARAM, "a data pointer is invalid: " + bad);
    for (size_t i = 0; i < ranges.size(); i++)
        if (i != 2 && overlap(ranges[2], ranges[i]))
            return c.bad(CUDNN_STATUS_BAD_PARAM, "y [" + hex(ranges[2].ptr) + ", +" + std::to_string(ranges[2].bytes) +
                                                     ") overlaps " + ranges[i].role + " [" + hex(ranges[i].ptr) + ", +" +
                                                     std::to_string(ranges[i].bytes) + ")");
    if (ranges.size() == 4)
        for (size_t i = 0; i < 2; i++)
            if (overlap(ranges[3], ranges[i]))
                return c.bad(CUDNN_STATUS_BAD_PARAM, "the workspace overlaps " + ranges[i].role);

    const bool nan = tjemu::fault("nan:cudnn");
    if (nan) tjemu::report("fault injected at nan:cudnn: the first element of y will be NaN");
    tjemu::Work work;
    work.what = "cudnnBackendExecute(conv fprop, " + engine_name((int)plan.engine_index) + ")";
    work.ranges = ranges;
    const uintptr_t x = at[0], w = at[1], y = at[2];
    work.run = [p, x, w, y, ws, ws_bytes, nan] {
        if (ws_bytes > 0) std::memset(reinterpret_cast<void*>(ws), 0xff, ws_bytes);
        conv_forward(p, reinterpret_cast<const void*>(x), reinterpret_cast<const void*>(w), reinterpret_cast<void*>(y));
        if (nan) store_nan(p.y.type, reinterpret_cast<void*>(y));
    };
    std::string why;
    const CUresult r = tjemu::enqueue(h->stream, std::move(work), &why);
    if (r != CUDA_SUCCESS)
        return c.bad(CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER,
                     "queuing the convolution on the handle's stream " + hex((uintptr_t)h->stream) + " failed: CUresult " +
                         std::to_string((int)r) + (why.empty() ? "" : ": " + why));
    return traced(c.fn, CUDNN_STATUS_SUCCESS);
}
