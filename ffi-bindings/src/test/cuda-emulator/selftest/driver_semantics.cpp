// Self test of the emulated driver against the CUDA Driver API reference: memory (alignment,
// limits, poisoning, guards), the synchronisation rules of "API synchronization behavior" (which the
// emulator's late execution makes observable), events, stream capture and graph replay, errors,
// fault injection and context teardown.
#include <cstring>
#include <vector>

#include "selftest.h"

extern "C" int tjemuControl(const char* command);
extern "C" size_t tjemuDeviceBytesInUse();

namespace {

CUstream stream;

void memory() {
    CUdeviceptr p = 0, q = 0;
    CHECK_STATUS(cuMemAlloc(&p, 0), CUDA_ERROR_INVALID_VALUE);  // "If bytesize is 0, ... CUDA_ERROR_INVALID_VALUE"
    OK(cuMemAlloc(&p, 1000));
    OK(cuMemAlloc(&q, 3));
    CHECK(p % 256 == 0 && q % 256 == 0);  // suitably aligned for any kind of variable
    std::vector<unsigned char> bytes(1000);
    OK(cuMemcpyDtoH(bytes.data(), p, 1000));
    CHECK(bytes[0] == 0xff && bytes[999] == 0xff);  // fresh memory is not zero: it holds NaN bytes
    size_t free = 0, total = 0;
    OK(cuMemGetInfo(&free, &total));
    CHECK(total - free == tjemuDeviceBytesInUse());
    CUdeviceptr huge = 0;
    CHECK_STATUS(cuMemAlloc(&huge, total), CUDA_ERROR_OUT_OF_MEMORY);
    CHECK_STATUS(cuMemcpyDtoH(bytes.data(), p, 1001), CUDA_ERROR_INVALID_VALUE);   // beyond the allocation
    CHECK_STATUS(cuMemcpyHtoD(p + 500, bytes.data(), 501), CUDA_ERROR_INVALID_VALUE);
    CHECK_STATUS(cuMemFree(p + 16), CUDA_ERROR_INVALID_VALUE);                    // not an allocation's start
    CHECK_STATUS(cuMemsetD32Async(p + 2, 0, 4, stream), CUDA_ERROR_INVALID_VALUE); // D32 needs 4-byte alignment
    OK(cuMemFree(p));
    CHECK_STATUS(cuMemFree(p), CUDA_ERROR_INVALID_VALUE);                         // twice
    CHECK_STATUS(cuMemcpyDtoH(bytes.data(), p, 4), CUDA_ERROR_INVALID_VALUE);     // after free
    OK(cuMemFree(q));
    OK(cuMemGetInfo(&free, &total));
    CHECK(free == total - tjemuDeviceBytesInUse());
}

void synchronisation() {
    CUdeviceptr d = 0;
    OK(cuMemAlloc(&d, 4096));
    std::vector<unsigned> zeros(1024, 0), out(1024, 1);
    OK(cuMemcpyHtoD(d, zeros.data(), 4096));

    // Work on a non-blocking stream is not waited for by synchronous (legacy stream) copies.
    OK(cuMemsetD32Async(d, 7, 1024, stream));
    OK(cuMemcpyDtoH(out.data(), d, 4096));
    CHECK(out[0] == 0);  // the memset has not run: a synchronous copy does not wait for it
    OK(cuStreamSynchronize(stream));
    OK(cuMemcpyDtoH(out.data(), d, 4096));
    CHECK(out[0] == 7 && out[1023] == 7);

    // An async copy from pageable memory takes the bytes at the call ...
    std::vector<unsigned> host(1024, 5);
    OK(cuMemcpyHtoDAsync(d, host.data(), 4096, stream));
    host.assign(1024, 6);
    OK(cuStreamSynchronize(stream));
    OK(cuMemcpyDtoH(out.data(), d, 4096));
    CHECK(out[0] == 5);
    // ... from pinned memory when the stream reaches it.
    void* pinned = nullptr;
    OK(cuMemHostAlloc(&pinned, 4096, CU_MEMHOSTALLOC_PORTABLE));
    std::memset(pinned, 0, 4096);
    ((unsigned*)pinned)[0] = 8;
    OK(cuMemcpyHtoDAsync(d, pinned, 4096, stream));
    ((unsigned*)pinned)[0] = 9;  // reusing the buffer before the copy ran
    OK(cuStreamSynchronize(stream));
    OK(cuMemcpyDtoH(out.data(), d, 4096));
    CHECK(out[0] == 9);
    // An async copy to pinned memory lands only once the stream gets there.
    ((unsigned*)pinned)[0] = 0;
    OK(cuMemcpyDtoHAsync(pinned, d, 4096, stream));
    CHECK(((unsigned*)pinned)[0] == 0);
    OK(cuStreamSynchronize(stream));
    CHECK(((unsigned*)pinned)[0] == 9);
    // To pageable memory the call returns with the copy done.
    out.assign(1024, 0);
    OK(cuMemsetD32Async(d, 11, 1024, stream));
    OK(cuMemcpyDtoHAsync(out.data(), d, 4096, stream));
    CHECK(out[0] == 11);
    OK(cuMemFreeHost(pinned));
    CHECK_STATUS(cuMemFreeHost(pinned), CUDA_ERROR_INVALID_VALUE);
    OK(cuMemFree(d));
}

void events() {
    CUevent a = nullptr, b = nullptr, untimed = nullptr;
    OK(cuEventCreate(&a, CU_EVENT_DEFAULT));
    OK(cuEventCreate(&b, CU_EVENT_DEFAULT));
    OK(cuEventCreate(&untimed, CU_EVENT_DISABLE_TIMING));
    float ms = -1;
    CHECK_STATUS(cuEventElapsedTime(&ms, a, b), CUDA_ERROR_INVALID_HANDLE);  // never recorded
    CUdeviceptr d = 0;
    OK(cuMemAlloc(&d, 1 << 20));
    OK(cuEventRecord(a, stream));
    OK(cuMemsetD8Async(d, 1, 1 << 20, stream));
    OK(cuEventRecord(b, stream));
    OK(cuEventRecord(untimed, stream));
    CHECK_STATUS(cuEventElapsedTime(&ms, a, b), CUDA_ERROR_NOT_READY);  // not completed yet
    OK(cuEventSynchronize(b));
    OK(cuEventElapsedTime(&ms, a, b));
    CHECK(ms >= 0);
    OK(cuEventSynchronize(untimed));
    CHECK_STATUS(cuEventElapsedTime(&ms, a, untimed), CUDA_ERROR_INVALID_HANDLE);
    OK(cuEventDestroy(a));
    CHECK_STATUS(cuEventRecord(a, stream), CUDA_ERROR_INVALID_HANDLE);
    OK(cuEventDestroy(b));
    OK(cuEventDestroy(untimed));
    OK(cuMemFree(d));
}

void capture_and_replay() {
    CUdeviceptr src = 0, dst = 0;
    OK(cuMemAlloc(&src, 4096));
    OK(cuMemAlloc(&dst, 4096));
    OK(cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CUstreamCaptureStatus status;
    OK(cuStreamIsCapturing(stream, &status));
    CHECK(status == CU_STREAM_CAPTURE_STATUS_ACTIVE);
    OK(cuMemsetD32Async(src, 3, 512, stream));                 // half of src
    OK(cuMemcpyDtoDAsync(dst, src, 4096, stream));
    CUgraph graph = nullptr;
    OK(cuStreamEndCapture(stream, &graph));
    std::vector<unsigned> out(1024), fill(1024, 42);
    OK(cuMemcpyHtoD(src, fill.data(), 4096));
    OK(cuMemcpyHtoD(dst, std::vector<unsigned>(1024, 0).data(), 4096));
    OK(cuStreamSynchronize(stream));
    OK(cuMemcpyDtoH(out.data(), dst, 4096));
    CHECK(out[0] == 0);  // captured work did not run
    CUgraphExec exec = nullptr;
    OK(cuGraphInstantiateWithFlags(&exec, graph, 0));
    OK(cuGraphDestroy(graph));  // the executable graph does not need it
    OK(cuGraphLaunch(exec, stream));
    OK(cuStreamSynchronize(stream));
    OK(cuMemcpyDtoH(out.data(), dst, 4096));
    CHECK(out[0] == 3 && out[511] == 3 && out[512] == 42);  // replayed on the memory's contents at launch
    fill.assign(1024, 77);
    OK(cuMemcpyHtoD(src, fill.data(), 4096));
    OK(cuGraphLaunch(exec, stream));
    OK(cuGraphLaunch(exec, stream));
    OK(cuStreamSynchronize(stream));
    OK(cuMemcpyDtoH(out.data(), dst, 4096));
    CHECK(out[0] == 3 && out[600] == 77);
    OK(cuGraphExecDestroy(exec));

    // What stream capture forbids (cuStreamBeginCapture, cuThreadExchangeStreamCaptureMode).
    OK(cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CHECK_STATUS(cuStreamSynchronize(stream), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);
    CHECK_STATUS(cuStreamEndCapture(stream, &graph), CUDA_ERROR_STREAM_CAPTURE_INVALIDATED);
    CHECK(graph == nullptr);
    OK(cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
    CUdeviceptr tmp = 0;
    CHECK_STATUS(cuMemAlloc(&tmp, 256), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);  // "potentially unsafe"
    CHECK_STATUS(cuStreamEndCapture(stream, &graph), CUDA_ERROR_STREAM_CAPTURE_INVALIDATED);
    OK(cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_GLOBAL));
    std::vector<unsigned> pageable(1024, 1);
    CHECK_STATUS(cuMemcpyHtoDAsync(src, pageable.data(), 4096, stream), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);
    CHECK_STATUS(cuStreamEndCapture(stream, &graph), CUDA_ERROR_STREAM_CAPTURE_INVALIDATED);
    CHECK_STATUS(cuStreamBeginCapture(nullptr, CU_STREAM_CAPTURE_MODE_GLOBAL), CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED);
    CHECK_STATUS(cuStreamEndCapture(stream, &graph), CUDA_ERROR_ILLEGAL_STATE);  // not capturing
    // Relaxed mode allows what the others forbid.
    OK(cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_RELAXED));
    OK(cuMemAlloc(&tmp, 256));
    OK(cuStreamEndCapture(stream, &graph));
    OK(cuGraphDestroy(graph));
    OK(cuMemFree(tmp));
    OK(cuMemFree(src));
    OK(cuMemFree(dst));
}

void errors_and_faults() {
    const char* s = nullptr;
    OK(cuGetErrorName(CUDA_ERROR_ILLEGAL_ADDRESS, &s));
    CHECK(std::strcmp(s, "CUDA_ERROR_ILLEGAL_ADDRESS") == 0);
    OK(cuGetErrorString(CUDA_ERROR_OUT_OF_MEMORY, &s));
    CHECK(std::strstr(s, "out of memory") == s);
    CHECK_STATUS(cuGetErrorName((CUresult)123456, &s), CUDA_ERROR_INVALID_VALUE);

    CHECK(tjemuControl("fault cuMemAlloc@2") == 0);
    CUdeviceptr a = 0, b = 0, c = 0;
    OK(cuMemAlloc(&a, 256));
    CHECK_STATUS(cuMemAlloc(&b, 256), CUDA_ERROR_OUT_OF_MEMORY);  // the second call from now
    OK(cuMemAlloc(&c, 256));                                      // and only that one
    CHECK(tjemuControl("clear-faults") == 0);
    CHECK(tjemuControl("no such command") != 0);
    OK(cuMemFree(a));
    OK(cuMemFree(c));

    // The last release of the primary context frees what it owned.
    OK(cuMemAlloc(&a, 1 << 20));
    CHECK(tjemuDeviceBytesInUse() >= (1u << 20));
    while (cuDevicePrimaryCtxRelease(0) == CUDA_SUCCESS) {
    }
    CHECK(tjemuDeviceBytesInUse() == 0);
    CHECK_STATUS(cuMemAlloc(&a, 256), CUDA_ERROR_INVALID_CONTEXT);  // the old context is gone
    CHECK_STATUS(cuStreamSynchronize(stream), CUDA_ERROR_INVALID_CONTEXT);
}

}  // namespace

int main() {
    selftest::context();
    OK(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
    memory();
    synchronisation();
    events();
    capture_and_replay();
    errors_and_faults();
    return selftest::finish("driver_semantics");
}
