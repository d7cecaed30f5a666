// Emulated cuDNN 9 backend descriptor entry points: cudnnBackendCreateDescriptor,
// cudnnBackendDestroyDescriptor, cudnnBackendInitialize, cudnnBackendFinalize,
// cudnnBackendSetAttribute, cudnnBackendGetAttribute (cudnnBackendExecute is in execute.cpp).
// From NVIDIA's cudnn_graph.h (cuDNN 9.24) and the cudnn_graph Library page
// (https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html):
//  - CreateDescriptor: CUDNN_STATUS_NOT_SUPPORTED for a type that cannot be created (the emulator
//    implements the types of a forward-convolution graph; NVIDIA's 9.24 answers an out-of-range type
//    with CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED, the documentation says NOT_SUPPORTED).
//  - Finalize "checks all the attributes set between the create and finalize phase"; after it the
//    attributes are read-only and can be read. Finalizing twice: CUDNN_STATUS_BAD_PARAM (NVIDIA 9.24).
//  - A NULL descriptor: CUDNN_STATUS_BAD_PARAM_NULL_POINTER for Finalize, Set and Destroy, and
//    CUDNN_STATUS_BAD_PARAM for Get (NVIDIA 9.24).
//  - Strict: a pointer that is not a live descriptor (destroyed, never created) is CUDNN_STATUS_BAD_PARAM
//    instead of undefined behaviour, and descriptor addresses are never reused.
#include "cudnn_emu.h"

#include <sys/mman.h>

#include <map>

namespace tjemu::dnn {

namespace {

struct Registry {
    std::map<const void*, std::unique_ptr<Desc>> live;
    std::map<const void*, cudnnBackendDescriptorType_t> destroyed;  // for messages
    uint64_t next_serial = 1;
};

Registry& registry() {
    static Registry r;
    return r;
}

bool creatable(cudnnBackendDescriptorType_t t) {
    switch (t) {
    case CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR:
    case CUDNN_BACKEND_ENGINE_DESCRIPTOR:
    case CUDNN_BACKEND_ENGINECFG_DESCRIPTOR:
    case CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR:
    case CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR:
    case CUDNN_BACKEND_KNOB_CHOICE_DESCRIPTOR:
    case CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR:
    case CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR:
    case CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR:
    case CUDNN_BACKEND_TENSOR_DESCRIPTOR: return true;
    default: return false;
    }
}

std::string describe(const void* p) {
    auto it = registry().destroyed.find(p);
    if (it != registry().destroyed.end())
        return hex((uintptr_t)p) + " is a " + type_name(it->second) + " descriptor that was already destroyed";
    return hex((uintptr_t)p) + " is not a backend descriptor (never created by cudnnBackendCreateDescriptor)";
}

std::string call(const char* fn, cudnnBackendDescriptor_t d) { return std::string(fn) + "(" + hex((uintptr_t)d) + ")"; }

std::string call(const char* fn, cudnnBackendDescriptor_t d, cudnnBackendAttributeName_t a) {
    const Desc* e = live(d);
    return std::string(fn) + "(" + hex((uintptr_t)d) + (e ? " " + type_name(e->type) : "") + ", " + attr_name(a) + ")";
}

}  // namespace

std::recursive_mutex& lock() {
    static std::recursive_mutex m;
    return m;
}

void* new_token() {
    // 1 GiB of address space, never accessible, handed out 16 bytes at a time.
    static constexpr size_t size = size_t(1) << 30;
    static char* base = [] {
        void* p = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        return p == MAP_FAILED ? nullptr : static_cast<char*>(p);
    }();
    static size_t next = 16;
    if (base == nullptr || next >= size) return new char[16];  // still unique: never freed
    void* t = base + next;
    next += 16;
    return t;
}

Desc* live(const void* p) {
    auto it = registry().live.find(p);
    return it == registry().live.end() ? nullptr : it->second.get();
}

Desc* live(const Ref& r) {
    Desc* d = live(r.token);
    return d != nullptr && d->serial == r.serial ? d : nullptr;
}

Ref ref(Desc* d) { return Ref{d->token, d->serial}; }

std::string gone(const Ref& r) {
    if (const Desc* d = live(r.token)) {  // the same address, re-initialized (cudnnBackendInitialize)
        return "the " + type_name(d->type) + " descriptor " + hex((uintptr_t)r.token) +
               " (re-initialized with cudnnBackendInitialize since it was set)";
    }
    auto it = registry().destroyed.find(r.token);
    if (it != registry().destroyed.end())
        return "the " + type_name(it->second) + " descriptor " + hex((uintptr_t)r.token) +
               " (destroyed with cudnnBackendDestroyDescriptor)";
    return "descriptor " + hex((uintptr_t)r.token) + " (no longer alive)";
}

const char* const kLifetimeRule =
    "cuDNN's documentation does not say that a descriptor set as an attribute of another is copied, so the emulator "
    "requires it to stay alive until every descriptor built from it is no longer used (NVIDIA's cuDNN 9.24 happens to "
    "copy it; do not rely on that)";

}  // namespace tjemu::dnn

using namespace tjemu::dnn;

TJDNN_API cudnnStatus_t CUDNNWINAPI cudnnBackendCreateDescriptor(cudnnBackendDescriptorType_t descriptorType,
                                                                 cudnnBackendDescriptor_t* descriptor) {
    std::lock_guard<std::recursive_mutex> g(lock());
    const std::string fn = "cudnnBackendCreateDescriptor(" + type_name(descriptorType) + ")";
    if (descriptor == nullptr)
        return traced(fn, fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, fn, "descriptor (the output pointer) is NULL"));
    if (!creatable(descriptorType))
        return traced(fn, fail(CUDNN_STATUS_NOT_SUPPORTED, fn,
                               "the emulator creates TENSOR, CONVOLUTION, OPERATION_CONVOLUTION_FORWARD, OPERATIONGRAPH, "
                               "ENGINEHEUR, ENGINE, ENGINECFG, KNOB_CHOICE, EXECUTION_PLAN and VARIANT_PACK descriptors, not " +
                                   type_name(descriptorType)));
    void* token = new_token();
    auto d = std::make_unique<Desc>();
    d->type = descriptorType;
    d->token = token;
    d->serial = registry().next_serial++;
    registry().live[token] = std::move(d);
    *descriptor = token;
    return traced(fn + " = " + hex((uintptr_t)token), CUDNN_STATUS_SUCCESS);
}

TJDNN_API cudnnStatus_t CUDNNWINAPI cudnnBackendDestroyDescriptor(cudnnBackendDescriptor_t descriptor) {
    std::lock_guard<std::recursive_mutex> g(lock());
    const std::string fn = call("cudnnBackendDestroyDescriptor", descriptor);
    if (descriptor == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, fn, "descriptor is NULL"));
    auto it = registry().live.find(descriptor);
    if (it == registry().live.end()) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, describe(descriptor)));
    registry().destroyed[descriptor] = it->second->type;
    registry().live.erase(it);
    return traced(fn, CUDNN_STATUS_SUCCESS);
}

// Deprecated since 9.2 ("Repurposes pre-allocated memory for a backend descriptor"): the emulator
// returns the descriptor to its just-created state.
TJDNN_API cudnnStatus_t CUDNNWINAPI cudnnBackendInitialize(cudnnBackendDescriptor_t descriptor) {
    std::lock_guard<std::recursive_mutex> g(lock());
    const std::string fn = call("cudnnBackendInitialize", descriptor);
    if (descriptor == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, fn, "descriptor is NULL"));
    Desc* d = live(descriptor);
    if (d == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, describe(descriptor)));
    Desc fresh;
    fresh.type = d->type;
    fresh.token = d->token;
    fresh.serial = registry().next_serial++;  // what referred to the old contents no longer does
    *d = fresh;
    return traced(fn, CUDNN_STATUS_SUCCESS);
}

TJDNN_API cudnnStatus_t CUDNNWINAPI cudnnBackendFinalize(cudnnBackendDescriptor_t descriptor) {
    std::lock_guard<std::recursive_mutex> g(lock());
    std::string fn = call("cudnnBackendFinalize", descriptor);
    if (descriptor == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, fn, "descriptor is NULL"));
    Desc* d = live(descriptor);
    if (d == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, describe(descriptor)));
    fn = "cudnnBackendFinalize(" + hex((uintptr_t)descriptor) + " " + type_name(d->type) + ")";
    if (d->finalized) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, "the descriptor is already finalized"));
    Problem p;
    switch (d->type) {
    case CUDNN_BACKEND_TENSOR_DESCRIPTOR: p = finalize_tensor(*d); break;
    case CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR: p = finalize_convolution(*d); break;
    case CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR: p = finalize_conv_forward(*d); break;
    case CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR: p = finalize_graph(*d); break;
    case CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR: p = finalize_heuristics(*d); break;
    case CUDNN_BACKEND_ENGINE_DESCRIPTOR: p = finalize_engine(*d); break;
    case CUDNN_BACKEND_ENGINECFG_DESCRIPTOR: p = finalize_engine_config(*d); break;
    case CUDNN_BACKEND_KNOB_CHOICE_DESCRIPTOR: p = finalize_knob_choice(*d); break;
    case CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR: p = finalize_plan(*d); break;
    case CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR: p = finalize_variant_pack(*d); break;
    default: p = problem(CUDNN_STATUS_NOT_SUPPORTED, "not emulated"); break;
    }
    if (p) return traced(fn, fail(p.code, fn, p.message));
    d->finalized = true;
    return traced(fn, CUDNN_STATUS_SUCCESS);
}

TJDNN_API cudnnStatus_t CUDNNWINAPI cudnnBackendSetAttribute(cudnnBackendDescriptor_t descriptor,
                                                             cudnnBackendAttributeName_t attributeName,
                                                             cudnnBackendAttributeType_t attributeType,
                                                             int64_t elementCount, const void* arrayOfElements) {
    std::lock_guard<std::recursive_mutex> g(lock());
    const std::string fn = call("cudnnBackendSetAttribute", descriptor, attributeName);
    if (descriptor == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, fn, "descriptor is NULL"));
    Desc* d = live(descriptor);
    if (d == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, describe(descriptor)));
    Problem p = set_attribute(*d, attributeName, attributeType, elementCount, arrayOfElements);
    if (p) return traced(fn, fail(p.code, fn, p.message));
    return traced(fn, CUDNN_STATUS_SUCCESS);
}

TJDNN_API cudnnStatus_t CUDNNWINAPI cudnnBackendGetAttribute(cudnnBackendDescriptor_t const descriptor,
                                                             cudnnBackendAttributeName_t attributeName,
                                                             cudnnBackendAttributeType_t attributeType,
                                                             int64_t requestedElementCount, int64_t* elementCount,
                                                             void* arrayOfElements) {
    std::lock_guard<std::recursive_mutex> g(lock());
    const std::string fn = call("cudnnBackendGetAttribute", descriptor, attributeName);
    if (descriptor == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, "descriptor is NULL"));
    Desc* d = live(descriptor);
    if (d == nullptr) return traced(fn, fail(CUDNN_STATUS_BAD_PARAM, fn, describe(descriptor)));
    Problem p = get_attribute(*d, attributeName, attributeType, requestedElementCount, elementCount, arrayOfElements);
    if (p) return traced(fn, fail(p.code, fn, p.message));
    return traced(fn, CUDNN_STATUS_SUCCESS);
}
