// Helpers for the emulated cuDNN's self tests (cudnn_*.cpp): status checks that print cuDNN's names
// and last error message, device buffers through the driver API, a forward-convolution graph built
// through the backend API the way NVIDIA documents it (tensors, convolution, operation, graph,
// heuristics, then the first engine configuration whose plan finalizes), and a naive reference
// convolution written from the documented formula:
//   y[n,k,p,q] = alpha * sum_{c,r,s} x[n, g*C + c, p*sh - ph + r*dh, q*sw - pw + s*dw] * w[k, c, r', s'] + beta * y
// with r' = r (CROSS_CORRELATION) or R-1-r (CONVOLUTION), g = k / (K/G), out-of-range x taken as 0.
#pragma once

#include <cudnn.h>

#include "fp16.h"
#include "selftest.h"

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace dnntest {

inline std::string last_error() {
    char buf[2048];
    cudnnGetLastErrorString(buf, sizeof buf);
    return buf;
}

inline void expect_dnn(cudnnStatus_t got, cudnnStatus_t want, const char* what, const char* file, int line) {
    ++selftest::checks;
    if (got != want) {
        ++selftest::failures;
        std::printf("FAIL %s:%d: %s returned %s, expected %s (%s)\n", file, line, what, cudnnGetErrorString(got),
                    cudnnGetErrorString(want), last_error().c_str());
        std::fflush(stdout);
    } else if (got != CUDNN_STATUS_SUCCESS) {
        last_error();  // consumed, so the next failure's message is its own
    }
}

/** One line per named check. */
inline void report(bool ok, const std::string& name, const std::string& detail = "") {
    ++selftest::checks;
    if (!ok) ++selftest::failures;
    std::printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", name.c_str(), detail.empty() ? "" : ": ", detail.c_str());
    std::fflush(stdout);
}

using D = cudnnBackendDescriptor_t;

inline D make(cudnnBackendDescriptorType_t t) {
    D d = nullptr;
    if (cudnnBackendCreateDescriptor(t, &d) != CUDNN_STATUS_SUCCESS) {
        std::printf("FAIL: cudnnBackendCreateDescriptor(%d): %s\n", (int)t, last_error().c_str());
        std::exit(2);
    }
    return d;
}

inline cudnnStatus_t set_i64(D d, cudnnBackendAttributeName_t n, std::vector<int64_t> v) {
    return cudnnBackendSetAttribute(d, n, CUDNN_TYPE_INT64, (int64_t)v.size(), v.data());
}
inline cudnnStatus_t set_i32(D d, cudnnBackendAttributeName_t n, cudnnBackendAttributeType_t t, int32_t v) {
    return cudnnBackendSetAttribute(d, n, t, 1, &v);
}
inline cudnnStatus_t set_desc(D d, cudnnBackendAttributeName_t n, D v) {
    return cudnnBackendSetAttribute(d, n, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &v);
}
inline cudnnStatus_t set_ptrs(D d, cudnnBackendAttributeName_t n, std::vector<void*> v) {
    return cudnnBackendSetAttribute(d, n, CUDNN_TYPE_VOID_PTR, (int64_t)v.size(), v.data());
}
inline int64_t get_i64(D d, cudnnBackendAttributeName_t n) {
    int64_t count = 0, v = -1;
    cudnnBackendGetAttribute(d, n, CUDNN_TYPE_INT64, 1, &count, &v);
    return v;
}

inline size_t bytes_of(cudnnDataType_t t) { return t == CUDNN_DATA_FLOAT ? 4 : 2; }

inline float round_to(cudnnDataType_t t, float v) {
    if (t == CUDNN_DATA_HALF) return tjemu::half_to_float(tjemu::float_to_half(v));
    if (t == CUDNN_DATA_BFLOAT16) return tjemu::bf16_to_float(tjemu::float_to_bf16(v));
    return v;
}

inline std::vector<unsigned char> encode(cudnnDataType_t t, const std::vector<float>& v) {
    std::vector<unsigned char> out(v.size() * bytes_of(t));
    for (size_t i = 0; i < v.size(); i++) {
        if (t == CUDNN_DATA_FLOAT) {
            std::memcpy(&out[i * 4], &v[i], 4);
        } else {
            const uint16_t h = t == CUDNN_DATA_HALF ? tjemu::float_to_half(v[i]) : tjemu::float_to_bf16(v[i]);
            std::memcpy(&out[i * 2], &h, 2);
        }
    }
    return out;
}

inline std::vector<float> decode(cudnnDataType_t t, const std::vector<unsigned char>& b) {
    std::vector<float> out(b.size() / bytes_of(t));
    for (size_t i = 0; i < out.size(); i++) {
        if (t == CUDNN_DATA_FLOAT) {
            std::memcpy(&out[i], &b[i * 4], 4);
        } else {
            uint16_t h;
            std::memcpy(&h, &b[i * 2], 2);
            out[i] = t == CUDNN_DATA_HALF ? tjemu::half_to_float(h) : tjemu::bf16_to_float(h);
        }
    }
    return out;
}

/** A device buffer holding `v` in storage type `t`. */
inline CUdeviceptr upload(cudnnDataType_t t, const std::vector<float>& v, size_t extra = 0) {
    std::vector<unsigned char> b = encode(t, v);
    CUdeviceptr p = 0;
    OK(cuMemAlloc(&p, b.size() + extra));
    OK(cuMemcpyHtoD(p, b.data(), b.size()));
    return p;
}

inline std::vector<float> download(cudnnDataType_t t, CUdeviceptr p, size_t count) {
    std::vector<unsigned char> b(count * bytes_of(t));
    OK(cuMemcpyDtoH(b.data(), p, b.size()));
    return decode(t, b);
}

/** Random values already representable in `t`, so the reference sees what the device sees. */
inline std::vector<float> random_values(cudnnDataType_t t, size_t n, unsigned seed, bool integers = false) {
    std::mt19937 g(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::uniform_int_distribution<int> i(-3, 3);
    std::vector<float> v(n);
    for (auto& x : v) x = integers ? (float)i(g) : round_to(t, u(g));
    return v;
}

enum class Layout { NCHW, NHWC };

/** Strides of logical [A, B, H, W] dims stored as A,B,H,W (NCHW) or A,H,W,B (NHWC / KRSC). */
inline std::vector<int64_t> strides_for(Layout l, const std::vector<int64_t>& d) {
    if (l == Layout::NCHW) return {d[1] * d[2] * d[3], d[2] * d[3], d[3], 1};
    return {d[1] * d[2] * d[3], 1, d[3] * d[1], d[1]};
}

/** A 2-D forward convolution case. */
struct Case {
    std::string name;
    cudnnDataType_t type = CUDNN_DATA_FLOAT;
    int64_t n = 1, c = 8, h = 6, w = 6, k = 8, r = 3, s = 3, groups = 1;
    int64_t pre[2] = {1, 1}, post[2] = {1, 1}, stride[2] = {1, 1}, dil[2] = {1, 1};
    cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
    Layout xl = Layout::NHWC, wl = Layout::NHWC, yl = Layout::NHWC;
    float alpha = 1.0f, beta = 0.0f;
    int64_t alignment = 16;
    cudnnBackendHeurMode_t heur = CUDNN_HEUR_MODE_A;
    int engine = -1;  // >= 0: build the engine by CUDNN_ATTR_ENGINE_GLOBAL_INDEX instead of asking the heuristics
    bool integers = false;

    int64_t out(int i) const {
        const int64_t in = i == 0 ? h : w, f = i == 0 ? r : s;
        return (in + pre[i] + post[i] - dil[i] * (f - 1) - 1) / stride[i] + 1;
    }
    std::vector<int64_t> xd() const { return {n, c, h, w}; }
    std::vector<int64_t> wd() const { return {k, c / groups, r, s}; }
    std::vector<int64_t> yd() const { return {n, k, out(0), out(1)}; }
};

inline int64_t count(const std::vector<int64_t>& d) { return d[0] * d[1] * d[2] * d[3]; }

inline int64_t index(const std::vector<int64_t>& st, int64_t a, int64_t b, int64_t c, int64_t d) {
    return a * st[0] + b * st[1] + c * st[2] + d * st[3];
}

/** The reference, in double; also returns sum |x*w| per output (for error bounds). */
inline std::vector<double> reference(const Case& k, const std::vector<float>& x, const std::vector<float>& w,
                                     const std::vector<float>& y0, std::vector<double>* magnitude = nullptr) {
    const auto xs = strides_for(k.xl, k.xd()), ws = strides_for(k.wl, k.wd()), ys = strides_for(k.yl, k.yd());
    const int64_t P = k.out(0), Q = k.out(1), Cg = k.c / k.groups, Kg = k.k / k.groups;
    std::vector<double> y(count(k.yd()));
    if (magnitude) magnitude->assign(y.size(), 0.0);
    for (int64_t n = 0; n < k.n; n++)
        for (int64_t o = 0; o < k.k; o++)
            for (int64_t p = 0; p < P; p++)
                for (int64_t q = 0; q < Q; q++) {
                    double acc = 0, mag = 0;
                    const int64_t g = o / Kg;
                    for (int64_t c = 0; c < Cg; c++)
                        for (int64_t r = 0; r < k.r; r++)
                            for (int64_t s = 0; s < k.s; s++) {
                                const int64_t ih = p * k.stride[0] - k.pre[0] + r * k.dil[0];
                                const int64_t iw = q * k.stride[1] - k.pre[1] + s * k.dil[1];
                                if (ih < 0 || ih >= k.h || iw < 0 || iw >= k.w) continue;
                                const int64_t fr = k.mode == CUDNN_CONVOLUTION ? k.r - 1 - r : r;
                                const int64_t fs = k.mode == CUDNN_CONVOLUTION ? k.s - 1 - s : s;
                                const double t = (double)x[index(xs, n, g * Cg + c, ih, iw)] * w[index(ws, o, c, fr, fs)];
                                acc += t;
                                mag += std::fabs(t);
                            }
                    const int64_t i = index(ys, n, o, p, q);
                    y[i] = k.alpha * acc + (k.beta != 0 ? k.beta * (double)y0[i] : 0.0);
                    if (magnitude) (*magnitude)[i] = std::fabs(k.alpha) * mag + std::fabs(k.beta * (double)y0[i]);
                }
    return y;
}

/** The descriptors of a convolution graph; `destroy()` frees them all. */
struct Graph {
    D x = nullptr, w = nullptr, y = nullptr, conv = nullptr, op = nullptr, graph = nullptr;
    void destroy() {
        for (D d : {graph, op, conv, y, w, x})
            if (d) cudnnBackendDestroyDescriptor(d);
        *this = Graph{};
    }
};

inline D tensor(int64_t uid, cudnnDataType_t t, const std::vector<int64_t>& dims, const std::vector<int64_t>& strides,
                int64_t alignment) {
    D d = make(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
    CHECK(set_i32(d, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, t) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(d, CUDNN_ATTR_TENSOR_DIMENSIONS, dims) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(d, CUDNN_ATTR_TENSOR_STRIDES, strides) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(d, CUDNN_ATTR_TENSOR_UNIQUE_ID, {uid}) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(d, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, {alignment}) == CUDNN_STATUS_SUCCESS);
    expect_dnn(cudnnBackendFinalize(d), CUDNN_STATUS_SUCCESS, "tensor finalize", __FILE__, __LINE__);
    return d;
}

/** Tensors (uids 'x', 'w', 'y'), convolution, operation and graph of `k`, all finalized. */
inline Graph build_graph(const Case& k, cudnnHandle_t handle) {
    Graph g;
    g.x = tensor('x', k.type, k.xd(), strides_for(k.xl, k.xd()), k.alignment);
    g.w = tensor('w', k.type, k.wd(), strides_for(k.wl, k.wd()), k.alignment);
    g.y = tensor('y', k.type, k.yd(), strides_for(k.yl, k.yd()), k.alignment);
    g.conv = make(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
    CHECK(set_i64(g.conv, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, {2}) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i32(g.conv, CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, CUDNN_DATA_FLOAT) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i32(g.conv, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, k.mode) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(g.conv, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, {k.pre[0], k.pre[1]}) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(g.conv, CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, {k.post[0], k.post[1]}) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(g.conv, CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, {k.stride[0], k.stride[1]}) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(g.conv, CUDNN_ATTR_CONVOLUTION_DILATIONS, {k.dil[0], k.dil[1]}) == CUDNN_STATUS_SUCCESS);
    expect_dnn(cudnnBackendFinalize(g.conv), CUDNN_STATUS_SUCCESS, "convolution finalize", __FILE__, __LINE__);
    g.op = make(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
    CHECK(set_desc(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, g.x) == CUDNN_STATUS_SUCCESS);
    CHECK(set_desc(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, g.w) == CUDNN_STATUS_SUCCESS);
    CHECK(set_desc(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, g.y) == CUDNN_STATUS_SUCCESS);
    CHECK(set_desc(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, g.conv) == CUDNN_STATUS_SUCCESS);
    CHECK(cudnnBackendSetAttribute(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, 1, &k.alpha) ==
          CUDNN_STATUS_SUCCESS);
    CHECK(cudnnBackendSetAttribute(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, 1, &k.beta) ==
          CUDNN_STATUS_SUCCESS);
    expect_dnn(cudnnBackendFinalize(g.op), CUDNN_STATUS_SUCCESS, "forward operation finalize", __FILE__, __LINE__);
    g.graph = make(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
    CHECK(set_desc(g.graph, CUDNN_ATTR_OPERATIONGRAPH_OPS, g.op) == CUDNN_STATUS_SUCCESS);
    CHECK(cudnnBackendSetAttribute(g.graph, CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle) ==
          CUDNN_STATUS_SUCCESS);
    expect_dnn(cudnnBackendFinalize(g.graph), CUDNN_STATUS_SUCCESS, "graph finalize", __FILE__, __LINE__);
    return g;
}

/** The heuristics' engine configurations for `graph` (created and filled, best first). */
inline std::vector<D> configs(D graph, cudnnBackendHeurMode_t mode, int max = 8) {
    D heur = make(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
    CHECK(set_desc(heur, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, graph) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i32(heur, CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, mode) == CUDNN_STATUS_SUCCESS);
    expect_dnn(cudnnBackendFinalize(heur), CUDNN_STATUS_SUCCESS, "heuristics finalize", __FILE__, __LINE__);
    std::vector<D> out(max);
    for (auto& d : out) d = make(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR);
    int64_t n = 0;
    expect_dnn(cudnnBackendGetAttribute(heur, CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, max, &n, out.data()),
               CUDNN_STATUS_SUCCESS, "heuristics results", __FILE__, __LINE__);
    for (int64_t i = n; i < max; i++) cudnnBackendDestroyDescriptor(out[i]);
    out.resize(n);
    cudnnBackendDestroyDescriptor(heur);
    return out;
}

/** An engine configuration for engine `index` of `graph`, built without the heuristics. */
inline D config_for_engine(D graph, int index, D* engine_out) {
    D engine = make(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
    CHECK(set_desc(engine, CUDNN_ATTR_ENGINE_OPERATION_GRAPH, graph) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(engine, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, {index}) == CUDNN_STATUS_SUCCESS);
    expect_dnn(cudnnBackendFinalize(engine), CUDNN_STATUS_SUCCESS, "engine finalize", __FILE__, __LINE__);
    D cfg = make(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR);
    CHECK(set_desc(cfg, CUDNN_ATTR_ENGINECFG_ENGINE, engine) == CUDNN_STATUS_SUCCESS);
    expect_dnn(cudnnBackendFinalize(cfg), CUDNN_STATUS_SUCCESS, "engine config finalize", __FILE__, __LINE__);
    *engine_out = engine;
    return cfg;
}

/** A plan for `cfg`, or null with the finalize status in `status`. */
inline D plan_for(cudnnHandle_t handle, D cfg, cudnnStatus_t* status = nullptr) {
    D plan = make(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
    CHECK(cudnnBackendSetAttribute(plan, CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle) ==
          CUDNN_STATUS_SUCCESS);
    CHECK(set_desc(plan, CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, cfg) == CUDNN_STATUS_SUCCESS);
    const cudnnStatus_t s = cudnnBackendFinalize(plan);
    if (status) *status = s;
    if (s != CUDNN_STATUS_SUCCESS) {
        last_error();
        cudnnBackendDestroyDescriptor(plan);
        return nullptr;
    }
    return plan;
}

inline D variant_pack(std::vector<int64_t> uids, std::vector<void*> ptrs, void* workspace) {
    D pack = make(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
    CHECK(set_i64(pack, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, uids) == CUDNN_STATUS_SUCCESS);
    CHECK(set_ptrs(pack, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, ptrs) == CUDNN_STATUS_SUCCESS);
    CHECK(set_ptrs(pack, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, {workspace}) == CUDNN_STATUS_SUCCESS);
    expect_dnn(cudnnBackendFinalize(pack), CUDNN_STATUS_SUCCESS, "variant pack finalize", __FILE__, __LINE__);
    return pack;
}

inline void* ptr(CUdeviceptr p) { return reinterpret_cast<void*>(p); }

}  // namespace dnntest

#define CHECK_DNN(call, want) ::dnntest::expect_dnn((call), (want), #call, __FILE__, __LINE__)
