// The contract between the three emulated libraries (libcuda.so.1, libcublasLt.so.13, libcudnn.so.9).
//
// The emulated driver (driver/) owns the device: its memory, contexts, streams, events, graphs and
// the device thread that runs queued work. The emulated cuBLASLt and cuDNN link against it and use
// only what is declared here: they validate their own API as NVIDIA documents it, then queue their
// computation on a stream as one Work item.
//
// Everything here is C++17, compiled with the real NVIDIA headers (cuda.h, cublasLt.h, cudnn.h), so
// every enum value, constant and prototype the emulator implements comes from NVIDIA, not from
// turbojet's Java code.
#pragma once

#include <cuda.h>

#include "fp16.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tjemu {

/** A device byte range an operation reads or writes; `role` names it in diagnostics ("A", "bias", "y"). */
struct Range {
    CUdeviceptr ptr;
    size_t bytes;
    std::string role;
};

/**
 * Thrown by Work::run (on the device thread) to fail the operation. The context records `code`
 * as its error: sticky codes (CUDA_ERROR_ILLEGAL_ADDRESS, CUDA_ERROR_LAUNCH_FAILED, ...) poison it
 * as on a real GPU; `message` is printed and returned by cuGetErrorString for that code.
 */
struct DeviceFault {
    CUresult code;
    std::string message;
};

/** One operation queued on a stream. */
struct Work {
    std::string what;            // "cublasLtMatmul", "cudnnBackendExecute(conv fprop)"; used in diagnostics
    std::vector<Range> ranges;   // every device range it touches; checked live when queued and again when it runs
    std::function<void()> run;   // the computation; runs on the device thread, may throw DeviceFault
};

/**
 * Queues `work` on `stream` (0, CU_STREAM_LEGACY or CU_STREAM_PER_THREAD for the default streams),
 * or records it into the stream's capture graph. Checks the stream handle and `work.ranges` first;
 * on a problem returns an error (CUDA_ERROR_INVALID_HANDLE, CUDA_ERROR_INVALID_VALUE, ...) and, if
 * `problem` is non-null, a one-line description. Needs a current context.
 */
CUresult enqueue(CUstream stream, Work work, std::string* problem = nullptr);

/** "" when every range lies inside one live device (or pinned host) allocation, else the first problem. */
std::string check_ranges(const std::vector<Range>& ranges);

/** Whether a context is current on the calling thread. */
bool has_current_context();

/**
 * Fault injection: whether the fault named `site` fires on this call. Sites are plain names
 * ("cuMemAlloc", "cublasLt.heuristic", "cudnn.heuristic", "launch:group_norm_f16", "nan:cublasLtMatmul");
 * they are armed by TJEMU_FAULTS or tjemuControl (see the README).
 */
bool fault(const std::string& site);

/** Prints "[cuda-emulator] message" on stderr. */
void report(const std::string& message);

/** Whether TJEMU_VERBOSE asks for a line per API call. */
bool verbose();

}  // namespace tjemu
