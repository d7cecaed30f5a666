// Emulated cuDNN 9 CUDNN_BACKEND_TENSOR_DESCRIPTOR finalization. From the descriptor's section of
// NVIDIA's cudnn_graph.h (cuDNN 9.24) / "Backend Descriptor Types"
// (https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html):
//  - UNIQUE_ID, DATA_TYPE, BYTE_ALIGNMENT, DIMENSIONS and STRIDES are required attributes.
//    Strict: a missing UNIQUE_ID or DATA_TYPE is refused (NVIDIA's 9.24 finalizes without them).
//  - CUDNN_STATUS_BAD_PARAM when any dimension or stride is not positive, or the alignment is not
//    divisible by the size of the data type. Strict: zero dims and strides are refused as the
//    documentation says (NVIDIA's 9.24 accepts 0); DIMENSIONS and STRIDES must have the same count.
//  - CUDNN_STATUS_NOT_SUPPORTED for the deprecated vectorized types INT8x4, UINT8x4, INT8x32.
//    The emulator supports no vectorization (VECTOR_COUNT 1) and no reordering (NOT_SUPPORTED). Virtual
//    and by-value tensors finalize (as on NVIDIA's 9.24); no emulated engine takes one as X, W or Y.
#include "cudnn_emu.h"

namespace tjemu::dnn {

namespace {

int64_t type_bytes(int64_t t) {  // the size of one element of a cudnnDataType_t, as far as alignment goes
    switch (t) {
    case CUDNN_DATA_DOUBLE:
    case CUDNN_DATA_INT64:
    case CUDNN_DATA_COMPLEX_FP32: return 8;
    case CUDNN_DATA_COMPLEX_FP64: return 16;
    case CUDNN_DATA_FLOAT:
    case CUDNN_DATA_INT32:
    case CUDNN_DATA_UINT32:
    case CUDNN_DATA_FAST_FLOAT_FOR_FP8: return 4;
    case CUDNN_DATA_HALF:
    case CUDNN_DATA_BFLOAT16: return 2;
    default: return 1;  // 8-bit and narrower types
    }
}

const std::vector<int64_t>* ints(const Desc& d, cudnnBackendAttributeName_t name) {
    const Value* v = attr(d, name);
    return v == nullptr ? nullptr : &v->ints;
}

}  // namespace

Problem finalize_tensor(Desc& d) {
    for (auto name : {CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT,
                      CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_ATTR_TENSOR_STRIDES})
        if (attr(d, name) == nullptr) return problem(CUDNN_STATUS_BAD_PARAM, "required attribute " + attr_name(name) + " was not set");
    TensorInfo t;
    t.uid = ints(d, CUDNN_ATTR_TENSOR_UNIQUE_ID)->at(0);
    const int64_t type = ints(d, CUDNN_ATTR_TENSOR_DATA_TYPE)->at(0);
    t.alignment = ints(d, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT)->at(0);
    t.dims = *ints(d, CUDNN_ATTR_TENSOR_DIMENSIONS);
    t.strides = *ints(d, CUDNN_ATTR_TENSOR_STRIDES);
    if (t.dims.size() != t.strides.size())
        return problem(CUDNN_STATUS_BAD_PARAM, std::to_string(t.dims.size()) + " dimensions but " +
                                                   std::to_string(t.strides.size()) + " strides");
    for (size_t i = 0; i < t.dims.size(); i++) {
        if (t.dims[i] <= 0)
            return problem(CUDNN_STATUS_BAD_PARAM, "dimension " + std::to_string(i) + " is " + std::to_string(t.dims[i]) +
                                                       "; every tensor dimension must be positive");
        if (t.strides[i] <= 0)
            return problem(CUDNN_STATUS_BAD_PARAM, "stride " + std::to_string(i) + " is " + std::to_string(t.strides[i]) +
                                                       "; every tensor stride must be positive");
    }
    if (type == 5 || type == 7 || type == 8)  // CUDNN_DATA_INT8x4, UINT8x4, INT8x32 (deprecated)
        return problem(CUDNN_STATUS_NOT_SUPPORTED, "the vectorized data type " + std::to_string(type) + " is not supported");
    if (t.alignment <= 0 || t.alignment % type_bytes(type) != 0)
        return problem(CUDNN_STATUS_BAD_PARAM, "CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT " + std::to_string(t.alignment) +
                                                   " is not a positive multiple of the data type's size (" +
                                                   std::to_string(type_bytes(type)) + " bytes)");
    if (const auto* v = ints(d, CUDNN_ATTR_TENSOR_VECTOR_COUNT); v && v->at(0) != 1)
        return problem(CUDNN_STATUS_NOT_SUPPORTED, "the emulator supports no vectorized tensors (VECTOR_COUNT " +
                                                       std::to_string(v->at(0)) + ")");
    if (const auto* v = ints(d, CUDNN_ATTR_TENSOR_REORDERING_MODE); v && v->at(0) != CUDNN_TENSOR_REORDERING_NONE)
        return problem(CUDNN_STATUS_NOT_SUPPORTED, "the emulator supports no tensor reordering");
    t.type = (cudnnDataType_t)type;
    const auto* v = ints(d, CUDNN_ATTR_TENSOR_IS_VIRTUAL);
    t.is_virtual = v && v->at(0) != 0;
    const auto* b = ints(d, CUDNN_ATTR_TENSOR_IS_BY_VALUE);
    t.by_value = b && b->at(0) != 0;
    d.tensor = t;
    return {};
}

}  // namespace tjemu::dnn
