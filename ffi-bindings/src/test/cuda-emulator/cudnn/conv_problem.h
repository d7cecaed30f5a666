// A forward convolution as the emulated cuDNN computes it, detached from descriptors so a plan can
// keep it and the device thread can run it after the descriptors are gone. Semantics from NVIDIA's
// CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR documentation (cudnn_graph.h):
//   y = alpha * conv(x, w) + beta * y, x [N, G*C, spatial...], w [G*K, C, filter...], y [N, G*K, out...]
// with arbitrary strides; spatial sizes are padded to three (D, H, W) with size-1 leading dims.
//   out = (in + pre + post - dilation * (filter - 1) - 1) / stride + 1            (per spatial dim)
//   CUDNN_CROSS_CORRELATION: y[n,k,o] += x[n,c,o*stride - pre + f*dilation] * w[k,c,f]
//   CUDNN_CONVOLUTION:       the same with the filter flipped in every spatial dim, w[k,c,F-1-f].
// Accumulates in fp32 and rounds once to the storage type when it stores y (fp16.h: nearest-even).
#pragma once

#include <cudnn.h>

#include <cstddef>
#include <cstdint>

namespace tjemu::dnn {

struct Geometry {
    cudnnDataType_t type;
    int64_t uid;
    int64_t dims[5];     // N, C, D, H, W
    int64_t strides[5];  // in elements
    int64_t alignment;   // CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT
};

struct ConvProblem {
    Geometry x, w, y;
    int64_t spatial;          // as set (1..3)
    int64_t pre[3], post[3], stride[3], dilation[3];  // D, H, W
    bool flip;                // CUDNN_CONVOLUTION
    int64_t groups;
    float alpha, beta;
    cudnnDataType_t comp;     // CUDNN_ATTR_CONVOLUTION_COMP_TYPE
    bool any_virtual;         // one of X, W, Y is a virtual tensor
    bool any_by_value;        // one of X, W, Y is a by-value tensor
};

/** Bytes of one element of a storage type the engines support (FLOAT, HALF, BFLOAT16), else 0. */
size_t element_bytes(cudnnDataType_t t);

/** The bytes a tensor spans from its first element: (1 + sum (dim - 1) * stride) * element size. */
size_t extent_bytes(const Geometry& g);

/** The output size of one spatial dim by the documented formula (may be <= 0 for impossible shapes). */
int64_t output_size(int64_t in, int64_t filter, int64_t pre, int64_t post, int64_t stride, int64_t dilation);

/** Computes the convolution on host-visible memory (the emulated device's). */
void conv_forward(const ConvProblem& p, const void* x, const void* w, void* y);

}  // namespace tjemu::dnn
