// Emulated cuDNN 9 CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR finalization, and the convolution a
// finalized graph computes. From the descriptor's section of NVIDIA's cudnn_graph.h (cuDNN 9.24) /
// "Backend Descriptor Types" (https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html):
//  - OPS (1+ operation descriptors) is required; CUDNN_STATUS_BAD_PARAM when one of them is not
//    finalized (NVIDIA's 9.24 already refuses an unfinalized op at set, BAD_PARAM_NOT_FINALIZED) or
//    the handle is not valid; CUDNN_STATUS_NOT_SUPPORTED for a combination of operations the library
//    does not support: the emulator supports one forward convolution per graph.
//  - HANDLE is deprecated in cuDNN 9 (CUDNN_DEPRECATED_ENUM) and NVIDIA's 9.24 finalizes without it:
//    optional here.
//  - Strict: tensors are identified by CUDNN_ATTR_TENSOR_UNIQUE_ID ("an integer that uniquely identifies
//    the tensor"), so two of X, W, Y with the same UID are CUDNN_STATUS_BAD_PARAM here (the operation
//    finalizes; NVIDIA's 9.24 finalizes such a graph too when all its engine libraries are installed, and
//    answers BAD_PARAM with fewer). The same operation listed twice: BAD_PARAM (as NVIDIA's 9.24 answers).
//  - Strict: an operation, or a descriptor it was built from, that was destroyed is refused (see
//    dead_dependency in attributes.cpp; NVIDIA's 9.24 copies what is set and finalizes).
//  - IS_DYNAMIC_SHAPE_ENABLED true: not emulated.
#include "cudnn_emu.h"

namespace tjemu::dnn {

namespace {

Geometry geometry(const TensorInfo& t, int64_t spatial) {
    // [N, C, s...] to [N, C, D, H, W]: missing leading spatial dims have size 1.
    Geometry g{};
    g.type = t.type;
    g.uid = t.uid;
    g.alignment = t.alignment;
    const int64_t pad = 3 - spatial;
    for (int i = 0; i < 5; i++) {
        g.dims[i] = 1;
        g.strides[i] = 1;
    }
    g.dims[0] = t.dims[0], g.strides[0] = t.strides[0];
    g.dims[1] = t.dims[1], g.strides[1] = t.strides[1];
    for (int64_t i = 0; i < spatial; i++) {
        g.dims[2 + pad + i] = t.dims[2 + i];
        g.strides[2 + pad + i] = t.strides[2 + i];
    }
    return g;
}

}  // namespace

Problem finalize_graph(Desc& d) {
    const Value* ops = attr(d, CUDNN_ATTR_OPERATIONGRAPH_OPS);
    if (ops == nullptr || ops->descs.empty())
        return problem(CUDNN_STATUS_BAD_PARAM, "required attribute CUDNN_ATTR_OPERATIONGRAPH_OPS was not set (or is empty)");
    if (const Value* dyn = attr(d, CUDNN_ATTR_OPERATIONGRAPH_IS_DYNAMIC_SHAPE_ENABLED); dyn && dyn->ints[0])
        return problem(CUDNN_STATUS_NOT_SUPPORTED, "dynamic shapes are not emulated");
    for (size_t i = 0; i < ops->descs.size(); i++) {
        const Desc* op = live(ops->descs[i]);
        if (op == nullptr)
            return problem(CUDNN_STATUS_BAD_PARAM, "operation " + std::to_string(i) + " of CUDNN_ATTR_OPERATIONGRAPH_OPS, " +
                                                       gone(ops->descs[i]) + ", is gone. " + kLifetimeRule);
        if (!op->finalized) return problem(CUDNN_STATUS_BAD_PARAM, "operation " + std::to_string(i) + " is not finalized");
        if (std::string dead = dead_dependency(*op); !dead.empty())
            return problem(CUDNN_STATUS_BAD_PARAM, "operation " + std::to_string(i) + " depends on a descriptor that is gone: " +
                                                       dead + ". " + kLifetimeRule);
    }
    for (size_t i = 0; i < ops->descs.size(); i++)
        for (size_t j = 0; j < i; j++)
            if (ops->descs[i].token == ops->descs[j].token)
                return problem(CUDNN_STATUS_BAD_PARAM, "operations " + std::to_string(j) + " and " + std::to_string(i) +
                                                           " of CUDNN_ATTR_OPERATIONGRAPH_OPS are the same descriptor");
    if (ops->descs.size() != 1)
        return problem(CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN,
                       "the emulator supports graphs of one forward convolution, not " + std::to_string(ops->descs.size()) +
                           " operations");
    const Desc* op = live(ops->descs[0]);
    if (op->type != CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR)
        return problem(CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN, "the emulator supports forward convolutions only");
    ConvProblem p;
    if (Problem e = problem_of(d, p)) return e;
    if (p.x.uid == p.w.uid || p.x.uid == p.y.uid || p.w.uid == p.y.uid)
        return problem(CUDNN_STATUS_BAD_PARAM,
                       "tensors X, W and Y have unique ids " + std::to_string(p.x.uid) + ", " + std::to_string(p.w.uid) +
                           ", " + std::to_string(p.y.uid) + ": CUDNN_ATTR_TENSOR_UNIQUE_ID must identify one tensor");
    return {};
}

Problem problem_of(const Desc& graph, ConvProblem& out) {
    const Value* ops = attr(graph, CUDNN_ATTR_OPERATIONGRAPH_OPS);
    if (ops == nullptr || ops->descs.size() != 1) return problem(CUDNN_STATUS_INTERNAL_ERROR, "graph without its operation");
    const Desc* op = live(ops->descs[0]);
    if (op == nullptr)
        return problem(CUDNN_STATUS_BAD_PARAM, "the graph's operation, " + gone(ops->descs[0]) + ", is gone. " + kLifetimeRule);
    Desc *x, *w, *y, *c;
    for (const auto& [name, dst] : {std::pair{CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, &x},
                                    std::pair{CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, &w},
                                    std::pair{CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, &y},
                                    std::pair{CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, &c}})
        if (Problem p = dependency(*op, name, dst)) return p;
    const ConvInfo& k = c->conv;
    out = ConvProblem{};
    out.spatial = k.spatial;
    if (k.spatial > 3) return problem(CUDNN_STATUS_NOT_SUPPORTED, "the emulator supports 1 to 3 spatial dimensions");
    out.x = geometry(x->tensor, k.spatial);
    out.w = geometry(w->tensor, k.spatial);
    out.y = geometry(y->tensor, k.spatial);
    const int64_t pad = 3 - k.spatial;
    for (int i = 0; i < 3; i++) out.pre[i] = out.post[i] = 0, out.stride[i] = out.dilation[i] = 1;
    for (int64_t i = 0; i < k.spatial; i++) {
        out.pre[pad + i] = k.pre[i];
        out.post[pad + i] = k.post[i];
        out.stride[pad + i] = k.stride[i];
        out.dilation[pad + i] = k.dilation[i];
    }
    out.flip = k.mode == CUDNN_CONVOLUTION;
    out.comp = k.comp;
    out.any_virtual = x->tensor.is_virtual || w->tensor.is_virtual || y->tensor.is_virtual;
    out.any_by_value = x->tensor.by_value || w->tensor.by_value || y->tensor.by_value;
    out.groups = out.x.dims[1] / out.w.dims[1];
    out.alpha = (float)attr(*op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA)->reals[0];
    out.beta = (float)attr(*op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA)->reals[0];
    return {};
}

}  // namespace tjemu::dnn
