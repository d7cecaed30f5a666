// Descriptor sequences of the cuDNN 9 backend API that need no GPU (tensor, convolution, forward
// convolution operation, operation graph without a handle, engine, knob choice, variant pack, status
// strings), valid and invalid, run through a table of function pointers so the same sequences can run
// on NVIDIA's libcudnn.so.9 and on the emulator (cudnn_differential.cpp compares the two;
// cudnn_descriptors.cpp checks the emulator against cudnn_expected.h, which holds the codes NVIDIA's
// library returned). Each step records one status code, or a value read back, under a stable name.
//
// Written from NVIDIA's cudnn_graph.h (cuDNN 9.24) comments and the "Backend Descriptor Types" /
// cudnnBackend* pages of https://docs.nvidia.com/deeplearning/cudnn/latest/api/cudnn-graph-library.html
#pragma once

#include <cudnn.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace cudnn_scenarios {

struct Api {
    size_t (*GetVersion)();
    const char* (*GetErrorString)(cudnnStatus_t);
    void (*GetLastErrorString)(char*, size_t);
    cudnnStatus_t (*Create)(cudnnHandle_t*);
    cudnnStatus_t (*Destroy)(cudnnHandle_t);
    cudnnStatus_t (*SetStream)(cudnnHandle_t, cudaStream_t);
    cudnnStatus_t (*BackendCreateDescriptor)(cudnnBackendDescriptorType_t, cudnnBackendDescriptor_t*);
    cudnnStatus_t (*BackendDestroyDescriptor)(cudnnBackendDescriptor_t);
    cudnnStatus_t (*BackendFinalize)(cudnnBackendDescriptor_t);
    cudnnStatus_t (*BackendSetAttribute)(cudnnBackendDescriptor_t, cudnnBackendAttributeName_t,
                                         cudnnBackendAttributeType_t, int64_t, const void*);
    cudnnStatus_t (*BackendGetAttribute)(cudnnBackendDescriptor_t const, cudnnBackendAttributeName_t,
                                         cudnnBackendAttributeType_t, int64_t, int64_t*, void*);
};

struct Step {
    std::string name;
    long value;  // a cudnnStatus_t, or a value read back (noted in the name)
};

/** Records steps; descriptors it creates are destroyed at the end of each scenario. */
class Recorder {
public:
    explicit Recorder(const Api& api) : a(api) {}
    const Api a;  // a copy: the table may be a temporary
    std::vector<Step> steps;
    std::string scenario;
    // Also run the steps NVIDIA's library cannot: those that crash it (wrong descriptor kinds, null output
    // pointers), that need a GPU (heuristics, engine configurations, plans), or whose answer depends on which
    // of its sublibraries are installed. cudnn_descriptors sets it; cudnn_differential does not.
    bool unsafe = false;

    void begin(const std::string& name) { scenario = name; }
    void note(const std::string& step, long value) { steps.push_back({scenario + "/" + step, value}); }
    void status(const std::string& step, cudnnStatus_t s) {
        note(step, (long)s);
        char buf[8];
        a.GetLastErrorString(buf, sizeof buf);  // drain, so one step's message does not leak into the next
    }

    cudnnBackendDescriptor_t create(cudnnBackendDescriptorType_t t) {
        cudnnBackendDescriptor_t d = nullptr;
        cudnnStatus_t s = a.BackendCreateDescriptor(t, &d);
        if (s != CUDNN_STATUS_SUCCESS) note("create(" + std::to_string((int)t) + ")", (long)s);
        owned.push_back(d);
        return d;
    }
    void destroy_now(cudnnBackendDescriptor_t d) {
        for (auto& o : owned)
            if (o == d) o = nullptr;
        a.BackendDestroyDescriptor(d);
    }
    void end() {
        for (auto it = owned.rbegin(); it != owned.rend(); ++it)
            if (*it) a.BackendDestroyDescriptor(*it);
        owned.clear();
    }

    cudnnStatus_t set_i64(cudnnBackendDescriptor_t d, cudnnBackendAttributeName_t n, std::vector<int64_t> v) {
        return a.BackendSetAttribute(d, n, CUDNN_TYPE_INT64, (int64_t)v.size(), v.data());
    }
    cudnnStatus_t set_enum(cudnnBackendDescriptor_t d, cudnnBackendAttributeName_t n, cudnnBackendAttributeType_t t,
                           int32_t v) {
        return a.BackendSetAttribute(d, n, t, 1, &v);
    }
    cudnnStatus_t set_float(cudnnBackendDescriptor_t d, cudnnBackendAttributeName_t n, float v) {
        return a.BackendSetAttribute(d, n, CUDNN_TYPE_FLOAT, 1, &v);
    }
    cudnnStatus_t set_desc(cudnnBackendDescriptor_t d, cudnnBackendAttributeName_t n, cudnnBackendDescriptor_t v) {
        return a.BackendSetAttribute(d, n, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &v);
    }

private:
    std::vector<cudnnBackendDescriptor_t> owned;
};

/** The parts of a tensor descriptor; `skip` names one attribute to leave unset. */
struct TensorSpec {
    int64_t uid;
    std::vector<int64_t> dims, strides;
    int32_t type;
    int64_t alignment;
    std::string skip;
    TensorSpec(int64_t u, std::vector<int64_t> d, std::vector<int64_t> s, int32_t t = CUDNN_DATA_HALF, int64_t a = 16)
        : uid(u), dims(std::move(d)), strides(std::move(s)), type(t), alignment(a) {}
};

inline std::vector<int64_t> nhwc_strides(const std::vector<int64_t>& d) {  // d = [N, C, H, W]
    return {d[1] * d[2] * d[3], 1, d[3] * d[1], d[1]};
}

inline cudnnStatus_t set_tensor(Recorder& r, cudnnBackendDescriptor_t t, const TensorSpec& s) {
    cudnnStatus_t st = CUDNN_STATUS_SUCCESS, e;
    if (s.skip != "type" && (e = r.set_enum(t, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, s.type))) st = e;
    if (s.skip != "dims" && (e = r.set_i64(t, CUDNN_ATTR_TENSOR_DIMENSIONS, s.dims))) st = e;
    if (s.skip != "strides" && (e = r.set_i64(t, CUDNN_ATTR_TENSOR_STRIDES, s.strides))) st = e;
    if (s.skip != "uid" && (e = r.set_i64(t, CUDNN_ATTR_TENSOR_UNIQUE_ID, {s.uid}))) st = e;
    if (s.skip != "alignment" && (e = r.set_i64(t, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, {s.alignment}))) st = e;
    return st;
}

/** A tensor, finalized; its finalize status recorded as `step` when non-empty. */
inline cudnnBackendDescriptor_t tensor(Recorder& r, const TensorSpec& s, const std::string& step = "") {
    cudnnBackendDescriptor_t t = r.create(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
    cudnnStatus_t st = set_tensor(r, t, s);
    if (st != CUDNN_STATUS_SUCCESS) r.status(step.empty() ? "tensor-set" : step + "-set", st);
    st = r.a.BackendFinalize(t);
    if (!step.empty() || st != CUDNN_STATUS_SUCCESS) r.status(step.empty() ? "tensor-finalize" : step, st);
    return t;
}

struct ConvSpec {
    int64_t spatial = 2;
    int32_t comp = CUDNN_DATA_FLOAT, mode = CUDNN_CROSS_CORRELATION;
    std::vector<int64_t> pre{1, 1}, post{1, 1}, stride{1, 1}, dilation{1, 1};
    std::string skip;
};

inline cudnnBackendDescriptor_t conv(Recorder& r, const ConvSpec& s, const std::string& step = "") {
    cudnnBackendDescriptor_t c = r.create(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
    cudnnStatus_t st = CUDNN_STATUS_SUCCESS, e;
    if (s.skip != "spatial" && (e = r.set_i64(c, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, {s.spatial}))) st = e;
    if (s.skip != "comp" && (e = r.set_enum(c, CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, s.comp))) st = e;
    if (s.skip != "mode" &&
        (e = r.set_enum(c, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, s.mode))) st = e;
    if (s.skip != "pre" && (e = r.set_i64(c, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, s.pre))) st = e;
    if (s.skip != "post" && (e = r.set_i64(c, CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, s.post))) st = e;
    if (s.skip != "stride" && (e = r.set_i64(c, CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, s.stride))) st = e;
    if (s.skip != "dilation" && (e = r.set_i64(c, CUDNN_ATTR_CONVOLUTION_DILATIONS, s.dilation))) st = e;
    if (st != CUDNN_STATUS_SUCCESS) r.status(step.empty() ? "conv-set" : step + "-set", st);
    st = r.a.BackendFinalize(c);
    if (!step.empty() || st != CUDNN_STATUS_SUCCESS) r.status(step.empty() ? "conv-finalize" : step, st);
    return c;
}

/** An unfinalized forward operation with x, w, y, conv, alpha 1, beta 0, except `skip`. */
inline cudnnBackendDescriptor_t forward(Recorder& r, cudnnBackendDescriptor_t x, cudnnBackendDescriptor_t w,
                                        cudnnBackendDescriptor_t y, cudnnBackendDescriptor_t c,
                                        const std::string& skip = "") {
    cudnnBackendDescriptor_t op = r.create(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
    cudnnStatus_t st = CUDNN_STATUS_SUCCESS, e;
    if (skip != "x" && (e = r.set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, x))) st = e;
    if (skip != "w" && (e = r.set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, w))) st = e;
    if (skip != "y" && (e = r.set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, y))) st = e;
    if (skip != "conv" && (e = r.set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, c))) st = e;
    if (skip != "alpha" && (e = r.set_float(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, 1.0f))) st = e;
    if (skip != "beta" && (e = r.set_float(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, 0.0f))) st = e;
    if (st != CUDNN_STATUS_SUCCESS) r.status("forward-set", st);
    return op;
}

/** x [1,16,8,8] NHWC, w [32,16,3,3] KRSC, y [1,32,8,8]: a 3x3 "same" convolution. */
struct Conv3 {
    TensorSpec x{'x', {1, 16, 8, 8}, nhwc_strides({1, 16, 8, 8})};
    TensorSpec w{'w', {32, 16, 3, 3}, nhwc_strides({32, 16, 3, 3})};
    TensorSpec y{'y', {1, 32, 8, 8}, nhwc_strides({1, 32, 8, 8})};
    ConvSpec c;
};

/** Builds Conv3 (possibly altered) and records the forward operation's finalize status. */
inline void forward_case(Recorder& r, const std::string& step, const Conv3& k, const std::string& skip = "") {
    auto x = tensor(r, k.x), w = tensor(r, k.w), y = tensor(r, k.y);
    auto c = conv(r, k.c);
    auto op = forward(r, x, w, y, c, skip);
    r.status(step, r.a.BackendFinalize(op));
}

inline void tensor_scenarios(Recorder& r) {
    r.begin("tensor");
    TensorSpec ok{1, {2, 3, 4, 5}, {60, 20, 5, 1}, CUDNN_DATA_FLOAT, 4};
    tensor(r, ok, "valid-nchw");
    tensor(r, TensorSpec{2, {2, 3, 4, 5}, nhwc_strides({2, 3, 4, 5}), CUDNN_DATA_HALF, 16}, "valid-nhwc");
    for (const char* skip : {"type", "dims", "strides", "uid", "alignment"}) {
        TensorSpec s = ok;
        s.skip = skip;
        tensor(r, s, std::string("missing-") + skip);
    }
    {
        TensorSpec s = ok; s.strides = {20, 5, 1};
        tensor(r, s, "strides-count-differs");
    }
    {
        TensorSpec s = ok; s.dims = {2, 0, 4, 5};
        tensor(r, s, "zero-dim");
    }
    {
        TensorSpec s = ok; s.dims = {2, -3, 4, 5};
        tensor(r, s, "negative-dim");
    }
    {
        TensorSpec s = ok; s.strides = {60, 20, 0, 1};
        tensor(r, s, "zero-stride");
    }
    {
        TensorSpec s = ok; s.strides = {60, 20, -5, 1};
        tensor(r, s, "negative-stride");
    }
    {
        TensorSpec s = ok; s.type = CUDNN_DATA_HALF; s.alignment = 1;
        tensor(r, s, "alignment-1-half");
    }
    {
        TensorSpec s = ok; s.alignment = 2;
        tensor(r, s, "alignment-2-float");
    }
    {
        TensorSpec s = ok; s.alignment = 0;
        tensor(r, s, "alignment-0");
    }
    {
        TensorSpec s = ok; s.alignment = 12;
        tensor(r, s, "alignment-12-float");
    }
    {
        TensorSpec s = ok; s.type = CUDNN_DATA_BFLOAT16; s.alignment = 2;
        tensor(r, s, "bf16-alignment-2");
    }
    {
        TensorSpec s = ok; s.dims = {2}; s.strides = {1};
        tensor(r, s, "one-dim");
    }
    {
        TensorSpec s = ok; s.strides = {60, 20, 4, 1};  // overlapping elements
        tensor(r, s, "overlapping-strides");
    }
    {
        TensorSpec s = ok; s.type = 5;  // CUDNN_DATA_INT8x4, deprecated
        tensor(r, s, "int8x4");
    }
    if (r.unsafe) {
        TensorSpec s = ok; s.type = 99;
        tensor(r, s, "type-99");
    }

    // Set: types, counts, names.
    auto t = r.create(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
    int64_t dims9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    r.status("set-dims-9", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 9, dims9));
    r.status("set-dims-8", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 8, dims9));
    r.status("set-dims-0", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 0, dims9));
    r.status("set-dims-negative-count",
             r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, -1, dims9));
    int32_t dims32[4] = {1, 2, 3, 4};
    r.status("set-dims-int32", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT32, 4, dims32));
    r.status("set-dims-null", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 4, nullptr));
    int64_t two[2] = {7, 8};
    r.status("set-uid-2", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 2, two));
    r.status("set-uid-0", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 0, two));
    r.status("set-uid-1", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, two));
    int32_t half = CUDNN_DATA_HALF;
    r.status("set-type-as-int64", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_INT64, 1, two));
    r.status("set-type-count-2", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 2, two));
    r.status("set-type", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &half));
    r.status("set-conv-attr-on-tensor",
             r.a.BackendSetAttribute(t, CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &half));
    r.status("set-attr-99999",
             r.a.BackendSetAttribute(t, (cudnnBackendAttributeName_t)99999, CUDNN_TYPE_INT64, 1, two));
    int64_t align = 16;
    r.status("set-alignment-as-int32",
             r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT32, 1, &align));
    int64_t ws4[4] = {24, 12, 4, 1}, wd4[4] = {1, 2, 3, 4};
    r.status("get-before-finalize", [&] {
        int64_t n = 0, v[4];
        return r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 4, &n, v);
    }());
    r.status("finalize-without-everything", r.a.BackendFinalize(t));
    r.set_i64(t, CUDNN_ATTR_TENSOR_DIMENSIONS, {wd4[0], wd4[1], wd4[2], wd4[3]});
    r.set_i64(t, CUDNN_ATTR_TENSOR_STRIDES, {ws4[0], ws4[1], ws4[2], ws4[3]});
    r.set_i64(t, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, {16});
    r.status("finalize", r.a.BackendFinalize(t));
    r.status("finalize-again", r.a.BackendFinalize(t));
    r.status("set-after-finalize", r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, two));

    // Get: counts and defaults.
    int64_t n = -1, v[8] = {0};
    r.status("get-dims-4", r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 4, &n, v));
    r.note("get-dims-4-count", (long)n);
    r.note("get-dims-4-value3", (long)v[3]);
    n = -1; std::memset(v, 0, sizeof v);
    r.status("get-dims-2", r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 2, &n, v));
    r.note("get-dims-2-count", (long)n);
    r.note("get-dims-2-value1", (long)v[1]);
    r.note("get-dims-2-value2-untouched", (long)v[2]);
    n = -1;
    r.status("get-dims-8", r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 8, &n, v));
    r.note("get-dims-8-count", (long)n);
    n = -1;
    r.status("get-dims-count-only",
             r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 0, &n, nullptr));
    r.note("get-dims-count-only-count", (long)n);
    r.status("get-dims-null-count", r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 4,
                                                            nullptr, v));
    r.status("get-dims-null-array", r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 4,
                                                             &n, nullptr));
    r.status("get-dims-as-int32",
             r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT32, 4, &n, v));
    r.status("get-dims-negative-request",
             r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, -1, &n, v));
    int32_t type = -1;
    n = -1;
    r.status("get-type", r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &n, &type));
    r.note("get-type-value", type);
    n = -1; v[0] = -1;
    r.status("get-uid", r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &n, v));
    r.note("get-uid-value", (long)v[0]);
    n = -1; v[0] = -1;
    r.status("get-vector-count", r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_VECTOR_COUNT, CUDNN_TYPE_INT64, 1, &n, v));
    r.note("get-vector-count-value", (long)v[0]);
    bool virt = true;
    r.status("get-is-virtual", r.a.BackendGetAttribute(t, CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, 1, &n, &virt));
    r.note("get-is-virtual-value", virt ? 1 : 0);
    r.status("get-conv-attr-on-tensor",
             r.a.BackendGetAttribute(t, CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &n, &type));
    r.end();

    // A virtual tensor, set explicitly.
    r.begin("tensor-virtual");
    auto vt = r.create(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
    set_tensor(r, vt, ok);
    bool yes = true;
    r.status("set-virtual", r.a.BackendSetAttribute(vt, CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, 1, &yes));
    r.status("finalize", r.a.BackendFinalize(vt));
    r.end();

    // A by-value (scalar) tensor: a one-element tensor whose value is set in the variant pack.
    r.begin("tensor-by-value");
    auto bv = r.create(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
    set_tensor(r, bv, TensorSpec{9, {1, 1, 1, 1}, {1, 1, 1, 1}, CUDNN_DATA_FLOAT, 4});
    r.status("set-by-value", r.a.BackendSetAttribute(bv, CUDNN_ATTR_TENSOR_IS_BY_VALUE, CUDNN_TYPE_BOOLEAN, 1, &yes));
    r.status("finalize", r.a.BackendFinalize(bv));
    bool back = false;
    n = -1;
    r.status("get-by-value", r.a.BackendGetAttribute(bv, CUDNN_ATTR_TENSOR_IS_BY_VALUE, CUDNN_TYPE_BOOLEAN, 1, &n, &back));
    r.note("get-by-value-value", back ? 1 : 0);
    r.end();
}

inline void conv_scenarios(Recorder& r) {
    r.begin("conv");
    conv(r, ConvSpec{}, "valid");
    for (const char* skip : {"spatial", "comp", "mode", "pre", "post", "stride", "dilation"}) {
        ConvSpec s;
        s.skip = skip;
        conv(r, s, std::string("missing-") + skip);
    }
    { ConvSpec s; s.pre = {1}; conv(r, s, "pre-count-1"); }
    { ConvSpec s; s.dilation = {1, 1, 1}; conv(r, s, "dilation-count-3"); }
    { ConvSpec s; s.spatial = 3; conv(r, s, "spatial-3-arrays-2"); }
    { ConvSpec s; s.spatial = 0; s.pre = {}; s.post = {}; s.stride = {}; s.dilation = {}; conv(r, s, "spatial-0"); }
    { ConvSpec s; s.pre = {-1, 0}; conv(r, s, "negative-pre"); }
    { ConvSpec s; s.post = {0, -2}; conv(r, s, "negative-post"); }
    { ConvSpec s; s.pre = {0, 2}; s.post = {1, 0}; conv(r, s, "asymmetric-padding"); }
    { ConvSpec s; s.stride = {0, 1}; conv(r, s, "zero-stride"); }
    { ConvSpec s; s.stride = {-1, 1}; conv(r, s, "negative-stride"); }
    { ConvSpec s; s.dilation = {0, 1}; conv(r, s, "zero-dilation"); }
    { ConvSpec s; s.dilation = {2, 3}; conv(r, s, "dilation-2-3"); }
    { ConvSpec s; s.mode = CUDNN_CONVOLUTION; conv(r, s, "mode-convolution"); }
    { ConvSpec s; s.mode = 7; conv(r, s, "mode-7"); }
    { ConvSpec s; s.comp = CUDNN_DATA_HALF; conv(r, s, "comp-half"); }
    { ConvSpec s; s.comp = CUDNN_DATA_INT32; conv(r, s, "comp-int32"); }
    { ConvSpec s; s.spatial = 1; s.pre = {1}; s.post = {1}; s.stride = {1}; s.dilation = {1}; conv(r, s, "spatial-1"); }
    auto c = r.create(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
    int32_t mode = CUDNN_CROSS_CORRELATION;
    r.status("set-mode-as-int32",
             r.a.BackendSetAttribute(c, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_INT32, 1, &mode));
    r.status("set-mode-as-data-type",
             r.a.BackendSetAttribute(c, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_DATA_TYPE, 1, &mode));
    int64_t sd = 2;
    r.status("set-spatial-as-int32",
             r.a.BackendSetAttribute(c, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT32, 1, &sd));
    int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    r.status("set-pre-9", r.a.BackendSetAttribute(c, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_TYPE_INT64, 9, nine));
    r.status("set-pre-0", r.a.BackendSetAttribute(c, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_TYPE_INT64, 0, nine));
    r.end();

    r.begin("conv-get");
    ConvSpec s; s.pre = {0, 2}; s.post = {1, 0}; s.dilation = {2, 1};
    auto g = conv(r, s);
    int64_t n = -1, v[4] = {-1, -1, -1, -1};
    r.status("get-pre", r.a.BackendGetAttribute(g, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_TYPE_INT64, 4, &n, v));
    r.note("get-pre-count", (long)n);
    r.note("get-pre-value1", (long)v[1]);
    int32_t m = -1;
    r.status("get-mode", r.a.BackendGetAttribute(g, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, 1,
                                                 &n, &m));
    r.note("get-mode-value", m);
    m = -1;
    r.status("get-mode-as-data-type",
             r.a.BackendGetAttribute(g, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_DATA_TYPE, 1, &n, &m));
    r.status("get-spatial", r.a.BackendGetAttribute(g, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, 1, &n, v));
    r.note("get-spatial-value", (long)v[0]);
    r.status("set-after-finalize", r.set_i64(g, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, {2}));
    r.end();
}

inline void forward_scenarios(Recorder& r) {
    r.begin("forward");
    Conv3 base;
    forward_case(r, "valid-nhwc", base);
    for (const char* skip : {"x", "w", "y", "conv", "alpha", "beta"}) {
        forward_case(r, std::string("missing-") + skip, base, skip);
    }
    {
        Conv3 k;
        for (TensorSpec* t : {&k.x, &k.w, &k.y}) {
            int64_t c = t->dims[1], h = t->dims[2], w = t->dims[3];
            t->strides = {c * h * w, h * w, w, 1};
        }
        forward_case(r, "valid-nchw", k);
    }
    { Conv3 k; k.y.dims = {1, 32, 9, 8}; k.y.strides = nhwc_strides(k.y.dims); forward_case(r, "y-height-too-big", k); }
    { Conv3 k; k.y.dims = {1, 32, 8, 7}; k.y.strides = nhwc_strides(k.y.dims); forward_case(r, "y-width-too-small", k); }
    { Conv3 k; k.y.dims = {1, 16, 8, 8}; k.y.strides = nhwc_strides(k.y.dims); forward_case(r, "y-channels-not-k", k); }
    { Conv3 k; k.y.dims = {2, 32, 8, 8}; k.y.strides = nhwc_strides(k.y.dims); forward_case(r, "y-batch-differs", k); }
    { Conv3 k; k.w.dims = {32, 8, 3, 3}; k.w.strides = nhwc_strides(k.w.dims); forward_case(r, "w-channels-half-x", k); }
    { Conv3 k; k.w.dims = {32, 12, 3, 3}; k.w.strides = nhwc_strides(k.w.dims); forward_case(r, "w-channels-mismatch", k); }
    { Conv3 k; k.w.uid = 'x'; forward_case(r, "duplicate-uid-x-w", k); }
    { Conv3 k; k.y.uid = 'x'; forward_case(r, "duplicate-uid-x-y", k); }
    {
        Conv3 k;  // stride 2: P = (8 + 2 - 3) / 2 + 1 = 4
        k.c.stride = {2, 2};
        k.y.dims = {1, 32, 4, 4}; k.y.strides = nhwc_strides(k.y.dims);
        forward_case(r, "stride-2", k);
        k.y.dims = {1, 32, 5, 5}; k.y.strides = nhwc_strides(k.y.dims);
        forward_case(r, "stride-2-ceil-dims", k);
    }
    {
        Conv3 k;  // dilation 2, padding 2: P = (8 + 4 - 2*2 - 1) / 1 + 1 = 8
        k.c.dilation = {2, 2}; k.c.pre = {2, 2}; k.c.post = {2, 2};
        forward_case(r, "dilation-2", k);
        k.c.pre = {1, 1}; k.c.post = {1, 1};
        forward_case(r, "dilation-2-wrong-dims", k);
    }
    {
        Conv3 k;  // asymmetric: H 8 + 0 + 2 - 3 + 1 = 8 ; W 8 + 1 + 0 - 3 + 1 = 7
        k.c.pre = {0, 1}; k.c.post = {2, 0};
        k.y.dims = {1, 32, 8, 7}; k.y.strides = nhwc_strides(k.y.dims);
        forward_case(r, "asymmetric-padding", k);
    }
    { Conv3 k; k.c.pre = {0, 0}; k.c.post = {0, 0}; k.y.dims = {1, 32, 6, 6}; k.y.strides = nhwc_strides(k.y.dims);
      forward_case(r, "no-padding", k); }
    { Conv3 k; k.c.mode = CUDNN_CONVOLUTION; forward_case(r, "mode-convolution", k); }
    { Conv3 k; k.w.type = CUDNN_DATA_FLOAT; forward_case(r, "w-float-x-half", k); }
    { Conv3 k; k.y.type = CUDNN_DATA_FLOAT; forward_case(r, "y-float-x-half", k); }
    { Conv3 k; k.x.type = k.w.type = k.y.type = CUDNN_DATA_FLOAT; forward_case(r, "all-float", k); }
    { Conv3 k; k.x.type = k.w.type = k.y.type = CUDNN_DATA_BFLOAT16; forward_case(r, "all-bf16", k); }
    { Conv3 k; k.c.comp = CUDNN_DATA_HALF; forward_case(r, "comp-half", k); }
    { Conv3 k; k.x.dims = {1, 16, 8}; k.x.strides = {128, 1, 16}; forward_case(r, "x-3-dims", k); }
    {
        Conv3 k;  // 1x1, no padding
        k.w.dims = {32, 16, 1, 1}; k.w.strides = nhwc_strides(k.w.dims);
        k.c.pre = {0, 0}; k.c.post = {0, 0};
        forward_case(r, "pointwise", k);
    }
    {
        Conv3 k;  // filter larger than the padded input
        k.x.dims = {1, 16, 2, 2}; k.x.strides = nhwc_strides(k.x.dims);
        k.w.dims = {32, 16, 5, 5}; k.w.strides = nhwc_strides(k.w.dims);
        k.c.pre = {0, 0}; k.c.post = {0, 0};
        k.y.dims = {1, 32, 1, 1}; k.y.strides = nhwc_strides(k.y.dims);
        forward_case(r, "filter-larger-than-input", k);
    }
    r.end();

    r.begin("forward-set");
    {
        Conv3 k;
        auto x = tensor(r, k.x), w = tensor(r, k.w), y = tensor(r, k.y);
        auto c = conv(r, k.c);
        auto op = r.create(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
        if (r.unsafe) {
            r.status("x-is-conv-desc", r.set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, c));
            r.status("conv-is-tensor", r.set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, x));
        }
        auto unfinal = r.create(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
        set_tensor(r, unfinal, k.x);
        r.status("x-not-finalized", r.set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, unfinal));
        r.status("x-null", r.set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, nullptr));
        cudnnBackendDescriptor_t two[2] = {x, x};
        r.status("x-count-2", r.a.BackendSetAttribute(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X,
                                                       CUDNN_TYPE_BACKEND_DESCRIPTOR, 2, two));
        r.status("x-as-void-ptr", r.a.BackendSetAttribute(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X,
                                                           CUDNN_TYPE_VOID_PTR, 1, two));
        double alpha = 1.0;
        r.status("alpha-double", r.a.BackendSetAttribute(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA,
                                                          CUDNN_TYPE_DOUBLE, 1, &alpha));
        int64_t ialpha = 1;
        r.status("alpha-int64", r.a.BackendSetAttribute(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA,
                                                         CUDNN_TYPE_INT64, 1, &ialpha));
        float f2[2] = {1, 1};
        r.status("alpha-float-2", r.a.BackendSetAttribute(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA,
                                                           CUDNN_TYPE_FLOAT, 2, f2));
        r.status("alpha-float-0", r.a.BackendSetAttribute(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA,
                                                           CUDNN_TYPE_FLOAT, 0, f2));
        r.status("x-unfinalized-then-finalize", [&] {
            auto op2 = forward(r, unfinal, w, y, c);
            return r.a.BackendFinalize(op2);
        }());
        // The op reads back the tensor it was given into a descriptor the caller created.
        auto op3 = forward(r, x, w, y, c);
        r.status("finalize", r.a.BackendFinalize(op3));
        auto out = r.create(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
        int64_t n = -1;
        r.status("get-x", r.a.BackendGetAttribute(op3, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X,
                                                  CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &n, &out));
        r.note("get-x-count", (long)n);
        int64_t uid = -1;
        r.status("get-x-uid", r.a.BackendGetAttribute(out, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &n, &uid));
        r.note("get-x-uid-value", (long)uid);
        float beta = -1;
        r.status("get-beta", r.a.BackendGetAttribute(op3, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA,
                                                     CUDNN_TYPE_FLOAT, 1, &n, &beta));
        r.note("get-beta-value", (long)beta);
        auto wrong = r.create(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
        r.status("get-x-into-conv-desc", r.a.BackendGetAttribute(op3, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X,
                                                                 CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &n, &wrong));
        r.status("set-after-finalize", r.set_float(op3, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, 1.0f));
        // Setting a NULL descriptor unsets the attribute: the operation then lacks its X.
        auto op4 = forward(r, x, w, y, c);
        r.status("x-null-after-x", r.set_desc(op4, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, nullptr));
        r.status("x-null-after-x-finalize", r.a.BackendFinalize(op4));
    }
    r.end();
}

/** Descriptors destroyed after being set into another one; real cuDNN's behaviour is recorded, the docs are silent. */
inline void lifetime_scenarios(Recorder& r) {
    r.begin("lifetime");
    Conv3 k;
    auto x = tensor(r, k.x), w = tensor(r, k.w), y = tensor(r, k.y);
    auto c = conv(r, k.c);
    auto op = forward(r, x, w, y, c);
    r.destroy_now(x);
    r.status("tensor-destroyed-then-op-finalize", r.a.BackendFinalize(op));
    r.end();
    r.begin("lifetime-after-finalize");
    auto x2 = tensor(r, k.x), w2 = tensor(r, k.w), y2 = tensor(r, k.y);
    auto c2 = conv(r, k.c);
    auto op2 = forward(r, x2, w2, y2, c2);
    r.status("op-finalize", r.a.BackendFinalize(op2));
    r.destroy_now(x2);
    r.destroy_now(c2);
    auto g = r.create(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
    r.status("graph-set-ops", r.set_desc(g, CUDNN_ATTR_OPERATIONGRAPH_OPS, op2));
    r.status("graph-finalize", r.a.BackendFinalize(g));
    r.end();
    r.begin("lifetime-graph");
    auto x3 = tensor(r, k.x), w3 = tensor(r, k.w), y3 = tensor(r, k.y);
    auto c3 = conv(r, k.c);
    auto op3 = forward(r, x3, w3, y3, c3);
    r.a.BackendFinalize(op3);
    auto g3 = r.create(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
    r.set_desc(g3, CUDNN_ATTR_OPERATIONGRAPH_OPS, op3);
    r.status("graph-finalize", r.a.BackendFinalize(g3));
    r.destroy_now(op3);
    r.destroy_now(y3);
    auto e = r.create(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
    r.status("engine-set-graph", r.set_desc(e, CUDNN_ATTR_ENGINE_OPERATION_GRAPH, g3));
    r.set_i64(e, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, {0});
    r.status("op-destroyed-then-engine-finalize", r.a.BackendFinalize(e));
    r.end();
}

inline void graph_scenarios(Recorder& r) {
    r.begin("graph");
    Conv3 k;
    auto x = tensor(r, k.x), w = tensor(r, k.w), y = tensor(r, k.y);
    auto c = conv(r, k.c);
    auto op = forward(r, x, w, y, c);
    auto g0 = r.create(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
    r.status("set-op-not-finalized", r.set_desc(g0, CUDNN_ATTR_OPERATIONGRAPH_OPS, op));
    r.status("finalize-op-not-finalized", r.a.BackendFinalize(g0));
    r.a.BackendFinalize(op);
    auto g = r.create(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
    r.status("set-ops", r.set_desc(g, CUDNN_ATTR_OPERATIONGRAPH_OPS, op));
    r.status("finalize-without-handle", r.a.BackendFinalize(g));
    auto g2 = r.create(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
    r.status("finalize-without-ops", r.a.BackendFinalize(g2));
    auto g3 = r.create(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
    if (r.unsafe) r.status("set-ops-tensor", r.set_desc(g3, CUDNN_ATTR_OPERATIONGRAPH_OPS, x));
    r.status("set-ops-0", r.a.BackendSetAttribute(g3, CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR, 0,
                                                  &op));
    cudnnHandle_t bogus = (cudnnHandle_t)(uintptr_t)0x1000;
    if (r.unsafe)
        r.status("set-handle-bogus", r.a.BackendSetAttribute(g3, CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE,
                                                             1, &bogus));
    cudnnHandle_t null_handle = nullptr;
    r.status("set-handle-null", r.a.BackendSetAttribute(g3, CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1,
                                                        &null_handle));
    cudnnBackendDescriptor_t two_ops[2] = {op, op};
    r.status("set-ops-twice-the-same", r.a.BackendSetAttribute(g3, CUDNN_ATTR_OPERATIONGRAPH_OPS,
                                                               CUDNN_TYPE_BACKEND_DESCRIPTOR, 2, two_ops));
    r.status("finalize-ops-twice-the-same", r.a.BackendFinalize(g3));
    // (the descriptors above stay alive for the engine and heuristics scenarios below)

    r.begin("graph-duplicate-uid");
    {
        Conv3 d;
        d.y.uid = 'x';
        auto dx = tensor(r, d.x), dw = tensor(r, d.w), dy = tensor(r, d.y);
        auto dc = conv(r, d.c);
        auto dop = forward(r, dx, dw, dy, dc);
        r.status("op-finalize", r.a.BackendFinalize(dop));
        auto dg = r.create(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
        r.set_desc(dg, CUDNN_ATTR_OPERATIONGRAPH_OPS, dop);
        // NVIDIA's 9.24 answers this one according to the engine libraries installed: SUCCESS with all of
        // them, BAD_PARAM (from buildDAG) with libcudnn_engines_runtime_compiled alone; so it is not compared.
        if (r.unsafe) r.status("graph-finalize", r.a.BackendFinalize(dg));
    }

    // Engines by global index (finalizing an engine needs no GPU on NVIDIA's library; its configuration does).
    r.begin("engine");
    {
        int64_t n = -1, count = -1;
        r.status("get-global-count", r.a.BackendGetAttribute(g, CUDNN_ATTR_OPERATIONGRAPH_ENGINE_GLOBAL_COUNT,
                                                             CUDNN_TYPE_INT64, 1, &n, &count));
        r.note("global-count-positive", count > 0);
        auto make = [&](bool set_graph, cudnnBackendDescriptor_t graph, bool set_index, int64_t index) {
            auto e = r.create(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
            if (set_graph) r.set_desc(e, CUDNN_ATTR_ENGINE_OPERATION_GRAPH, graph);
            if (set_index) r.set_i64(e, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, {index});
            return e;
        };
        auto e0 = make(true, g, true, 0);
        r.status("index-0", r.a.BackendFinalize(e0));
        r.status("index-negative", r.a.BackendFinalize(make(true, g, true, -1)));
        r.status("index-global-count", r.a.BackendFinalize(make(true, g, true, count)));
        r.status("without-index", r.a.BackendFinalize(make(true, g, false, 0)));
        r.status("without-graph", r.a.BackendFinalize(make(false, nullptr, true, 0)));
        auto ue = r.create(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
        r.status("set-graph-unfinalized", r.set_desc(ue, CUDNN_ATTR_ENGINE_OPERATION_GRAPH, g2));
        int32_t i32 = 0;
        r.status("set-index-as-int32", r.a.BackendSetAttribute(ue, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT32, 1, &i32));
        int64_t index = -1;
        r.status("get-index", r.a.BackendGetAttribute(e0, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1, &n, &index));
        r.note("get-index-value", (long)index);
        int32_t notes[16];
        r.status("get-numerical-notes", r.a.BackendGetAttribute(e0, CUDNN_ATTR_ENGINE_NUMERICAL_NOTE,
                                                                CUDNN_TYPE_NUMERICAL_NOTE, 16, &n, notes));
        r.status("set-after-finalize", r.set_i64(e0, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, {1}));
        auto cfg = r.create(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR);
        r.status("config-set-engine", r.set_desc(cfg, CUDNN_ATTR_ENGINECFG_ENGINE, e0));
        if (r.unsafe) {  // NVIDIA's library needs a GPU to finalize an engine configuration
            r.status("config-finalize", r.a.BackendFinalize(cfg));
            int64_t ws = -1;
            r.status("config-workspace", r.a.BackendGetAttribute(cfg, CUDNN_ATTR_ENGINECFG_WORKSPACE_SIZE,
                                                                 CUDNN_TYPE_INT64, 1, &n, &ws));
            r.note("config-workspace-nonnegative", ws >= 0);
        }
    }

    r.begin("knob");
    {
        auto kc = r.create(CUDNN_BACKEND_KNOB_CHOICE_DESCRIPTOR);
        int32_t type = CUDNN_KNOB_TYPE_TILE_SIZE;
        r.status("set-type", r.a.BackendSetAttribute(kc, CUDNN_ATTR_KNOB_CHOICE_KNOB_TYPE, CUDNN_TYPE_KNOB_TYPE, 1, &type));
        r.status("set-value", r.set_i64(kc, CUDNN_ATTR_KNOB_CHOICE_KNOB_VALUE, {1}));
        r.status("finalize", r.a.BackendFinalize(kc));
    }

    if (r.unsafe) {  // NVIDIA's library aborts creating a heuristic descriptor without a GPU
    r.begin("heur");
    auto h = r.create(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
    r.status("finalize-empty", r.a.BackendFinalize(h));
    int32_t mode = CUDNN_HEUR_MODE_A;
    r.status("set-mode-as-int32", r.a.BackendSetAttribute(h, CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_INT32, 1, &mode));
    r.status("set-mode", r.a.BackendSetAttribute(h, CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &mode));
    r.status("set-graph-unfinalized", r.set_desc(h, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, g2));
    r.status("finalize-graph-unfinalized", r.a.BackendFinalize(h));
    auto h2 = r.create(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
    r.set_desc(h2, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, g);
    r.a.BackendSetAttribute(h2, CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &mode);
    r.status("finalize", r.a.BackendFinalize(h2));
    int64_t results = -1;
    r.status("get-results-count", r.a.BackendGetAttribute(h2, CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                                          CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &results, nullptr));
    r.note("results-count-positive", results > 0);
    auto wrong = r.create(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
    r.status("get-results-into-engine", r.a.BackendGetAttribute(h2, CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                                                CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &results, &wrong));
    }
    r.end();  // everything since "graph"

    r.begin("plan");
    auto p = r.create(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
    if (r.unsafe) r.status("finalize-empty", r.a.BackendFinalize(p));  // crashes NVIDIA's library
    int64_t n = -1, ws = -1;
    r.status("get-workspace-unfinalized", r.a.BackendGetAttribute(p, CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE,
                                                                  CUDNN_TYPE_INT64, 1, &n, &ws));
    r.end();

    r.begin("variant-pack");
    auto vp = r.create(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
    int64_t uids[3] = {'x', 'w', 'y'};
    void* ptrs[3] = {(void*)0x1000, (void*)0x2000, (void*)0x3000};
    r.status("set-uids", r.a.BackendSetAttribute(vp, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64, 3, uids));
    r.status("set-pointers-as-int64", r.a.BackendSetAttribute(vp, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS,
                                                              CUDNN_TYPE_INT64, 3, ptrs));
    r.status("set-pointers", r.a.BackendSetAttribute(vp, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR,
                                                     3, ptrs));
    r.status("set-workspace-2", r.a.BackendSetAttribute(vp, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 2,
                                                        ptrs));
    r.status("finalize-without-workspace", r.a.BackendFinalize(vp));
    r.end();
    r.begin("variant-pack-mismatch");
    auto vp2 = r.create(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
    r.a.BackendSetAttribute(vp2, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64, 3, uids);
    r.a.BackendSetAttribute(vp2, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, 2, ptrs);
    r.a.BackendSetAttribute(vp2, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, ptrs);
    r.status("finalize-3-uids-2-pointers", r.a.BackendFinalize(vp2));
    r.end();
    r.begin("variant-pack-duplicate-uid");
    auto vp4 = r.create(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
    int64_t twice[3] = {'x', 'w', 'x'};
    r.a.BackendSetAttribute(vp4, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64, 3, twice);
    r.a.BackendSetAttribute(vp4, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, 3, ptrs);
    r.a.BackendSetAttribute(vp4, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, ptrs);
    r.status("finalize", r.a.BackendFinalize(vp4));
    r.end();
    r.begin("variant-pack-empty");
    auto vp3 = r.create(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
    r.status("finalize-empty", r.a.BackendFinalize(vp3));
    r.end();
}

inline void misc_scenarios(Recorder& r) {
    r.begin("misc");
    r.note("version-major", (long)(r.a.GetVersion() / 10000));
    for (int s : {0, 1001, 2000, 2002, 2003, 3000, 4000, 5000}) {
        const char* name = r.a.GetErrorString((cudnnStatus_t)s);
        r.note(std::string("error-string-") + std::to_string(s) + ":" + (name ? name : "(null)"), 0);
    }
    cudnnBackendDescriptor_t d = nullptr;
    if (r.unsafe) r.status("create-null-out", r.a.BackendCreateDescriptor(CUDNN_BACKEND_TENSOR_DESCRIPTOR, nullptr));
    r.status("create-type-999", r.a.BackendCreateDescriptor((cudnnBackendDescriptorType_t)999, &d));
    r.status("finalize-null", r.a.BackendFinalize(nullptr));
    int64_t one = 1, n = 0;
    r.status("set-null", r.a.BackendSetAttribute(nullptr, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &one));
    r.status("get-null", r.a.BackendGetAttribute(nullptr, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &n, &one));
    r.status("destroy-null", r.a.BackendDestroyDescriptor(nullptr));
    r.status("set-stream-null-handle", r.a.SetStream(nullptr, nullptr));
    r.status("create-handle-null-out", r.a.Create(nullptr));
    auto k = r.create(CUDNN_BACKEND_KNOB_CHOICE_DESCRIPTOR);
    r.status("knob-finalize-empty", r.a.BackendFinalize(k));
    auto e = r.create(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
    r.status("engine-finalize-empty", r.a.BackendFinalize(e));
    auto cfg = r.create(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR);
    if (r.unsafe) r.status("enginecfg-finalize-empty", r.a.BackendFinalize(cfg));
    r.end();

    // The message kept for cudnnGetLastErrorString: set by a failure, cleared by reading it.
    r.begin("last-error");
    auto t = r.create(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
    char buf[512];
    r.a.BackendFinalize(t);
    r.a.GetLastErrorString(buf, sizeof buf);
    r.note("after-failure-nonempty", buf[0] != 0);
    r.a.GetLastErrorString(buf, sizeof buf);
    r.note("second-read-empty", buf[0] == 0);
    r.a.BackendFinalize(t);
    r.a.GetLastErrorString(buf, 4);
    r.note("truncated-length", (long)std::strlen(buf));
    r.a.BackendFinalize(t);  // fails, then a call that succeeds
    int64_t uid = 1;
    r.a.BackendSetAttribute(t, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &uid);
    r.a.GetLastErrorString(buf, sizeof buf);
    r.note("kept-after-a-success", buf[0] != 0);
    r.end();
}

/** Every scenario, in order; `unsafe` as Recorder::unsafe. */
inline std::vector<Step> run_all(const Api& api, bool unsafe = false) {
    Recorder r(api);
    r.unsafe = unsafe;
    misc_scenarios(r);
    tensor_scenarios(r);
    conv_scenarios(r);
    forward_scenarios(r);
    lifetime_scenarios(r);
    graph_scenarios(r);
    return r.steps;
}

}  // namespace cudnn_scenarios
