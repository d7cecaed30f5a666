// Emulated cuDNN 9 engines and heuristics: CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR,
// CUDNN_BACKEND_ENGINE_DESCRIPTOR, CUDNN_BACKEND_ENGINECFG_DESCRIPTOR, CUDNN_BACKEND_KNOB_CHOICE_DESCRIPTOR
// and the read-only attributes the library computes. From their sections of NVIDIA's cudnn_graph.h
// (cuDNN 9.24) / "Backend Descriptor Types" (https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html):
//  - ENGINEHEUR: OPERATION_GRAPH and MODE are required; RESULTS (get-only, 0+ ENGINECFG descriptors) are
//    the engine configurations "ranked by performance according to cuDNN's heuristics", best first.
//    Modes: INSTANT and A (decision tree), B (neural net; NVIDIA notes it does not cover 3D, grouped or
//    dilated convolutions, for which the emulator answers as A), FALLBACK (functional fallback engines).
//    The heuristics list no configuration for a graph no emulated engine computes (types, layout, virtual
//    or by-value tensors): zero results, not an error, as for a graph cuDNN has no engine for.
//  - ENGINE: OPERATION_GRAPH and GLOBAL_INDEX are required; an index outside
//    [0, CUDNN_ATTR_OPERATIONGRAPH_ENGINE_GLOBAL_COUNT) is CUDNN_STATUS_NOT_SUPPORTED, and so is a missing
//    one (as NVIDIA's 9.24 answers); a missing graph CUDNN_STATUS_BAD_PARAM_NULL_POINTER (NVIDIA 9.24); a graph
//    that is not finalized CUDNN_STATUS_BAD_PARAM. Strict: a graph whose operation (or what that was built
//    from) was destroyed is BAD_PARAM (NVIDIA's 9.24 copies the graph and finalizes).
//  - ENGINECFG: ENGINE is required; KNOB_CHOICES 0+; a knob the engine does not have is NOT_SUPPORTED
//    (the emulated engines have none); WORKSPACE_SIZE is read-only.
//  - KNOB_CHOICE: KNOB_TYPE and KNOB_VALUE are required (strict: NVIDIA's 9.24 finalizes an empty one).
//
// The emulated engines (a deliberate emulator choice, within what the documentation allows: heuristics
// may rank first an engine whose plan then fails to finalize, which is why callers try configurations
// in order):
//   0 "tensor-core implicit GEMM": HALF or BFLOAT16 only, channels per group (C and K) multiples of 8,
//     tensors 16-byte aligned; otherwise its execution plan refuses to finalize (NOT_SUPPORTED_*). Needs a
//     workspace (an index table) for filters larger than 1x1.
//   1 "im2col + GEMM": any supported convolution; always needs a workspace (so a caller that ignores
//     CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE is caught).
//   2 "direct": any supported convolution, no workspace. The only FALLBACK engine.
// All three compute the same result (conv_compute.cpp); they differ only in what they accept and need.
#include "cudnn_emu.h"

#include <algorithm>

namespace tjemu::dnn {

namespace {

struct Engine {
    const char* name;
    std::vector<int64_t> notes;  // cudnnBackendNumericalNote_t
};

const Engine engines[] = {
    {"tensor-core implicit GEMM", {CUDNN_NUMERICAL_NOTE_TENSOR_CORE}},
    {"im2col + GEMM", {}},
    {"direct", {}},
};

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

/** Whether no two elements of `g` share an address: sorted by stride, each stride spans the dims below. */
bool non_overlapping(const Geometry& g) {
    std::vector<std::pair<int64_t, int64_t>> ds;  // (stride, dim) of dims larger than 1
    for (int i = 0; i < 5; i++)
        if (g.dims[i] > 1) ds.push_back({g.strides[i], g.dims[i]});
    std::sort(ds.begin(), ds.end());
    int64_t span = 1;
    for (const auto& [stride, dim] : ds) {
        if (stride < span) return false;
        span = stride * dim;
    }
    return true;
}

std::vector<int> order_for(int64_t mode, const ConvProblem& p) {
    const bool b_covers = p.spatial < 3 && p.groups == 1 && p.dilation[0] == 1 && p.dilation[1] == 1 && p.dilation[2] == 1;
    switch (mode) {
    case CUDNN_HEUR_MODE_FALLBACK: return {2};
    case CUDNN_HEUR_MODE_B:
        if (b_covers) return {1, 0, 2};
        return {0, 1, 2};
    default: return {0, 1, 2};  // INSTANT, A
    }
}

std::shared_ptr<Desc> produced(cudnnBackendDescriptorType_t type, int64_t engine, const Ref& graph, int64_t workspace) {
    auto d = std::make_shared<Desc>();
    d->type = type;
    d->token = nullptr;
    d->serial = 0;
    d->finalized = true;
    d->engine_index = engine;
    d->engine_graph = graph;
    d->workspace = workspace;
    return d;
}

Problem workspace_of(const Desc& d, int64_t engine, int64_t& out) {
    const Desc* g = live(d.engine_graph);
    if (g == nullptr)
        return problem(CUDNN_STATUS_BAD_PARAM, "the operation graph the engine computes, " + gone(d.engine_graph) +
                                                   ", is gone. " + kLifetimeRule);
    ConvProblem p;
    if (Problem e = problem_of(*g, p)) return e;
    out = engine_workspace((int)engine, p);
    return {};
}

}  // namespace

int engine_count() { return (int)(sizeof engines / sizeof engines[0]); }

std::string engine_name(int engine) {
    return "engine " + std::to_string(engine) + " (" + engines[engine].name + ")";
}

Problem common_support(const ConvProblem& p) {
    if (p.x.type != p.w.type || p.x.type != p.y.type || element_bytes(p.x.type) == 0)
        return problem(CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE,
                       "the emulated engines need X, W and Y of one type, FLOAT, HALF or BFLOAT16 (they are " +
                           std::to_string(p.x.type) + ", " + std::to_string(p.w.type) + ", " + std::to_string(p.y.type) + ")");
    if (p.comp != CUDNN_DATA_FLOAT)
        return problem(CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE,
                       "the emulated engines accumulate in FLOAT (CUDNN_ATTR_CONVOLUTION_COMP_TYPE is " +
                           std::to_string(p.comp) + ")");
    if (p.any_virtual)
        return problem(CUDNN_STATUS_NOT_SUPPORTED, "a one-operation graph cannot have a virtual X, W or Y");
    if (p.any_by_value)
        return problem(CUDNN_STATUS_NOT_SUPPORTED, "the emulated engines take X, W and Y in device memory, not by value");
    if (!non_overlapping(p.y))
        return problem(CUDNN_STATUS_NOT_SUPPORTED_LAYOUT, "Y's strides make elements overlap");
    return {};
}

Problem engine_supports(int engine, const ConvProblem& p) {
    if (Problem e = common_support(p)) return e;
    if (engine != 0) return {};
    const std::string who = engine_name(0) + " ";
    if (p.x.type != CUDNN_DATA_HALF && p.x.type != CUDNN_DATA_BFLOAT16)
        return problem(CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE, who + "computes HALF and BFLOAT16 convolutions only");
    const int64_t cg = p.w.dims[1], kg = p.w.dims[0] / p.groups;
    if (cg % 8 != 0 || kg % 8 != 0)
        return problem(CUDNN_STATUS_NOT_SUPPORTED_SHAPE, who + "needs input and output channels per group that are "
                                                               "multiples of 8 (C " + std::to_string(cg) + ", K " +
                                                               std::to_string(kg) + ")");
    for (const Geometry* g : {&p.x, &p.w, &p.y})
        if (g->alignment < 16)
            return problem(CUDNN_STATUS_NOT_SUPPORTED_LAYOUT,
                           who + "needs 16-byte aligned tensors (tensor " + std::to_string(g->uid) +
                               " has CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT " + std::to_string(g->alignment) + ")");
    return {};
}

int64_t engine_workspace(int engine, const ConvProblem& p) {
    const int64_t taps = p.w.dims[2] * p.w.dims[3] * p.w.dims[4];
    const int64_t pixels = p.y.dims[2] * p.y.dims[3] * p.y.dims[4];
    switch (engine) {
    case 0: return taps > 1 ? round_up(pixels * taps * 4, 256) : 0;
    case 1: {
        const int64_t im2col = p.y.dims[0] * pixels * p.x.dims[1] * taps * (int64_t)element_bytes(p.x.type);
        return std::max<int64_t>(256, round_up(std::min<int64_t>(im2col, 16 << 20), 256));
    }
    default: return 0;
    }
}

Problem finalize_heuristics(Desc& d) {
    Desc* g;
    if (Problem p = dependency(d, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, &g)) return p;
    if (!g->finalized) return problem(CUDNN_STATUS_BAD_PARAM, "the operation graph is not finalized");
    if (attr(d, CUDNN_ATTR_ENGINEHEUR_MODE) == nullptr)
        return problem(CUDNN_STATUS_BAD_PARAM, "required attribute CUDNN_ATTR_ENGINEHEUR_MODE was not set");
    if (std::string dead = dead_dependency(*g); !dead.empty())
        return problem(CUDNN_STATUS_BAD_PARAM, "the operation graph: " + dead);
    ConvProblem p;
    if (Problem e = problem_of(*g, p)) return e;
    d.engine_graph = ref(g);
    d.engines.clear();
    if (tjemu::fault("cudnn.heuristic")) {
        tjemu::report("fault injected at cudnn.heuristic: the heuristics find no engine configuration");
        return {};
    }
    if (common_support(p)) return {};  // no engine computes this graph: zero results
    d.engines = order_for(attr(d, CUDNN_ATTR_ENGINEHEUR_MODE)->ints[0], p);
    return {};
}

Problem finalize_engine(Desc& d) {
    if (attr(d, CUDNN_ATTR_ENGINE_OPERATION_GRAPH) == nullptr)  // NVIDIA's 9.24 answers this with NULL_POINTER
        return problem(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, "required attribute CUDNN_ATTR_ENGINE_OPERATION_GRAPH was not set");
    Desc* g;
    if (Problem p = dependency(d, CUDNN_ATTR_ENGINE_OPERATION_GRAPH, &g)) return p;
    if (!g->finalized) return problem(CUDNN_STATUS_BAD_PARAM, "the operation graph is not finalized");
    if (std::string dead = dead_dependency(*g); !dead.empty())
        return problem(CUDNN_STATUS_BAD_PARAM, "the operation graph depends on a descriptor that is gone: " + dead + ". " +
                                                   kLifetimeRule);
    const Value* index = attr(d, CUDNN_ATTR_ENGINE_GLOBAL_INDEX);
    if (index == nullptr)
        return problem(CUDNN_STATUS_NOT_SUPPORTED, "required attribute CUDNN_ATTR_ENGINE_GLOBAL_INDEX was not set");
    if (index->ints[0] < 0 || index->ints[0] >= engine_count())
        return problem(CUDNN_STATUS_NOT_SUPPORTED, "CUDNN_ATTR_ENGINE_GLOBAL_INDEX " + std::to_string(index->ints[0]) +
                                                       " is outside [0, " + std::to_string(engine_count()) + ")");
    d.engine_index = index->ints[0];
    d.engine_graph = ref(g);
    return {};
}

Problem finalize_engine_config(Desc& d) {
    Desc* e;
    if (Problem p = dependency(d, CUDNN_ATTR_ENGINECFG_ENGINE, &e)) return p;
    if (!e->finalized) return problem(CUDNN_STATUS_BAD_PARAM, "the engine is not finalized");
    if (const Value* knobs = attr(d, CUDNN_ATTR_ENGINECFG_KNOB_CHOICES); knobs && !knobs->descs.empty()) {
        for (const Ref& r : knobs->descs) {
            const Desc* k = live(r);
            if (k == nullptr) return problem(CUDNN_STATUS_BAD_PARAM, "knob choice " + gone(r) + " is gone. " + kLifetimeRule);
            if (!k->finalized) return problem(CUDNN_STATUS_BAD_PARAM, "a knob choice is not finalized");
        }
        return problem(CUDNN_STATUS_NOT_SUPPORTED, engine_name((int)e->engine_index) + " has no knobs");
    }
    d.engine_index = e->engine_index;
    d.engine_graph = e->engine_graph;
    return workspace_of(d, d.engine_index, d.workspace);
}

Problem finalize_knob_choice(Desc& d) {
    for (auto name : {CUDNN_ATTR_KNOB_CHOICE_KNOB_TYPE, CUDNN_ATTR_KNOB_CHOICE_KNOB_VALUE})
        if (attr(d, name) == nullptr) return problem(CUDNN_STATUS_BAD_PARAM, "required attribute " + attr_name(name) + " was not set");
    return {};
}

bool computed_attribute(const Desc& d, cudnnBackendAttributeName_t name, Value& out,
                        std::vector<std::shared_ptr<Desc>>& sources, Problem& p) {
    auto descs = [&](std::vector<std::shared_ptr<Desc>> v) {
        sources = std::move(v);
        out.descs.assign(sources.size(), Ref{});
    };
    switch (name) {
    case CUDNN_ATTR_OPERATIONGRAPH_ENGINE_GLOBAL_COUNT: out.ints = {engine_count()}; return true;
    case CUDNN_ATTR_ENGINEHEUR_RESULTS: {
        std::vector<std::shared_ptr<Desc>> v;
        for (int e : d.engines) {
            int64_t ws = 0;
            if ((p = workspace_of(d, e, ws))) return true;
            v.push_back(produced(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR, e, d.engine_graph, ws));
        }
        descs(std::move(v));
        return true;
    }
    case CUDNN_ATTR_ENGINE_KNOB_INFO:
    case CUDNN_ATTR_ENGINE_BEHAVIOR_NOTE: return true;  // none
    case CUDNN_ATTR_ENGINE_NUMERICAL_NOTE: out.ints = engines[d.engine_index].notes; return true;
    case CUDNN_ATTR_ENGINE_OPERATION_GRAPH: {
        if (attr(d, name) != nullptr) return false;  // set by the caller: handed back as set
        const Desc* g = live(d.engine_graph);
        if (g == nullptr) {
            p = problem(CUDNN_STATUS_BAD_PARAM,
                        "the engine's operation graph, " + gone(d.engine_graph) + ", is gone. " + kLifetimeRule);
            return true;
        }
        descs({std::make_shared<Desc>(*g)});
        return true;
    }
    case CUDNN_ATTR_ENGINE_GLOBAL_INDEX:  // an engine the heuristics made (copied out of a configuration)
        if (attr(d, name) != nullptr) return false;
        out.ints = {d.engine_index};
        return true;
    case CUDNN_ATTR_ENGINECFG_ENGINE:
        if (attr(d, name) != nullptr) return false;
        descs({produced(CUDNN_BACKEND_ENGINE_DESCRIPTOR, d.engine_index, d.engine_graph, 0)});
        return true;
    case CUDNN_ATTR_ENGINECFG_WORKSPACE_SIZE:
    case CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE: out.ints = {d.workspace}; return true;
    case CUDNN_ATTR_ENGINECFG_SHARED_MEMORY_USED: out.ints = {0}; return true;
    default: return false;
    }
}

}  // namespace tjemu::dnn
