// Emulated cuDNN 9 backend attributes: which attributes each descriptor type has, their
// cudnnBackendAttributeType_t and element counts, and the generic parts of cudnnBackendSetAttribute /
// cudnnBackendGetAttribute. From the attribute lists of "Backend Descriptor Types" in NVIDIA's
// cudnn_graph.h (cuDNN 9.24) and https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html,
// and the cudnnBackendAttributeType_t table (the C type of each CUDNN_TYPE_*):
//  - Set: only before finalize; an attribute the descriptor type lacks, a wrong element count or a NULL
//    array is CUDNN_STATUS_BAD_PARAM; a wrong attribute type CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE
//    (NVIDIA's library answers CUDNN_STATUS_BAD_PARAM or NOT_SUPPORTED for a few, recorded per attribute).
//    Set on a finalized descriptor: CUDNN_STATUS_BAD_PARAM (what NVIDIA's 9.24 returns; the header lists
//    NOT_INITIALIZED among the codes, either way it fails).
//  - Get: only after finalize (else CUDNN_STATUS_NOT_INITIALIZED, as documented); writes
//    min(requestedElementCount, count) elements; *elementCount is the attribute's count when
//    requestedElementCount is 0 (a size query, arrayOfElements may be NULL) and otherwise
//    min(requestedElementCount, count) (NVIDIA's 9.24 behaviour, see cudnn_expected.h "get-dims-*"). A BACKEND_DESCRIPTOR value is copied into descriptors the caller
//    created with cudnnBackendCreateDescriptor of the matching type.
#include "cudnn_emu.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace tjemu::dnn {

int64_t Value::count() const {
    return (int64_t)(ints.size() + reals.size() + ptrs.size() + descs.size());
}

namespace {

constexpr int ANY_OPERATION = -2;  // any CUDNN_BACKEND_OPERATION_*_DESCRIPTOR
constexpr int64_t MANY = 1 << 20;

struct Spec {
    cudnnBackendAttributeName_t name;
    std::vector<cudnnBackendAttributeType_t> types;
    int64_t min = 1, max = 1;
    bool settable = true;
    cudnnStatus_t wrong_type = CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE;
    int desc_type = -1;                 // for BACKEND_DESCRIPTOR elements
    bool finalized_at_set = false;      // NVIDIA checks the element is finalized when it is set
    const char* unreadable = nullptr;   // Get refuses the attribute, for this reason
    int64_t enum_max = -1;              // enum values must lie in [0, enum_max]
    std::optional<int64_t> fallback;    // the value Get reports when it was never set

    Spec(cudnnBackendAttributeName_t n, std::vector<cudnnBackendAttributeType_t> t) : name(n), types(std::move(t)) {}
    Spec& count(int64_t lo, int64_t hi) { min = lo, max = hi; return *this; }
    Spec& get_only() { settable = false; return *this; }
    Spec& wrong(cudnnStatus_t s) { wrong_type = s; return *this; }
    Spec& of(int t) { desc_type = t; return *this; }
    Spec& finalized() { finalized_at_set = true; return *this; }
    Spec& enums(int64_t last) { enum_max = last; return *this; }
    Spec& unset(int64_t v) { fallback = v; return *this; }
    Spec& refuse_get(const char* why) { unreadable = why; return *this; }
};

using T = cudnnBackendAttributeType_t;
const T I64 = CUDNN_TYPE_INT64, DESC = CUDNN_TYPE_BACKEND_DESCRIPTOR, BOOL = CUDNN_TYPE_BOOLEAN;

const std::vector<Spec>& specs(cudnnBackendDescriptorType_t type) {
    static const std::vector<Spec> none;
    static const std::vector<Spec> tensor = {
        Spec(CUDNN_ATTR_TENSOR_UNIQUE_ID, {I64}),
        Spec(CUDNN_ATTR_TENSOR_DATA_TYPE, {CUDNN_TYPE_DATA_TYPE}).enums(CUDNN_DATA_COMPLEX_FP64),
        Spec(CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, {I64}),
        Spec(CUDNN_ATTR_TENSOR_DIMENSIONS, {I64}).count(1, CUDNN_DIM_MAX),
        Spec(CUDNN_ATTR_TENSOR_STRIDES, {I64}).count(1, CUDNN_DIM_MAX),
        Spec(CUDNN_ATTR_TENSOR_VECTOR_COUNT, {I64}).unset(1),
        Spec(CUDNN_ATTR_TENSOR_VECTORIZED_DIMENSION, {I64}),
        Spec(CUDNN_ATTR_TENSOR_IS_VIRTUAL, {BOOL}).unset(0),
        Spec(CUDNN_ATTR_TENSOR_IS_BY_VALUE, {BOOL}).unset(0),
        Spec(CUDNN_ATTR_TENSOR_REORDERING_MODE, {CUDNN_TYPE_TENSOR_REORDERING_MODE})
            .enums(CUDNN_TENSOR_REORDERING_F8_128x4)
            .unset(CUDNN_TENSOR_REORDERING_NONE),
    };
    static const std::vector<Spec> convolution = {
        Spec(CUDNN_ATTR_CONVOLUTION_COMP_TYPE, {CUDNN_TYPE_DATA_TYPE}).enums(CUDNN_DATA_COMPLEX_FP64),
        // Strict: a mode other than CUDNN_CONVOLUTION / CUDNN_CROSS_CORRELATION is refused at set
        // (NVIDIA's 9.24 accepts any value). Strict: Get refuses it. Its documented type is
        // CUDNN_TYPE_CONVOLUTION_MODE, which Set takes, but NVIDIA's 9.24 Get answers that with
        // BAD_PARAM_ATTRIBUTE_TYPE and reads it only as CUDNN_TYPE_DATA_TYPE; a caller reading it either way
        // fails on one of the two, so it fails here.
        Spec(CUDNN_ATTR_CONVOLUTION_CONV_MODE, {CUDNN_TYPE_CONVOLUTION_MODE})
            .enums(CUDNN_CROSS_CORRELATION)
            .refuse_get("its documented type CUDNN_TYPE_CONVOLUTION_MODE is refused by NVIDIA's cuDNN 9.24, which "
                        "reads it only as CUDNN_TYPE_DATA_TYPE, against its documentation; keep the mode you set instead"),
        Spec(CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, {I64}).wrong(CUDNN_STATUS_BAD_PARAM),
        Spec(CUDNN_ATTR_CONVOLUTION_DILATIONS, {I64}).count(1, CUDNN_DIM_MAX),
        Spec(CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, {I64}).count(1, CUDNN_DIM_MAX),
        Spec(CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, {I64}).count(1, CUDNN_DIM_MAX),
        Spec(CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, {I64}).count(1, CUDNN_DIM_MAX),
    };
    // Strict: alpha and beta take exactly one element (the header says "1+ elements"; NVIDIA's 9.24
    // refuses two); X, W, Y and CONV_DESC exactly one (NVIDIA's 9.24 accepts a count of 2).
    static const std::vector<Spec> conv_forward = {
        Spec(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, {CUDNN_TYPE_FLOAT, CUDNN_TYPE_DOUBLE}).wrong(CUDNN_STATUS_BAD_PARAM),
        Spec(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, {CUDNN_TYPE_FLOAT, CUDNN_TYPE_DOUBLE}).wrong(CUDNN_STATUS_BAD_PARAM),
        Spec(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, {DESC})
            .wrong(CUDNN_STATUS_BAD_PARAM)
            .of(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR),
        Spec(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, {DESC}).wrong(CUDNN_STATUS_BAD_PARAM).of(CUDNN_BACKEND_TENSOR_DESCRIPTOR),
        Spec(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, {DESC}).wrong(CUDNN_STATUS_BAD_PARAM).of(CUDNN_BACKEND_TENSOR_DESCRIPTOR),
        Spec(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, {DESC}).wrong(CUDNN_STATUS_BAD_PARAM).of(CUDNN_BACKEND_TENSOR_DESCRIPTOR),
    };
    static const std::vector<Spec> graph = {
        Spec(CUDNN_ATTR_OPERATIONGRAPH_HANDLE, {CUDNN_TYPE_HANDLE}),
        Spec(CUDNN_ATTR_OPERATIONGRAPH_OPS, {DESC}).count(0, MANY).of(ANY_OPERATION).finalized(),
        Spec(CUDNN_ATTR_OPERATIONGRAPH_ENGINE_GLOBAL_COUNT, {I64}).get_only(),
        Spec(CUDNN_ATTR_OPERATIONGRAPH_IS_DYNAMIC_SHAPE_ENABLED, {BOOL}).unset(0),
    };
    static const std::vector<Spec> heuristics = {
        Spec(CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, {DESC}).of(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR),
        Spec(CUDNN_ATTR_ENGINEHEUR_MODE, {CUDNN_TYPE_HEUR_MODE}).enums(CUDNN_HEUR_MODE_A),
        Spec(CUDNN_ATTR_ENGINEHEUR_RESULTS, {DESC}).count(0, MANY).get_only().of(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR),
        Spec(CUDNN_ATTR_ENGINEHEUR_SM_COUNT_TARGET, {CUDNN_TYPE_INT32}),
    };
    static const std::vector<Spec> engine = {
        Spec(CUDNN_ATTR_ENGINE_OPERATION_GRAPH, {DESC}).of(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR),
        Spec(CUDNN_ATTR_ENGINE_GLOBAL_INDEX, {I64}).wrong(CUDNN_STATUS_BAD_PARAM),
        Spec(CUDNN_ATTR_ENGINE_KNOB_INFO, {DESC}).count(0, MANY).get_only().of(CUDNN_BACKEND_KNOB_INFO_DESCRIPTOR),
        Spec(CUDNN_ATTR_ENGINE_NUMERICAL_NOTE, {CUDNN_TYPE_NUMERICAL_NOTE}).count(0, MANY).get_only(),
        Spec(CUDNN_ATTR_ENGINE_BEHAVIOR_NOTE, {CUDNN_TYPE_BEHAVIOR_NOTE}).count(0, MANY).get_only(),
        Spec(CUDNN_ATTR_ENGINE_SM_COUNT_TARGET, {CUDNN_TYPE_INT32}),
    };
    static const std::vector<Spec> engine_config = {
        Spec(CUDNN_ATTR_ENGINECFG_ENGINE, {DESC}).of(CUDNN_BACKEND_ENGINE_DESCRIPTOR),
        Spec(CUDNN_ATTR_ENGINECFG_KNOB_CHOICES, {DESC}).count(0, MANY).of(CUDNN_BACKEND_KNOB_CHOICE_DESCRIPTOR),
        Spec(CUDNN_ATTR_ENGINECFG_WORKSPACE_SIZE, {I64}).get_only(),
        Spec(CUDNN_ATTR_ENGINECFG_SHARED_MEMORY_USED, {I64}).get_only(),
    };
    static const std::vector<Spec> knob_choice = {
        Spec(CUDNN_ATTR_KNOB_CHOICE_KNOB_TYPE, {CUDNN_TYPE_KNOB_TYPE}).enums(CUDNN_KNOB_TYPE_COUNTS - 1),
        Spec(CUDNN_ATTR_KNOB_CHOICE_KNOB_VALUE, {I64}),
    };
    static const std::vector<Spec> plan = {
        Spec(CUDNN_ATTR_EXECUTION_PLAN_HANDLE, {CUDNN_TYPE_HANDLE}),
        Spec(CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, {DESC}).of(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR),
        Spec(CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE, {I64}).get_only(),
    };
    static const std::vector<Spec> variant_pack = {
        Spec(CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, {I64}).count(0, MANY),
        Spec(CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, {CUDNN_TYPE_VOID_PTR}).count(0, MANY).wrong(CUDNN_STATUS_NOT_SUPPORTED),
        Spec(CUDNN_ATTR_VARIANT_PACK_WORKSPACE, {CUDNN_TYPE_VOID_PTR}),
    };
    switch (type) {
    case CUDNN_BACKEND_TENSOR_DESCRIPTOR: return tensor;
    case CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR: return convolution;
    case CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR: return conv_forward;
    case CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR: return graph;
    case CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR: return heuristics;
    case CUDNN_BACKEND_ENGINE_DESCRIPTOR: return engine;
    case CUDNN_BACKEND_ENGINECFG_DESCRIPTOR: return engine_config;
    case CUDNN_BACKEND_KNOB_CHOICE_DESCRIPTOR: return knob_choice;
    case CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR: return plan;
    case CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR: return variant_pack;
    default: return none;
    }
}

/** Attributes NVIDIA documents for these descriptor types that the emulator does not implement. */
bool documented_not_emulated(cudnnBackendDescriptorType_t type, cudnnBackendAttributeName_t name) {
    switch (name) {
    case CUDNN_ATTR_TENSOR_RAGGED_OFFSET_DESC:
    case CUDNN_ATTR_TENSOR_RAGGED_OFFSET_MULTIPLIER:
    case CUDNN_ATTR_TENSOR_CONSTANT_VALUE: return type == CUDNN_BACKEND_TENSOR_DESCRIPTOR;
    case CUDNN_ATTR_ENGINEHEUR_DEVICEPROP: return type == CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR;
    case CUDNN_ATTR_ENGINE_LAYOUT_INFO:
    case CUDNN_ATTR_ENGINE_DEVICEPROP:
    case CUDNN_ATTR_ENGINE_DISABLE_CLUSTER_COOPERATIVE: return type == CUDNN_BACKEND_ENGINE_DESCRIPTOR;
    case CUDNN_ATTR_ENGINECFG_INTERMEDIATE_INFO: return type == CUDNN_BACKEND_ENGINECFG_DESCRIPTOR;
    case CUDNN_ATTR_EXECUTION_PLAN_COMPUTED_INTERMEDIATE_UIDS:
    case CUDNN_ATTR_EXECUTION_PLAN_RUN_ONLY_INTERMEDIATE_UIDS:
    case CUDNN_ATTR_EXECUTION_PLAN_JSON_REPRESENTATION:
    case CUDNN_ATTR_EXECUTION_PLAN_KERNEL_CACHE:
    case CUDNN_ATTR_EXECUTION_PLAN_DEVICEPROP: return type == CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR;
    case CUDNN_ATTR_OPERATIONGRAPH_IS_SAME_TOPOLOGY:
    case CUDNN_ATTR_OPERATIONGRAPH_IS_OVERRIDE_SHAPE_ENABLED:
    case CUDNN_ATTR_OPERATIONGRAPH_MODE: return type == CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR;
    case CUDNN_ATTR_VARIANT_PACK_INTERMEDIATES:
    case CUDNN_ATTR_VARIANT_PACK_OVERRIDE_UNIQUE_IDS:
    case CUDNN_ATTR_VARIANT_PACK_OVERRIDE_SHAPES:
    case CUDNN_ATTR_VARIANT_PACK_OVERRIDE_STRIDES: return type == CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR;
    default: return false;
    }
}

enum class Kind { Int, Real, Ptr, Desc };
Kind kind_of(T t) {
    switch (t) {
    case CUDNN_TYPE_FLOAT:
    case CUDNN_TYPE_DOUBLE: return Kind::Real;
    case CUDNN_TYPE_HANDLE:
    case CUDNN_TYPE_VOID_PTR: return Kind::Ptr;
    case CUDNN_TYPE_BACKEND_DESCRIPTOR: return Kind::Desc;
    default: return Kind::Int;
    }
}

// Elements are read and written as their C types (the cudnnBackendAttributeType_t table): INT64 as
// int64_t, BOOLEAN as bool, INT32 and every enum type as a 4-byte int, FLOAT / DOUBLE, and
// HANDLE / VOID_PTR / BACKEND_DESCRIPTOR as pointers.
int64_t read_int(T t, const void* p, int64_t i) {
    switch (t) {
    case CUDNN_TYPE_INT64: return static_cast<const int64_t*>(p)[i];
    case CUDNN_TYPE_BOOLEAN: return static_cast<const bool*>(p)[i] ? 1 : 0;
    default: return static_cast<const int32_t*>(p)[i];  // INT32 and the 4-byte enums
    }
}

void write_int(T t, void* p, int64_t i, int64_t v) {
    switch (t) {
    case CUDNN_TYPE_INT64: static_cast<int64_t*>(p)[i] = v; break;
    case CUDNN_TYPE_BOOLEAN: static_cast<bool*>(p)[i] = v != 0; break;
    default: static_cast<int32_t*>(p)[i] = (int32_t)v; break;
    }
}

const Spec* find_spec(cudnnBackendDescriptorType_t type, cudnnBackendAttributeName_t name) {
    for (const Spec& s : specs(type))
        if (s.name == name) return &s;
    return nullptr;
}

/** Whether `t` is one of the CUDNN_BACKEND_OPERATION_* types the emulator can create (only the forward convolution). */
bool is_operation(cudnnBackendDescriptorType_t t) { return t == CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR; }

std::string expected(const Spec& s) {
    std::string out;
    for (T t : s.types) out += (out.empty() ? "" : " or ") + std::to_string((int)t);
    return "attribute type " + out;
}

}  // namespace

const Value* attr(const Desc& d, cudnnBackendAttributeName_t name) {
    auto it = d.attrs.find(name);
    return it == d.attrs.end() ? nullptr : &it->second;
}

Problem set_attribute(Desc& d, cudnnBackendAttributeName_t name, T type, int64_t count, const void* elements) {
    const std::string what = attr_name(name) + " of a " + type_name(d.type) + " descriptor";
    if (d.finalized)
        return problem(CUDNN_STATUS_BAD_PARAM, "the descriptor is finalized; its attributes are read-only after "
                                               "cudnnBackendFinalize (setting " + attr_name(name) + ")");
    const Spec* s = find_spec(d.type, name);
    if (s == nullptr) {
        if (documented_not_emulated(d.type, name))
            return problem(CUDNN_STATUS_NOT_SUPPORTED, what + " is documented but not emulated");
        return problem(CUDNN_STATUS_BAD_PARAM, attr_name(name) + " is not an attribute of a " + type_name(d.type) +
                                                   " descriptor");
    }
    if (!s->settable) return problem(CUDNN_STATUS_BAD_PARAM, what + " is read-only (get-only)");
    if (std::find(s->types.begin(), s->types.end(), type) == s->types.end())
        return problem(s->wrong_type, what + " takes " + expected(*s) + ", not " + std::to_string((int)type));
    if (count < s->min || count > s->max)
        return problem(CUDNN_STATUS_BAD_PARAM, what + " takes " + std::to_string(s->min) +
                                                   (s->max == s->min ? "" : (s->max == MANY ? "+" : ".." + std::to_string(s->max))) +
                                                   " elements, not " + std::to_string(count));
    if (elements == nullptr && count > 0)
        return problem(CUDNN_STATUS_BAD_PARAM, what + ": arrayOfElements is NULL with elementCount " + std::to_string(count));
    Value v;
    v.type = type;
    for (int64_t i = 0; i < count; i++) {
        switch (kind_of(type)) {
        case Kind::Int: {
            const int64_t x = read_int(type, elements, i);
            if (s->enum_max >= 0 && (x < 0 || x > s->enum_max))
                return problem(CUDNN_STATUS_BAD_PARAM, what + ": " + std::to_string(x) + " is not a valid value of its enum type");
            v.ints.push_back(x);
            break;
        }
        case Kind::Real:
            v.reals.push_back(type == CUDNN_TYPE_FLOAT ? (double)static_cast<const float*>(elements)[i]
                                                       : static_cast<const double*>(elements)[i]);
            break;
        case Kind::Ptr: {
            void* p = static_cast<void* const*>(elements)[i];
            if (type == CUDNN_TYPE_HANDLE) {
                if (p == nullptr) return problem(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, what + ": the handle is NULL");
                if (live_handle(static_cast<cudnnHandle_t>(p)) == nullptr)
                    return problem(CUDNN_STATUS_BAD_PARAM, what + ": " + hex((uintptr_t)p) +
                                                               " is not a live cuDNN handle (never created, or destroyed)");
            }
            v.ptrs.push_back((uintptr_t)p);
            break;
        }
        case Kind::Desc: {
            void* p = static_cast<void* const*>(elements)[i];
            if (p == nullptr && count == 1) {
                // NVIDIA's 9.24 takes a NULL descriptor as "unset" (it clears the attribute).
                d.attrs.erase(name);
                return {};
            }
            Desc* e = live(p);
            if (e == nullptr)
                return problem(CUDNN_STATUS_BAD_PARAM, what + ": element " + std::to_string(i) + " (" + hex((uintptr_t)p) +
                                                           ") is not a live backend descriptor (never created, or destroyed)");
            const bool type_ok = s->desc_type == ANY_OPERATION ? is_operation(e->type) : (int)e->type == s->desc_type;
            if (!type_ok)
                return problem(CUDNN_STATUS_BAD_PARAM_DESCRIPTOR_TYPE,
                               what + ": element " + std::to_string(i) + " is a " + type_name(e->type) + " descriptor, not " +
                                   (s->desc_type == ANY_OPERATION ? std::string("an operation")
                                                                  : "a " + type_name((cudnnBackendDescriptorType_t)s->desc_type)));
            if (s->finalized_at_set && !e->finalized)
                return problem(CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED,
                               what + ": element " + std::to_string(i) + " (a " + type_name(e->type) + ") is not finalized");
            v.descs.push_back(ref(e));
            break;
        }
        }
    }
    if (name == CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS && (v.ints[0] < 1 || v.ints[0] > CUDNN_DIM_MAX - 2))
        return problem(CUDNN_STATUS_BAD_PARAM, what + " must be 1.." + std::to_string(CUDNN_DIM_MAX - 2) + ", not " +
                                                   std::to_string(v.ints[0]));
    d.attrs[name] = std::move(v);
    return {};
}

Problem get_attribute(const Desc& d, cudnnBackendAttributeName_t name, T type, int64_t requested, int64_t* count,
                      void* elements) {
    const std::string what = attr_name(name) + " of a " + type_name(d.type) + " descriptor";
    if (!d.finalized)
        return problem(CUDNN_STATUS_NOT_INITIALIZED,
                       "the descriptor is not finalized; attributes can be read only after cudnnBackendFinalize (reading " +
                           attr_name(name) + ")");
    const Spec* s = find_spec(d.type, name);
    if (s == nullptr) {
        if (documented_not_emulated(d.type, name))
            return problem(CUDNN_STATUS_NOT_SUPPORTED, what + " is documented but not emulated");
        return problem(CUDNN_STATUS_BAD_PARAM, attr_name(name) + " is not an attribute of a " + type_name(d.type) +
                                                   " descriptor");
    }
    if (s->unreadable) return problem(CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE, what + " cannot be read back: " + s->unreadable);
    if (std::find(s->types.begin(), s->types.end(), type) == s->types.end())
        return problem(CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE,
                       what + " has " + expected(*s) + ", not " + std::to_string((int)type));
    if (requested < 0)
        return problem(CUDNN_STATUS_BAD_PARAM, what + ": requestedElementCount is negative (" + std::to_string(requested) + ")");

    Value v;
    v.type = type;
    std::vector<std::shared_ptr<Desc>> sources;
    Problem p;
    if (computed_attribute(d, name, v, sources, p)) {
        if (p) return p;
    } else if (const Value* set = attr(d, name)) {
        v = *set;
    } else if (s->fallback) {
        v.ints = {*s->fallback};
    }
    const int64_t n = v.count();
    const int64_t written = elements == nullptr ? 0 : std::min(requested, n);
    if (kind_of(type) == Kind::Desc) {
        // Resolve every source before writing anything, so a destroyed dependency leaves the outputs alone.
        std::vector<const Desc*> from;
        for (int64_t i = 0; i < written; i++) {
            if (i < (int64_t)sources.size()) {
                from.push_back(sources[i].get());
                continue;
            }
            const Desc* src = live(v.descs[i]);
            if (src == nullptr)
                return problem(CUDNN_STATUS_BAD_PARAM,
                               what + ": " + gone(v.descs[i]) + ", set as this attribute, is gone. " + kLifetimeRule);
            from.push_back(src);
        }
        for (int64_t i = 0; i < written; i++) {
            void* out = static_cast<void* const*>(elements)[i];
            Desc* dst = live(out);
            if (dst == nullptr)
                return problem(CUDNN_STATUS_BAD_PARAM,
                               what + ": arrayOfElements[" + std::to_string(i) + "] (" + hex((uintptr_t)out) +
                                   ") is not a live descriptor; create it with cudnnBackendCreateDescriptor(" +
                                   type_name(from[i]->type) + ") first");
            if (dst->type != from[i]->type)
                return problem(CUDNN_STATUS_BAD_PARAM, what + ": arrayOfElements[" + std::to_string(i) + "] is a " +
                                                           type_name(dst->type) + " descriptor, the value is a " +
                                                           type_name(from[i]->type));
        }
        for (int64_t i = 0; i < written; i++) {
            Desc* dst = live(static_cast<void* const*>(elements)[i]);
            const uint64_t serial = dst->serial;
            const void* token = dst->token;
            *dst = *from[i];
            dst->serial = serial;
            dst->token = token;
        }
    } else {
        for (int64_t i = 0; i < written; i++) {
            switch (kind_of(type)) {
            case Kind::Int: write_int(type, elements, i, v.ints[i]); break;
            case Kind::Real:
                if (type == CUDNN_TYPE_FLOAT) static_cast<float*>(elements)[i] = (float)v.reals[i];
                else static_cast<double*>(elements)[i] = v.reals[i];
                break;
            case Kind::Ptr: static_cast<void**>(elements)[i] = (void*)v.ptrs[i]; break;
            case Kind::Desc: break;
            }
        }
    }
    if (count != nullptr) *count = requested == 0 ? n : std::min(requested, n);
    return {};
}

Problem dependency(const Desc& d, cudnnBackendAttributeName_t name, Desc** out) {
    const Value* v = attr(d, name);
    if (v == nullptr || v->descs.empty())
        return problem(CUDNN_STATUS_BAD_PARAM, "required attribute " + attr_name(name) + " was not set");
    Desc* e = live(v->descs[0]);
    if (e == nullptr)
        return problem(CUDNN_STATUS_BAD_PARAM,
                       gone(v->descs[0]) + ", set as " + attr_name(name) + ", is gone. " + kLifetimeRule);
    *out = e;
    return {};
}

std::string dead_dependency(const Desc& d) {
    auto walk = [](const Ref& r, const std::string& via) -> std::string {
        const Desc* e = live(r);
        if (e == nullptr) return via + ": " + gone(r);
        const std::string below = dead_dependency(*e);
        return below.empty() ? "" : via + " -> " + below;
    };
    for (const auto& [name, v] : d.attrs)
        for (const Ref& r : v.descs) {
            std::string s = walk(r, attr_name((cudnnBackendAttributeName_t)name) + " (" + type_name(d.type) + ")");
            if (!s.empty()) return s;
        }
    if (d.engine_graph.token != nullptr && attr(d, CUDNN_ATTR_ENGINECFG_ENGINE) == nullptr &&
        attr(d, CUDNN_ATTR_ENGINE_OPERATION_GRAPH) == nullptr) {
        std::string s = walk(d.engine_graph, "the operation graph of the " + type_name(d.type) + " found by the heuristics");
        if (!s.empty()) return s;
    }
    return "";
}

}  // namespace tjemu::dnn
