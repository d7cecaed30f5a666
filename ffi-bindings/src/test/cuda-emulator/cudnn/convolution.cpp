// Emulated cuDNN 9 CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR and
// CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR finalization. From their sections of
// NVIDIA's cudnn_graph.h (cuDNN 9.24) / "Backend Descriptor Types"
// (https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html):
//  Convolution: COMP_TYPE, CONV_MODE, SPATIAL_DIMS, DILATIONS, FILTER_STRIDES, PRE_PADDINGS and
//  POST_PADDINGS are required; CUDNN_STATUS_BAD_PARAM when the element count of the four arrays is
//  not SPATIAL_DIMS. Strict: COMP_TYPE, CONV_MODE and the paddings must really be set (NVIDIA's 9.24
//  defaults them). Negative paddings and non-positive strides or dilations: BAD_PARAM (NVIDIA 9.24).
//  Forward operation: y = alpha * (w * x) + beta * y; X, W, Y, CONV_DESC, ALPHA and BETA are required
//  (strict for ALPHA and BETA, which NVIDIA's 9.24 defaults). With tensors of SPATIAL_DIMS + 2
//  dimensions, X is [N, GC, ...], W [GK, C, ...], Y [N, GK, ...] (G groups, packed per group) and
//  finalize asserts they form a valid convolution, else CUDNN_STATUS_BAD_PARAM; each output size
//  must be (in + pre + post - dilation * (filter - 1) - 1) / stride + 1. The SPATIAL_DIMS + 3 form
//  ([N, G, C, ...]) is documented but not emulated (CUDNN_STATUS_NOT_SUPPORTED).
#include "cudnn_emu.h"

namespace tjemu::dnn {

namespace {

std::string list(const std::vector<int64_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

}  // namespace

Problem finalize_convolution(Desc& d) {
    for (auto name : {CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_ATTR_CONVOLUTION_CONV_MODE,
                      CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_ATTR_CONVOLUTION_POST_PADDINGS,
                      CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, CUDNN_ATTR_CONVOLUTION_DILATIONS})
        if (attr(d, name) == nullptr) return problem(CUDNN_STATUS_BAD_PARAM, "required attribute " + attr_name(name) + " was not set");
    ConvInfo c;
    c.spatial = attr(d, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS)->ints[0];
    c.comp = (cudnnDataType_t)attr(d, CUDNN_ATTR_CONVOLUTION_COMP_TYPE)->ints[0];
    c.mode = (cudnnConvolutionMode_t)attr(d, CUDNN_ATTR_CONVOLUTION_CONV_MODE)->ints[0];
    c.pre = attr(d, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS)->ints;
    c.post = attr(d, CUDNN_ATTR_CONVOLUTION_POST_PADDINGS)->ints;
    c.stride = attr(d, CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES)->ints;
    c.dilation = attr(d, CUDNN_ATTR_CONVOLUTION_DILATIONS)->ints;
    const std::pair<cudnnBackendAttributeName_t, const std::vector<int64_t>*> arrays[] = {
        {CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, &c.pre}, {CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, &c.post},
        {CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, &c.stride}, {CUDNN_ATTR_CONVOLUTION_DILATIONS, &c.dilation}};
    for (const auto& [name, v] : arrays)
        if ((int64_t)v->size() != c.spatial)
            return problem(CUDNN_STATUS_BAD_PARAM, attr_name(name) + " has " + std::to_string(v->size()) +
                                                       " elements, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS is " +
                                                       std::to_string(c.spatial));
    for (int64_t i = 0; i < c.spatial; i++) {
        if (c.pre[i] < 0 || c.post[i] < 0)
            return problem(CUDNN_STATUS_BAD_PARAM, "negative padding: pre " + list(c.pre) + ", post " + list(c.post));
        if (c.stride[i] <= 0) return problem(CUDNN_STATUS_BAD_PARAM, "filter strides must be positive: " + list(c.stride));
        if (c.dilation[i] <= 0) return problem(CUDNN_STATUS_BAD_PARAM, "dilations must be positive: " + list(c.dilation));
    }
    d.conv = c;
    return {};
}

Problem finalize_conv_forward(Desc& d) {
    for (auto name : {CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W,
                      CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC,
                      CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA})
        if (attr(d, name) == nullptr) return problem(CUDNN_STATUS_BAD_PARAM, "required attribute " + attr_name(name) + " was not set");
    Desc *x, *w, *y, *c;
    const std::pair<cudnnBackendAttributeName_t, Desc**> deps[] = {
        {CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, &x}, {CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, &w},
        {CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, &y}, {CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, &c}};
    for (const auto& [name, out] : deps) {
        if (Problem p = dependency(d, name, out)) return p;
        if (!(*out)->finalized)
            return problem(CUDNN_STATUS_BAD_PARAM, "the " + type_name((*out)->type) + " descriptor set as " + attr_name(name) +
                                                       " is not finalized");
    }
    const int64_t sp = c->conv.spatial, nd = sp + 2;
    const TensorInfo &X = x->tensor, &W = w->tensor, &Y = y->tensor;
    for (const auto& [n, t] : {std::pair<const char*, const TensorInfo*>{"X", &X}, {"W", &W}, {"Y", &Y}}) {
        if ((int64_t)t->dims.size() == nd + 1)
            return problem(CUDNN_STATUS_NOT_SUPPORTED,
                           std::string(n) + " has SPATIAL_DIMS + 3 dimensions: the [N, G, C, ...] form is not emulated");
        if ((int64_t)t->dims.size() != nd)
            return problem(CUDNN_STATUS_BAD_PARAM, std::string(n) + " has " + std::to_string(t->dims.size()) +
                                                       " dimensions; a convolution with " + std::to_string(sp) +
                                                       " spatial dimensions needs " + std::to_string(nd));
    }
    const std::string shapes = "X " + list(X.dims) + ", W " + list(W.dims) + ", Y " + list(Y.dims);
    if (Y.dims[0] != X.dims[0]) return problem(CUDNN_STATUS_BAD_PARAM, "Y's batch differs from X's: " + shapes);
    if (X.dims[1] % W.dims[1] != 0)
        return problem(CUDNN_STATUS_BAD_PARAM, "X's channels (G*C) are not a multiple of W's (C): " + shapes);
    const int64_t groups = X.dims[1] / W.dims[1];
    if (W.dims[0] % groups != 0)
        return problem(CUDNN_STATUS_BAD_PARAM, "W's output channels are not a multiple of the group count " +
                                                   std::to_string(groups) + ": " + shapes);
    if (Y.dims[1] != W.dims[0]) return problem(CUDNN_STATUS_BAD_PARAM, "Y's channels are not W's output channels: " + shapes);
    for (int64_t i = 0; i < sp; i++) {
        const int64_t o = output_size(X.dims[2 + i], W.dims[2 + i], c->conv.pre[i], c->conv.post[i], c->conv.stride[i],
                                      c->conv.dilation[i]);
        if (o <= 0)
            return problem(CUDNN_STATUS_BAD_PARAM, "the filter does not fit in the padded input in spatial dim " +
                                                       std::to_string(i) + ": " + shapes);
        if (Y.dims[2 + i] != o)
            return problem(CUDNN_STATUS_BAD_PARAM,
                           "Y's spatial dim " + std::to_string(i) + " is " + std::to_string(Y.dims[2 + i]) + ", but (" +
                               std::to_string(X.dims[2 + i]) + " + " + std::to_string(c->conv.pre[i]) + " + " +
                               std::to_string(c->conv.post[i]) + " - " + std::to_string(c->conv.dilation[i]) + " * (" +
                               std::to_string(W.dims[2 + i]) + " - 1) - 1) / " + std::to_string(c->conv.stride[i]) +
                               " + 1 = " + std::to_string(o) + ": " + shapes);
    }
    return {};
}

}  // namespace tjemu::dnn
