// Emulated cuDNN 9 CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR and CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR
// finalization. From their sections of NVIDIA's cudnn_graph.h (cuDNN 9.24) / "Backend Descriptor Types"
// (https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html):
//  - EXECUTION_PLAN: ENGINE_CONFIG is required; HANDLE is documented as required but deprecated in
//    cuDNN 9 (CUDNN_DEPRECATED_ENUM), so optional here; WORKSPACE_SIZE is read-only. Finalizing compiles
//    the configuration for the graph: an engine that cannot run it refuses (CUDNN_STATUS_NOT_SUPPORTED_*,
//    see engines.cpp). Intermediates, JSON serialization and kernel caches are not emulated.
//  - VARIANT_PACK: UNIQUE_IDS (0+ INT64), DATA_POINTERS (0+ VOID_PTR) and WORKSPACE (1 VOID_PTR) are
//    required. Strict: all three must be set (NVIDIA's 9.24 finalizes without them), one pointer per
//    UID (NVIDIA's 9.24 also refuses a count mismatch) and no UID twice (CUDNN_STATUS_BAD_PARAM_DUPLICATED_ENTRIES;
//    NVIDIA's 9.24 accepts duplicates). Pointers themselves are checked by cudnnBackendExecute.
#include "cudnn_emu.h"

#include <set>

namespace tjemu::dnn {

Problem finalize_plan(Desc& d) {
    Desc* cfg;
    if (Problem p = dependency(d, CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, &cfg)) return p;
    if (!cfg->finalized) return problem(CUDNN_STATUS_BAD_PARAM, "the engine configuration is not finalized");
    if (const Value* h = attr(d, CUDNN_ATTR_EXECUTION_PLAN_HANDLE)) {
        Handle* handle = live_handle((cudnnHandle_t)h->ptrs[0]);
        if (handle == nullptr)
            return problem(CUDNN_STATUS_BAD_PARAM, "the handle set as CUDNN_ATTR_EXECUTION_PLAN_HANDLE was destroyed");
        d.plan_handle = handle->serial;
        d.plan_handle_ptr = (cudnnHandle_t)h->ptrs[0];
    }
    if (std::string dead = dead_dependency(*cfg); !dead.empty())
        return problem(CUDNN_STATUS_BAD_PARAM,
                       "the engine configuration depends on a descriptor that is gone: " + dead + ". " + kLifetimeRule);
    const Desc* graph = live(cfg->engine_graph);
    if (graph == nullptr)
        return problem(CUDNN_STATUS_BAD_PARAM, "the engine configuration's operation graph, " + gone(cfg->engine_graph) +
                                                   ", is gone. " + kLifetimeRule);
    auto p = std::make_shared<ConvProblem>();
    if (Problem e = problem_of(*graph, *p)) return e;
    if (Problem e = engine_supports((int)cfg->engine_index, *p)) return e;
    d.engine_index = cfg->engine_index;
    d.engine_graph = cfg->engine_graph;
    d.workspace = engine_workspace((int)cfg->engine_index, *p);
    d.problem = p;
    return {};
}

Problem finalize_variant_pack(Desc& d) {
    for (auto name : {CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_ATTR_VARIANT_PACK_WORKSPACE})
        if (attr(d, name) == nullptr) return problem(CUDNN_STATUS_BAD_PARAM, "required attribute " + attr_name(name) + " was not set");
    const Value* uids = attr(d, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS);
    const Value* ptrs = attr(d, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS);
    if (uids->ints.size() != ptrs->ptrs.size())
        return problem(CUDNN_STATUS_BAD_PARAM, std::to_string(uids->ints.size()) + " unique ids but " +
                                                   std::to_string(ptrs->ptrs.size()) + " data pointers");
    std::set<int64_t> seen;
    for (int64_t u : uids->ints)
        if (!seen.insert(u).second)
            return problem(CUDNN_STATUS_BAD_PARAM_DUPLICATED_ENTRIES, "unique id " + std::to_string(u) + " appears twice");
    return {};
}

}  // namespace tjemu::dnn
