// The emulated cuDNN 9 backend (graph) API: internal state shared by the files of cudnn/.
//
// Emulates libcudnn.so.9 as documented in NVIDIA's cudnn_graph.h (cuDNN 9.24, the nvidia_cudnn_cu13
// wheel) and https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html
// ("Backend Descriptor Types", "Backend Attribute Types", cudnnBackend*). Where the documentation
// and NVIDIA's library (observed through selftest/cudnn_differential.cpp) disagree, the emulator
// takes the stricter of the two; where both are silent it takes the strictest reasonable reading.
// Each such choice is marked "Strict:" in a comment.
//
// A descriptor is a Desc; every API call checks that its descriptor arguments are live (created and
// not destroyed), so a dangling or foreign pointer is an error instead of a crash. A descriptor set as
// an attribute of another is held by reference (Ref: pointer plus serial number), not copied.
// Lifetimes: neither cudnn_graph.h nor the cudnn_graph Library page says whether a descriptor set as an
// attribute may be destroyed while a descriptor built from it is still used (cudnnBackendDestroyDescriptor
// "deallocates a backend descriptor and frees associated memory"; nothing says the backend keeps a copy).
// NVIDIA's 9.24 happens to copy at set time (cudnn_differential shows it: an operation finalizes after its
// tensor was destroyed). Strict: the emulator requires every dependency to stay alive until the descriptors
// built from it are no longer used, and refuses, naming the destroyed descriptor and the chain that leads to
// it, a finalize, Get or cudnnBackendExecute that would need one (kLifetimeRule).
#pragma once

#include <cudnn.h>

#include "conv_problem.h"
#include "tjemu.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#define TJDNN_API extern "C" __attribute__((visibility("default")))

namespace tjemu::dnn {

struct Desc;

/** A reference to a descriptor that may since have been destroyed (serials are never reused). */
struct Ref {
    const void* token = nullptr;  // the cudnnBackendDescriptor_t the caller holds
    uint64_t serial = 0;
};

/** A handle created by cudnnCreate. */
struct Handle {
    uint64_t serial;
    CUstream stream;  // cudnnSetStream; 0 is the legacy default stream
};

/** An attribute value as set: elements widened to one of four storage kinds. */
struct Value {
    cudnnBackendAttributeType_t type;
    std::vector<int64_t> ints;     // INT64, INT32, BOOLEAN and every enum type
    std::vector<double> reals;     // FLOAT, DOUBLE
    std::vector<uintptr_t> ptrs;   // VOID_PTR, HANDLE
    std::vector<Ref> descs;        // BACKEND_DESCRIPTOR
    int64_t count() const;
};

/** A tensor's finalized geometry. */
struct TensorInfo {
    int64_t uid = 0;
    cudnnDataType_t type = CUDNN_DATA_FLOAT;
    std::vector<int64_t> dims, strides;
    int64_t alignment = 0;
    bool is_virtual = false;
    bool by_value = false;  // CUDNN_ATTR_TENSOR_IS_BY_VALUE: its value comes in the variant pack, not device memory
};

/** A convolution descriptor's finalized parameters. */
struct ConvInfo {
    int64_t spatial = 0;
    cudnnDataType_t comp = CUDNN_DATA_FLOAT;
    cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
    std::vector<int64_t> pre, post, stride, dilation;
};

struct Desc {
    cudnnBackendDescriptorType_t type;
    const void* token;  // the cudnnBackendDescriptor_t handed out
    uint64_t serial;
    bool finalized = false;
    std::map<int, Value> attrs;  // by cudnnBackendAttributeName_t, as set
    // Filled by Finalize (or by the library when it writes a descriptor it produced):
    TensorInfo tensor;
    ConvInfo conv;
    std::vector<int> engines;      // ENGINEHEUR: the configurations found, best first (engine indices)
    int64_t engine_index = -1;     // ENGINE, ENGINECFG: which emulated engine
    Ref engine_graph;              // ENGINE, ENGINECFG: the operation graph the engine computes
    int64_t workspace = 0;         // ENGINECFG, EXECUTION_PLAN
    uint64_t plan_handle = 0;      // EXECUTION_PLAN: serial of the handle set, 0 if none
    cudnnHandle_t plan_handle_ptr = nullptr;
    std::shared_ptr<const ConvProblem> problem;  // EXECUTION_PLAN: what it computes, captured at finalize
};

// ---- registry and locking (backend.cpp) ----

/** One lock for the whole library: calls are short and the computation runs on the device thread. */
std::recursive_mutex& lock();
/**
 * A fresh address for a handle or descriptor: inside a reserved, inaccessible region, never reused,
 * so a stale or destroyed one is recognised (and dereferencing one faults).
 */
void* new_token();
/** The live descriptor at `p`, or null. */
Desc* live(const void* p);
/** The descriptor `r` names if it is still alive, else null. */
Desc* live(const Ref& r);
Ref ref(Desc* d);
/** What `r` named, for a message about it no longer being alive: "the TENSOR descriptor 0x... (destroyed)". */
std::string gone(const Ref& r);
/** Why a destroyed dependency is an error; ends every such message. */
extern const char* const kLifetimeRule;
/** The live handle at `h`, or null. */
Handle* live_handle(cudnnHandle_t h);

// ---- diagnostics (status.cpp) ----

/** Records `message` for cudnnGetLastErrorString, reports it, and returns `code`. */
cudnnStatus_t fail(cudnnStatus_t code, const std::string& function, const std::string& message);
/** Logs a call and its result when TJEMU_VERBOSE is set; returns `code`. */
cudnnStatus_t traced(const std::string& call, cudnnStatus_t code);
const char* status_name(cudnnStatus_t s);
std::string type_name(cudnnBackendDescriptorType_t t);
std::string attr_name(cudnnBackendAttributeName_t a);
std::string hex(uintptr_t v);

// ---- attributes (attributes.cpp) ----

/** A problem found while checking or finalizing: the status and what to tell the caller. */
struct Problem {
    cudnnStatus_t code = CUDNN_STATUS_SUCCESS;
    std::string message;
    explicit operator bool() const { return code != CUDNN_STATUS_SUCCESS; }
};
inline Problem problem(cudnnStatus_t code, std::string message) { return Problem{code, std::move(message)}; }

Problem set_attribute(Desc& d, cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, int64_t count,
                      const void* elements);
Problem get_attribute(const Desc& d, cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type,
                      int64_t requested, int64_t* count, void* elements);
const Value* attr(const Desc& d, cudnnBackendAttributeName_t name);
/** The descriptor set as `name` (one element), alive; or a problem naming what is missing or destroyed. */
Problem dependency(const Desc& d, cudnnBackendAttributeName_t name, Desc** out);

// ---- finalize (per descriptor type) ----

Problem finalize_tensor(Desc& d);
Problem finalize_convolution(Desc& d);
Problem finalize_conv_forward(Desc& d);
Problem finalize_graph(Desc& d);
Problem finalize_heuristics(Desc& d);
Problem finalize_engine(Desc& d);
Problem finalize_engine_config(Desc& d);
Problem finalize_knob_choice(Desc& d);
Problem finalize_plan(Desc& d);
Problem finalize_variant_pack(Desc& d);

// ---- the operation graph and the emulated engines (graph.cpp, engines.cpp) ----

/** The forward convolution a finalized operation graph computes (its dependencies must be alive). */
Problem problem_of(const Desc& graph, ConvProblem& out);
int engine_count();
std::string engine_name(int engine);
/** Whether `engine` can run `p`: the checks every engine makes plus its own (a NOT_SUPPORTED_* problem). */
Problem engine_supports(int engine, const ConvProblem& p);
/** The checks every engine makes (types, layout): the heuristics list no engine for a graph that fails them. */
Problem common_support(const ConvProblem& p);
int64_t engine_workspace(int engine, const ConvProblem& p);

/**
 * Whether everything `d` depends on through its descriptor attributes is still alive (and
 * finalized): "" or a description of the first destroyed dependency, naming the chain.
 */
std::string dead_dependency(const Desc& d);

/**
 * Read-only attributes the library computes (workspace sizes, heuristic results, engine notes):
 * fills `out` and returns true when `name` is one of them for `d`. `sources` receives the temporary
 * descriptors whose copies a BACKEND_DESCRIPTOR-valued result hands out.
 */
bool computed_attribute(const Desc& d, cudnnBackendAttributeName_t name, Value& out,
                        std::vector<std::shared_ptr<Desc>>& sources, Problem& p);

}  // namespace tjemu::dnn
