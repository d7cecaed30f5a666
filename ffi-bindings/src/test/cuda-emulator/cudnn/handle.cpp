// Emulated cuDNN 9 handles: cudnnCreate, cudnnDestroy, cudnnSetStream, cudnnGetStream. From
// NVIDIA's cudnn_graph.h (cuDNN 9.24) and the cudnn_graph Library page
// (https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html):
//  - cudnnCreate: CUDNN_STATUS_BAD_PARAM for a NULL output pointer; CUDNN_STATUS_NOT_INITIALIZED when
//    CUDA cannot be used ("No compatible GPU found, CUDA driver not installed or disabled, CUDA runtime
//    API initialization failed"). The handle is tied to the current CUDA context. Strict: the emulator
//    requires a current context (NVIDIA's runtime-based library would make device 0's primary context
//    current itself), so a caller that never made one current is caught.
//  - cudnnDestroy "calls cudaDeviceSynchronize": here cuCtxSynchronize when a context is current.
//  - cudnnSetStream / cudnnGetStream: CUDNN_STATUS_BAD_PARAM for an invalid (NULL) handle. Work
//    goes to the handle's stream; without one, to the legacy default stream.
#include "cudnn_emu.h"

#include <map>

namespace tjemu::dnn {

namespace {
std::map<cudnnHandle_t, Handle>& handles() {
    static std::map<cudnnHandle_t, Handle> h;
    return h;
}
uint64_t next_handle_serial = 1;
}  // namespace

Handle* live_handle(cudnnHandle_t h) {
    auto it = handles().find(h);
    return it == handles().end() ? nullptr : &it->second;
}

}  // namespace tjemu::dnn

using namespace tjemu::dnn;

TJDNN_API cudnnStatus_t CUDNNWINAPI cudnnCreate(cudnnHandle_t* handle) {
    std::lock_guard<std::recursive_mutex> g(lock());
    const char* fn = "cudnnCreate";
    if (handle == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, "handle (the output pointer) is NULL"));
    if (!tjemu::has_current_context())
        return traced(fn, fail(CUDNN_STATUS_NOT_INITIALIZED, fn,
                               "no CUDA context is current on this thread (cuCtxSetCurrent or "
                               "cuDevicePrimaryCtxRetain + cuCtxSetCurrent first): a cuDNN handle is tied to the "
                               "current context"));
    cudnnHandle_t h = static_cast<cudnnHandle_t>(new_token());
    handles()[h] = Handle{next_handle_serial++, nullptr};
    *handle = h;
    return traced(std::string(fn) + " = " + hex((uintptr_t)h), CUDNN_STATUS_SUCCESS);
}

TJDNN_API cudnnStatus_t CUDNNWINAPI cudnnDestroy(cudnnHandle_t handle) {
    std::lock_guard<std::recursive_mutex> g(lock());
    const std::string fn = "cudnnDestroy(" + hex((uintptr_t)handle) + ")";
    if (handle == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, "handle is NULL"));
    if (live_handle(handle) == nullptr)
        return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, "not a live cuDNN handle (never created, or destroyed)"));
    if (tjemu::has_current_context()) cuCtxSynchronize();
    handles().erase(handle);
    return traced(fn, CUDNN_STATUS_SUCCESS);
}

TJDNN_API cudnnStatus_t CUDNNWINAPI cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId) {
    std::lock_guard<std::recursive_mutex> g(lock());
    const std::string fn = "cudnnSetStream(" + hex((uintptr_t)handle) + ", " + hex((uintptr_t)streamId) + ")";
    Handle* h = live_handle(handle);
    if (h == nullptr)
        return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, "not a live cuDNN handle (NULL, never created, or destroyed)"));
    // The stream itself is checked when work is queued on it (cudnnBackendExecute).
    h->stream = reinterpret_cast<CUstream>(streamId);
    return traced(fn, CUDNN_STATUS_SUCCESS);
}

TJDNN_API cudnnStatus_t CUDNNWINAPI cudnnGetStream(cudnnHandle_t handle, cudaStream_t* streamId) {
    std::lock_guard<std::recursive_mutex> g(lock());
    const std::string fn = "cudnnGetStream(" + hex((uintptr_t)handle) + ")";
    Handle* h = live_handle(handle);
    if (h == nullptr)
        return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, "not a live cuDNN handle (NULL, never created, or destroyed)"));
    if (streamId == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, "streamId (the output pointer) is NULL"));
    *streamId = reinterpret_cast<cudaStream_t>(h->stream);
    return traced(fn, CUDNN_STATUS_SUCCESS);
}
