// Self test of the emulated cuDNN's forward convolutions: graphs built through the backend API as
// NVIDIA documents it (cudnn_test.h), executed on a stream of the emulated driver, compared with the
// naive reference of cudnn_test.h (written from the documented formula y = alpha * conv(x, w) + beta * y).
// Covers NCHW and NHWC (strides only), FLOAT / HALF / BFLOAT16 storage with FLOAT compute, stride 2,
// asymmetric pre/post padding, dilation, CONVOLUTION (flipped filter) against CROSS_CORRELATION,
// alpha and beta, 1x1 and 3x3 filters, batches, groups; the engines, heuristics and workspaces; what
// cudnnBackendExecute refuses (short or misaligned buffers, a missing workspace, descriptors a plan
// depends on that were destroyed); the handle's stream, stream capture; the fault sites.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cudnn_test.h"

extern "C" int tjemuControl(const char* command);

using namespace dnntest;

namespace {

cudnnHandle_t handle = nullptr;
CUstream stream = nullptr;

/** Everything a case creates, destroyed at the end (dependencies last, as the lifetime rule needs). */
struct Owned {
    std::vector<D> descs;
    std::vector<CUdeviceptr> buffers;
    void add(D d) { descs.push_back(d); }
    CUdeviceptr alloc(size_t bytes) {
        CUdeviceptr p = 0;
        OK(cuMemAlloc(&p, bytes));
        buffers.push_back(p);
        return p;
    }
    ~Owned() {
        for (auto it = descs.rbegin(); it != descs.rend(); ++it) cudnnBackendDestroyDescriptor(*it);
        for (CUdeviceptr p : buffers) cuMemFree(p);
    }
};

void own_graph(Owned& o, Graph& g) {
    for (D d : {g.x, g.w, g.y, g.conv, g.op, g.graph}) o.add(d);
}

/**
 * A finalized plan for `k`: the engine `k.engine`, or the heuristics' configurations tried in order until
 * one finalizes (as NVIDIA's documentation has callers do). Null when none does.
 */
D plan_of(const Case& k, Graph& g, Owned& o, int* engine_used = nullptr) {
    if (k.engine >= 0) {
        D engine = nullptr;
        D cfg = config_for_engine(g.graph, k.engine, &engine);
        o.add(engine);
        o.add(cfg);
        D plan = plan_for(handle, cfg);
        if (plan) o.add(plan);
        if (engine_used) *engine_used = k.engine;
        return plan;
    }
    std::vector<D> cfgs = configs(g.graph, k.heur);
    for (D c : cfgs) o.add(c);
    for (D c : cfgs) {
        D plan = plan_for(handle, c);
        if (plan) {
            o.add(plan);
            if (engine_used) {
                D e = make(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
                o.add(e);
                int64_t n = 0;
                cudnnBackendGetAttribute(c, CUDNN_ATTR_ENGINECFG_ENGINE, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &n, &e);
                *engine_used = (int)get_i64(e, CUDNN_ATTR_ENGINE_GLOBAL_INDEX);
            }
            return plan;
        }
    }
    return nullptr;
}

/** |got - want| within what one rounding to the storage type and fp32 accumulation allow. */
bool close(cudnnDataType_t t, double got, double want, double magnitude) {
    const double u = t == CUDNN_DATA_HALF ? std::ldexp(1.0, -11) : t == CUDNN_DATA_BFLOAT16 ? std::ldexp(1.0, -8) : 0.0;
    const double tol = u * std::fabs(want) * 1.001 + 2e-6 * magnitude + (t == CUDNN_DATA_HALF ? 6e-8 : 1e-30);
    return std::fabs(got - want) <= tol;
}

/** Compares y with the reference; "" or the first mismatch. */
std::string compare(const Case& k, const std::vector<float>& y, const std::vector<double>& ref, const std::vector<double>& mag) {
    int bad = 0;
    std::string first;
    for (size_t i = 0; i < ref.size(); i++)
        if (!(std::isfinite(y[i]) && close(k.type, y[i], ref[i], mag[i]))) {
            if (bad++ == 0) first = "y[" + std::to_string(i) + "] = " + std::to_string(y[i]) + ", reference " + std::to_string(ref[i]);
        }
    return bad ? std::to_string(bad) + " of " + std::to_string(ref.size()) + " outputs wrong, first " + first : "";
}

struct Data {
    std::vector<float> x, w, y0;
    CUdeviceptr dx = 0, dw = 0, dy = 0, ws = 0;
    int64_t ws_bytes = 0;
};

Data upload_case(const Case& k, Owned& o, unsigned seed) {
    Data d;
    d.x = random_values(k.type, count(k.xd()), seed, k.integers);
    d.w = random_values(k.type, count(k.wd()), seed + 1, k.integers);
    d.y0 = random_values(k.type, count(k.yd()), seed + 2, k.integers);
    d.dx = upload(k.type, d.x);
    d.dw = upload(k.type, d.w);
    o.buffers.push_back(d.dx);
    o.buffers.push_back(d.dw);
    if (k.beta != 0.0f) {
        d.dy = upload(k.type, d.y0);
        o.buffers.push_back(d.dy);
    } else {
        d.dy = o.alloc(count(k.yd()) * bytes_of(k.type));  // fresh memory: NaN bytes, which beta 0 must not read
    }
    return d;
}

/** Runs case `k` end to end and reports it. Returns the engine that ran it (-1 if none). */
int run(const Case& k, unsigned seed = 1) {
    Owned o;
    Graph g = build_graph(k, handle);
    own_graph(o, g);
    int engine = -1;
    D plan = plan_of(k, g, o, &engine);
    if (!plan) {
        report(false, k.name, "no engine configuration's plan finalizes");
        return -1;
    }
    Data d = upload_case(k, o, seed);
    d.ws_bytes = get_i64(plan, CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE);
    if (d.ws_bytes > 0) d.ws = o.alloc((size_t)d.ws_bytes);
    D pack = variant_pack({'x', 'w', 'y'}, {ptr(d.dx), ptr(d.dw), ptr(d.dy)}, ptr(d.ws));
    o.add(pack);
    CHECK_DNN(cudnnBackendExecute(handle, plan, pack), CUDNN_STATUS_SUCCESS);
    OK(cuStreamSynchronize(stream));
    std::vector<float> y = download(k.type, d.dy, count(k.yd()));
    std::vector<double> mag;
    std::vector<double> ref = reference(k, d.x, d.w, d.y0, &mag);
    std::string problem = compare(k, y, ref, mag);
    report(problem.empty(), k.name + " (engine " + std::to_string(engine) + ")", problem);
    return engine;
}

Case base(const std::string& name, cudnnDataType_t t, Layout l) {
    Case k;
    k.name = name;
    k.type = t;
    k.xl = k.wl = k.yl = l;
    return k;
}

void numerics() {
    const std::pair<cudnnDataType_t, const char*> types[] = {
        {CUDNN_DATA_FLOAT, "f32"}, {CUDNN_DATA_HALF, "f16"}, {CUDNN_DATA_BFLOAT16, "bf16"}};
    for (const auto& [t, tn] : types)
        for (Layout l : {Layout::NCHW, Layout::NHWC}) {
            Case k = base(std::string(l == Layout::NCHW ? "nchw-" : "nhwc-") + tn + "-3x3", t, l);
            k.n = 2;
            run(k);
        }
    {
        Case k = base("mixed-layouts-x-nchw-w-krsc-y-nhwc", CUDNN_DATA_HALF, Layout::NHWC);
        k.xl = Layout::NCHW;
        run(k);
    }
    {
        Case k = base("stride-2", CUDNN_DATA_FLOAT, Layout::NHWC);
        k.h = 9, k.w = 8, k.stride[0] = k.stride[1] = 2;
        run(k);
    }
    {
        Case k = base("stride-2-1-asymmetric", CUDNN_DATA_HALF, Layout::NCHW);
        k.h = 7, k.w = 9, k.stride[0] = 2, k.stride[1] = 1;
        run(k);
    }
    {
        Case k = base("asymmetric-padding", CUDNN_DATA_FLOAT, Layout::NHWC);
        k.pre[0] = 0, k.pre[1] = 2, k.post[0] = 1, k.post[1] = 0;
        run(k);
    }
    {
        Case k = base("padding-larger-than-filter-reach", CUDNN_DATA_FLOAT, Layout::NCHW);
        k.r = k.s = 1, k.pre[0] = 2, k.pre[1] = 1, k.post[0] = 0, k.post[1] = 3;
        run(k);
    }
    {
        Case k = base("dilation-2", CUDNN_DATA_FLOAT, Layout::NHWC);
        k.h = k.w = 9, k.dil[0] = k.dil[1] = 2, k.pre[0] = k.pre[1] = k.post[0] = k.post[1] = 2;
        run(k);
    }
    {
        Case k = base("dilation-1-3-stride-2", CUDNN_DATA_BFLOAT16, Layout::NHWC);
        k.h = 8, k.w = 11, k.dil[1] = 3, k.stride[0] = 2, k.pre[1] = 0, k.post[1] = 1;
        run(k);
    }
    {
        Case k = base("mode-convolution-flips-the-filter", CUDNN_DATA_FLOAT, Layout::NHWC);
        k.mode = CUDNN_CONVOLUTION;
        k.r = 3, k.s = 2, k.pre[1] = 0;  // a non-square filter, so a flip in either dim shows
        run(k);
        // The same data as cross-correlation gives another result: the flip is not a no-op here.
        Case cc = k;
        cc.mode = CUDNN_CROSS_CORRELATION;
        std::vector<float> x = random_values(k.type, count(k.xd()), 1), w = random_values(k.type, count(k.wd()), 2);
        std::vector<double> a = reference(k, x, w, {}), b = reference(cc, x, w, {});
        double diff = 0;
        for (size_t i = 0; i < a.size(); i++) diff = std::max(diff, std::fabs(a[i] - b[i]));
        CHECK(diff > 1e-3);
    }
    {
        Case k = base("mode-convolution-f16-nchw-stride-2-dilation", CUDNN_DATA_HALF, Layout::NCHW);
        k.mode = CUDNN_CONVOLUTION;
        k.h = k.w = 10, k.stride[0] = k.stride[1] = 2, k.dil[0] = 2, k.pre[0] = k.post[0] = 2;
        run(k);
    }
    {
        Case k = base("alpha-0.5-beta-0.75", CUDNN_DATA_FLOAT, Layout::NHWC);
        k.alpha = 0.5f, k.beta = 0.75f;
        run(k);
    }
    {
        Case k = base("alpha-2-beta-1-f16", CUDNN_DATA_HALF, Layout::NCHW);
        k.alpha = 2.0f, k.beta = 1.0f;
        run(k);
    }
    {
        Case k = base("alpha-1-beta-minus-1-bf16", CUDNN_DATA_BFLOAT16, Layout::NHWC);
        k.beta = -1.0f;
        run(k);
    }
    {
        Case k = base("1x1", CUDNN_DATA_FLOAT, Layout::NHWC);
        k.r = k.s = 1, k.pre[0] = k.pre[1] = k.post[0] = k.post[1] = 0, k.k = 24;
        run(k);
    }
    {
        Case k = base("1x1-stride-2-f16", CUDNN_DATA_HALF, Layout::NCHW);
        k.r = k.s = 1, k.pre[0] = k.pre[1] = k.post[0] = k.post[1] = 0, k.stride[0] = k.stride[1] = 2;
        run(k);
    }
    {
        Case k = base("batch-3-5x5", CUDNN_DATA_FLOAT, Layout::NCHW);
        k.n = 3, k.r = k.s = 5, k.pre[0] = k.pre[1] = k.post[0] = k.post[1] = 2, k.c = 3, k.k = 5;
        run(k);
    }
    {
        Case k = base("groups-2", CUDNN_DATA_FLOAT, Layout::NHWC);
        k.c = 16, k.k = 8, k.groups = 2;
        run(k);
    }
    {
        Case k = base("depthwise-f16", CUDNN_DATA_HALF, Layout::NCHW);
        k.c = k.k = k.groups = 8;
        run(k);
    }
    {
        Case k = base("exact-integers-f32", CUDNN_DATA_FLOAT, Layout::NHWC);
        k.integers = true, k.n = 2, k.alpha = 1.0f, k.beta = 2.0f;
        run(k);
    }
    {
        Case k = base("larger-threads", CUDNN_DATA_HALF, Layout::NHWC);  // enough work to split over threads
        k.n = 2, k.c = 32, k.k = 32, k.h = k.w = 24;
        run(k);
    }
}

/**
 * 1-D and 3-D convolutions (SPATIAL_DIMS 1 and 3, tensors of 3 and 5 dims, packed channels-first), against
 * a reference over up to three spatial dims written from the same formula.
 */
void spatial_dims(int64_t sp) {
    const int64_t N = 2, C = 3, K = 4;
    std::vector<int64_t> in, f, pre, post, st, dil;
    if (sp == 1) in = {9}, f = {3}, pre = {2}, post = {0}, st = {2}, dil = {1};
    else in = {4, 5, 6}, f = {2, 3, 3}, pre = {1, 0, 1}, post = {0, 1, 1}, st = {1, 2, 1}, dil = {1, 1, 2};
    std::vector<int64_t> out(sp);
    for (int64_t i = 0; i < sp; i++) out[i] = (in[i] + pre[i] + post[i] - dil[i] * (f[i] - 1) - 1) / st[i] + 1;
    auto packed = [](const std::vector<int64_t>& dims) {
        std::vector<int64_t> s(dims.size(), 1);
        for (int i = (int)dims.size() - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
        return s;
    };
    std::vector<int64_t> xd = {N, C}, wd = {K, C}, yd = {N, K};
    for (int64_t i = 0; i < sp; i++) xd.push_back(in[i]), wd.push_back(f[i]), yd.push_back(out[i]);
    Owned o;
    Graph g;
    g.x = tensor('x', CUDNN_DATA_FLOAT, xd, packed(xd), 16);
    g.w = tensor('w', CUDNN_DATA_FLOAT, wd, packed(wd), 16);
    g.y = tensor('y', CUDNN_DATA_FLOAT, yd, packed(yd), 16);
    g.conv = make(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
    CHECK(set_i64(g.conv, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, {sp}) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i32(g.conv, CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, CUDNN_DATA_FLOAT) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i32(g.conv, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, CUDNN_CROSS_CORRELATION) ==
          CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(g.conv, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, pre) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(g.conv, CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, post) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(g.conv, CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, st) == CUDNN_STATUS_SUCCESS);
    CHECK(set_i64(g.conv, CUDNN_ATTR_CONVOLUTION_DILATIONS, dil) == CUDNN_STATUS_SUCCESS);
    CHECK_DNN(cudnnBackendFinalize(g.conv), CUDNN_STATUS_SUCCESS);
    g.op = make(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
    CHECK(set_desc(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, g.x) == CUDNN_STATUS_SUCCESS);
    CHECK(set_desc(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, g.w) == CUDNN_STATUS_SUCCESS);
    CHECK(set_desc(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, g.y) == CUDNN_STATUS_SUCCESS);
    CHECK(set_desc(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, g.conv) == CUDNN_STATUS_SUCCESS);
    double alpha = 1.0, beta = 0.0;  // DOUBLE: the other documented type of ALPHA and BETA
    CHECK(cudnnBackendSetAttribute(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_DOUBLE, 1, &alpha) ==
          CUDNN_STATUS_SUCCESS);
    CHECK(cudnnBackendSetAttribute(g.op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_DOUBLE, 1, &beta) ==
          CUDNN_STATUS_SUCCESS);
    CHECK_DNN(cudnnBackendFinalize(g.op), CUDNN_STATUS_SUCCESS);
    g.graph = make(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
    CHECK(set_desc(g.graph, CUDNN_ATTR_OPERATIONGRAPH_OPS, g.op) == CUDNN_STATUS_SUCCESS);
    CHECK_DNN(cudnnBackendFinalize(g.graph), CUDNN_STATUS_SUCCESS);
    own_graph(o, g);
    Case k;  // only for plan_of: the heuristics
    D plan = plan_of(k, g, o);
    CHECK(plan != nullptr);
    if (!plan) return;
    auto total = [](const std::vector<int64_t>& d) {
        int64_t n = 1;
        for (int64_t v : d) n *= v;
        return n;
    };
    std::vector<float> x = random_values(CUDNN_DATA_FLOAT, total(xd), 31), w = random_values(CUDNN_DATA_FLOAT, total(wd), 32);
    CUdeviceptr dx = upload(CUDNN_DATA_FLOAT, x), dw = upload(CUDNN_DATA_FLOAT, w);
    o.buffers.push_back(dx);
    o.buffers.push_back(dw);
    CUdeviceptr dy = o.alloc(total(yd) * 4);
    const int64_t wsb = get_i64(plan, CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE);
    CUdeviceptr ws = wsb > 0 ? o.alloc((size_t)wsb) : 0;
    D pack = variant_pack({'x', 'w', 'y'}, {ptr(dx), ptr(dw), ptr(dy)}, ptr(ws));
    o.add(pack);
    CHECK_DNN(cudnnBackendExecute(handle, plan, pack), CUDNN_STATUS_SUCCESS);
    OK(cuStreamSynchronize(stream));
    std::vector<float> y = download(CUDNN_DATA_FLOAT, dy, total(yd));
    // Reference: spatial dims padded to three with leading size-1 dims.
    auto three = [&](const std::vector<int64_t>& v, int64_t fill) {
        std::vector<int64_t> r(3 - sp, fill);
        r.insert(r.end(), v.begin(), v.end());
        return r;
    };
    const auto I = three(in, 1), F = three(f, 1), O = three(out, 1), P = three(pre, 0), S = three(st, 1), L = three(dil, 1);
    int bad = 0;
    for (int64_t n = 0; n < N; n++)
        for (int64_t kk = 0; kk < K; kk++)
            for (int64_t a = 0; a < O[0]; a++)
                for (int64_t b = 0; b < O[1]; b++)
                    for (int64_t c = 0; c < O[2]; c++) {
                        double acc = 0, mag = 0;
                        for (int64_t ch = 0; ch < C; ch++)
                            for (int64_t t = 0; t < F[0]; t++)
                                for (int64_t r = 0; r < F[1]; r++)
                                    for (int64_t s = 0; s < F[2]; s++) {
                                        const int64_t i0 = a * S[0] - P[0] + t * L[0], i1 = b * S[1] - P[1] + r * L[1],
                                                      i2 = c * S[2] - P[2] + s * L[2];
                                        if (i0 < 0 || i0 >= I[0] || i1 < 0 || i1 >= I[1] || i2 < 0 || i2 >= I[2]) continue;
                                        const double v = (double)x[(((n * C + ch) * I[0] + i0) * I[1] + i1) * I[2] + i2] *
                                                         w[(((kk * C + ch) * F[0] + t) * F[1] + r) * F[2] + s];
                                        acc += v;
                                        mag += std::fabs(v);
                                    }
                        const float got = y[(((n * K + kk) * O[0] + a) * O[1] + b) * O[2] + c];
                        if (!close(CUDNN_DATA_FLOAT, got, acc, mag)) bad++;
                    }
    report(bad == 0, std::to_string(sp) + "-d convolution (SPATIAL_DIMS " + std::to_string(sp) + ", DOUBLE alpha and beta)",
           std::to_string(bad) + " outputs wrong");
}

/** Every engine computes the same bits; what each refuses; heuristics order and modes. */
void engines() {
    Case k = base("engines", CUDNN_DATA_HALF, Layout::NHWC);
    std::vector<std::vector<float>> outs;
    for (int e = 0; e < 3; e++) {
        Owned o;
        Case ke = k;
        ke.engine = e;
        Graph g = build_graph(ke, handle);
        own_graph(o, g);
        D plan = plan_of(ke, g, o);
        CHECK(plan != nullptr);
        if (!plan) return;
        Data d = upload_case(ke, o, 7);
        const int64_t ws = get_i64(plan, CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE);
        if (ws > 0) d.ws = o.alloc((size_t)ws);
        D pack = variant_pack({'x', 'w', 'y'}, {ptr(d.dx), ptr(d.dw), ptr(d.dy)}, ptr(d.ws));
        o.add(pack);
        CHECK_DNN(cudnnBackendExecute(handle, plan, pack), CUDNN_STATUS_SUCCESS);
        OK(cuStreamSynchronize(stream));
        outs.push_back(download(k.type, d.dy, count(k.yd())));
    }
    report(outs[0] == outs[1] && outs[1] == outs[2], "engines 0, 1 and 2 compute the same bits");

    // Engine 0 computes HALF / BFLOAT16 with channels in multiples of 8 only: its plan refuses the rest.
    struct Refusal {
        const char* name;
        Case k;
        cudnnStatus_t want;
    };
    std::vector<Refusal> refusals;
    {
        Case f = base("engine-0-float", CUDNN_DATA_FLOAT, Layout::NHWC);
        refusals.push_back({"engine 0 refuses FLOAT", f, CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE});
        Case c = base("engine-0-c4", CUDNN_DATA_HALF, Layout::NHWC);
        c.c = 4;
        refusals.push_back({"engine 0 refuses 4 channels", c, CUDNN_STATUS_NOT_SUPPORTED_SHAPE});
        Case a = base("engine-0-align-2", CUDNN_DATA_HALF, Layout::NHWC);
        a.alignment = 2;
        refusals.push_back({"engine 0 refuses 2-byte alignment", a, CUDNN_STATUS_NOT_SUPPORTED_LAYOUT});
    }
    for (Refusal& r : refusals) {
        Owned o;
        Graph g = build_graph(r.k, handle);
        own_graph(o, g);
        D engine = nullptr;
        D cfg = config_for_engine(g.graph, 0, &engine);
        o.add(engine);
        o.add(cfg);
        cudnnStatus_t st = CUDNN_STATUS_SUCCESS;
        D plan = plan_for(handle, cfg, &st);
        report(plan == nullptr && st == r.want, r.name, cudnnGetErrorString(st));
        if (plan) o.add(plan);
    }

    // Heuristics: mode A lists engine 0 first; for FLOAT its plan fails and the caller goes on to engine 1.
    {
        Case f = base("heuristics-a-float-skips-engine-0", CUDNN_DATA_FLOAT, Layout::NHWC);
        CHECK(run(f) == 1);
        Case h = base("heuristics-a-half-takes-engine-0", CUDNN_DATA_HALF, Layout::NHWC);
        CHECK(run(h) == 0);
        Case fb = base("heuristics-fallback-takes-engine-2", CUDNN_DATA_HALF, Layout::NHWC);
        fb.heur = CUDNN_HEUR_MODE_FALLBACK;
        CHECK(run(fb) == 2);
        Case b = base("heuristics-b-takes-engine-1", CUDNN_DATA_HALF, Layout::NHWC);
        b.heur = CUDNN_HEUR_MODE_B;
        CHECK(run(b) == 1);
        Case bg = base("heuristics-b-grouped-answers-as-a", CUDNN_DATA_HALF, Layout::NHWC);
        bg.heur = CUDNN_HEUR_MODE_B, bg.c = 16, bg.k = 16, bg.groups = 2;  // 8 channels per group: engine 0 takes it
        CHECK(run(bg) == 0);
    }
    // A graph no engine computes (mixed types) gets no configuration at all.
    {
        Owned o;
        Case m = base("mixed", CUDNN_DATA_HALF, Layout::NHWC);
        Graph g;
        g.x = tensor('x', CUDNN_DATA_HALF, m.xd(), strides_for(m.xl, m.xd()), 16);
        g.w = tensor('w', CUDNN_DATA_FLOAT, m.wd(), strides_for(m.wl, m.wd()), 16);
        g.y = tensor('y', CUDNN_DATA_HALF, m.yd(), strides_for(m.yl, m.yd()), 16);
        for (D d : {g.x, g.w, g.y}) o.add(d);
        // reuse build_graph's convolution and operation by building a graph from these tensors
        Graph full = build_graph(m, handle);
        own_graph(o, full);
        D op = make(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
        o.add(op);
        CHECK(set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, g.x) == CUDNN_STATUS_SUCCESS);
        CHECK(set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, g.w) == CUDNN_STATUS_SUCCESS);
        CHECK(set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, g.y) == CUDNN_STATUS_SUCCESS);
        CHECK(set_desc(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, full.conv) == CUDNN_STATUS_SUCCESS);
        float one = 1, zero = 0;
        cudnnBackendSetAttribute(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, 1, &one);
        cudnnBackendSetAttribute(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, 1, &zero);
        CHECK_DNN(cudnnBackendFinalize(op), CUDNN_STATUS_SUCCESS);
        D graph = make(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
        o.add(graph);
        CHECK(set_desc(graph, CUDNN_ATTR_OPERATIONGRAPH_OPS, op) == CUDNN_STATUS_SUCCESS);
        CHECK_DNN(cudnnBackendFinalize(graph), CUDNN_STATUS_SUCCESS);
        std::vector<D> cfgs = configs(graph, CUDNN_HEUR_MODE_A);
        report(cfgs.empty(), "heuristics offer nothing for a graph of mixed storage types");
        for (D c : cfgs) o.add(c);
    }
}

/** What cudnnBackendExecute checks before it queues anything. */
void execute_checks() {
    Case k = base("checks", CUDNN_DATA_HALF, Layout::NHWC);
    k.engine = 1;  // always needs a workspace
    Owned o;
    Graph g = build_graph(k, handle);
    own_graph(o, g);
    D plan = plan_of(k, g, o);
    CHECK(plan != nullptr);
    if (!plan) return;
    const int64_t ws_bytes = get_i64(plan, CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE);
    CHECK(ws_bytes > 0);
    int64_t cfg_ws = -1;
    {
        D cfg = make(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR);
        o.add(cfg);
        int64_t n = 0;
        CHECK_DNN(cudnnBackendGetAttribute(plan, CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &n, &cfg),
                  CUDNN_STATUS_SUCCESS);
        cfg_ws = get_i64(cfg, CUDNN_ATTR_ENGINECFG_WORKSPACE_SIZE);
    }
    report(cfg_ws == ws_bytes, "the engine configuration and its plan report the same workspace size");
    Data d = upload_case(k, o, 3);
    const size_t xb = count(k.xd()) * 2, wb = count(k.wd()) * 2, yb = count(k.yd()) * 2;
    CUdeviceptr ws = o.alloc((size_t)ws_bytes);
    auto exec = [&](std::vector<int64_t> uids, std::vector<void*> ptrs, void* workspace) {
        D pack = variant_pack(std::move(uids), std::move(ptrs), workspace);
        o.add(pack);
        return cudnnBackendExecute(handle, plan, pack);
    };
    auto expect = [&](cudnnStatus_t got, cudnnStatus_t want, const std::string& name, const char* in_message) {
        const std::string m = got == CUDNN_STATUS_SUCCESS ? "" : last_error();
        const bool ok = got == want && (in_message == nullptr || m.find(in_message) != std::string::npos);
        report(ok, name, std::string(cudnnGetErrorString(got)) + (m.empty() ? "" : ": " + m));
    };
    const std::vector<int64_t> uids = {'x', 'w', 'y'};

    // The workspace: required when the plan reports one, and at least that large.
    expect(exec(uids, {ptr(d.dx), ptr(d.dw), ptr(d.dy)}, nullptr), CUDNN_STATUS_BAD_PARAM_NULL_POINTER,
           "a NULL workspace for a plan that needs one", "CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE");
    CUdeviceptr small_ws = o.alloc((size_t)ws_bytes - 1);
    expect(exec(uids, {ptr(d.dx), ptr(d.dw), ptr(d.dy)}, ptr(small_ws)), CUDNN_STATUS_BAD_PARAM,
           "a workspace one byte smaller than the plan's", "workspace");
    // Buffers one element short of the tensor's extent.
    CUdeviceptr short_y = o.alloc(yb - 2), short_x = o.alloc(xb - 2), short_w = o.alloc(wb - 2);
    expect(exec(uids, {ptr(d.dx), ptr(d.dw), ptr(short_y)}, ptr(ws)), CUDNN_STATUS_BAD_PARAM, "y one element short", "y");
    expect(exec(uids, {ptr(short_x), ptr(d.dw), ptr(d.dy)}, ptr(ws)), CUDNN_STATUS_BAD_PARAM, "x one element short", "x");
    expect(exec(uids, {ptr(d.dx), ptr(short_w), ptr(d.dy)}, ptr(ws)), CUDNN_STATUS_BAD_PARAM, "w one element short", "w");
    // A buffer that is not device memory at all.
    std::vector<unsigned char> host(yb);
    expect(exec(uids, {ptr(d.dx), ptr(d.dw), host.data()}, ptr(ws)), CUDNN_STATUS_BAD_PARAM, "y in pageable host memory",
           nullptr);
    // Alignment: the tensors promise 16 bytes (CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT).
    CUdeviceptr big_x = o.alloc(xb + 64);
    expect(exec(uids, {ptr(big_x + 2), ptr(d.dw), ptr(d.dy)}, ptr(ws)), CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER,
           "x 2 bytes off its 16-byte alignment", "CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT");
    expect(exec(uids, {ptr(big_x + 16), ptr(d.dw), ptr(d.dy)}, ptr(ws)), CUDNN_STATUS_SUCCESS, "x 16 bytes into a buffer",
           nullptr);
    // The variant pack's UIDs.
    expect(exec({'x', 'w'}, {ptr(d.dx), ptr(d.dw)}, ptr(ws)), CUDNN_STATUS_BAD_PARAM, "no pointer for y", "unique id");
    expect(exec({'x', 'w', 'y', 'z'}, {ptr(d.dx), ptr(d.dw), ptr(d.dy), ptr(d.dy)}, ptr(ws)), CUDNN_STATUS_BAD_PARAM,
           "a pointer for a UID the graph lacks", "no tensor of the plan's graph");
    expect(exec(uids, {ptr(d.dx), nullptr, ptr(d.dy)}, ptr(ws)), CUDNN_STATUS_BAD_PARAM_NULL_POINTER, "a NULL pointer for w",
           "NULL");
    // y overlapping an input or the workspace cannot be computed.
    CUdeviceptr both = o.alloc(xb + yb + 256);
    expect(exec(uids, {ptr(both), ptr(d.dw), ptr(both + 256)}, ptr(ws)), CUDNN_STATUS_BAD_PARAM, "y overlapping x",
           "overlaps");
    // The descriptors themselves.
    D unfinalized = make(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
    o.add(unfinalized);
    D pack = variant_pack(uids, {ptr(d.dx), ptr(d.dw), ptr(d.dy)}, ptr(ws));
    o.add(pack);
    expect(cudnnBackendExecute(handle, unfinalized, pack), CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED, "an unfinalized plan",
           "not finalized");
    expect(cudnnBackendExecute(handle, pack, pack), CUDNN_STATUS_BAD_PARAM_DESCRIPTOR_TYPE,
           "a variant pack in place of the plan", "VARIANT_PACK");
    expect(cudnnBackendExecute(nullptr, plan, pack), CUDNN_STATUS_BAD_PARAM, "a NULL handle", "handle");

    // The workspace is scribbled by the convolution: the engine owns it while it runs.
    std::vector<unsigned char> zeros((size_t)ws_bytes, 0), back((size_t)ws_bytes, 0);
    OK(cuMemcpyHtoD(ws, zeros.data(), zeros.size()));
    expect(cudnnBackendExecute(handle, plan, pack), CUDNN_STATUS_SUCCESS, "a valid execution", nullptr);
    OK(cuStreamSynchronize(stream));
    OK(cuMemcpyDtoH(back.data(), ws, back.size()));
    bool scribbled = true;
    for (unsigned char b : back) scribbled &= b == 0xff;
    report(scribbled, "the workspace holds garbage after the convolution ran");
    std::vector<float> y = download(k.type, d.dy, count(k.yd()));
    std::vector<double> mag, ref = reference(k, d.x, d.w, d.y0, &mag);
    report(compare(k, y, ref, mag).empty(), "the valid execution's result", compare(k, y, ref, mag));
}

/** Descriptors a plan was built from must stay alive while it is executed (cudnn_emu.h, kLifetimeRule). */
void lifetimes() {
    struct Kill {
        const char* name;
        int which;            // 0 graph, 1 engine config, 2 tensor x, 3 convolution, 4 engine, 5 operation
        const char* message;  // what the error must name
    };
    const Kill kills[] = {{"operation graph", 0, "OPERATIONGRAPH descriptor"},
                          {"engine configuration", 1, "ENGINECFG descriptor"},
                          {"tensor x", 2, "TENSOR descriptor"},
                          {"convolution descriptor", 3, "CONVOLUTION descriptor"},
                          {"engine", 4, "ENGINE descriptor"},
                          {"operation", 5, "OPERATION_CONVOLUTION_FORWARD descriptor"}};
    for (const Kill& kill : kills) {
        Case k = base("lifetime", CUDNN_DATA_HALF, Layout::NHWC);
        k.engine = 2;
        Owned o;
        Graph g = build_graph(k, handle);
        D engine = nullptr;
        D cfg = config_for_engine(g.graph, 2, &engine);
        D plan = plan_for(handle, cfg);
        CHECK(plan != nullptr);
        o.add(plan);
        Data d = upload_case(k, o, 5);
        D pack = variant_pack({'x', 'w', 'y'}, {ptr(d.dx), ptr(d.dw), ptr(d.dy)}, nullptr);
        o.add(pack);
        D victim = kill.which == 0 ? g.graph : kill.which == 1 ? cfg : kill.which == 2 ? g.x : kill.which == 3 ? g.conv
                 : kill.which == 4 ? engine : g.op;
        CHECK(cudnnBackendDestroyDescriptor(victim) == CUDNN_STATUS_SUCCESS);
        const cudnnStatus_t st = cudnnBackendExecute(handle, plan, pack);
        const std::string m = last_error();
        report(st == CUDNN_STATUS_BAD_PARAM && m.find(kill.message) != std::string::npos && m.find("destroyed") != std::string::npos,
               std::string("execute refuses a plan whose ") + kill.name + " was destroyed", m);
        for (D x : {g.x, g.w, g.y, g.conv, g.op, g.graph, engine, cfg})
            if (x != victim) o.add(x);
    }
    // What may go: the heuristics descriptor (its results are copies), and, once the execution is queued,
    // the plan and the variant pack (the queued work keeps what it needs).
    {
        Case k = base("lifetime-ok", CUDNN_DATA_FLOAT, Layout::NCHW);
        Owned o;
        Graph g = build_graph(k, handle);
        own_graph(o, g);
        D plan = plan_of(k, g, o);  // its heuristics descriptor is already destroyed (cudnn_test.h configs())
        CHECK(plan != nullptr);
        Data d = upload_case(k, o, 9);
        const int64_t wsb = get_i64(plan, CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE);
        if (wsb > 0) d.ws = o.alloc((size_t)wsb);
        D pack = variant_pack({'x', 'w', 'y'}, {ptr(d.dx), ptr(d.dw), ptr(d.dy)}, ptr(d.ws));
        CHECK_DNN(cudnnBackendExecute(handle, plan, pack), CUDNN_STATUS_SUCCESS);
        CHECK(cudnnBackendDestroyDescriptor(pack) == CUDNN_STATUS_SUCCESS);
        CHECK(cudnnBackendDestroyDescriptor(plan) == CUDNN_STATUS_SUCCESS);
        o.descs.erase(std::find(o.descs.begin(), o.descs.end(), plan));
        OK(cuStreamSynchronize(stream));
        std::vector<float> y = download(k.type, d.dy, count(k.yd()));
        std::vector<double> mag, ref = reference(k, d.x, d.w, d.y0, &mag);
        report(compare(k, y, ref, mag).empty(),
               "plan and pack destroyed after execute: the queued convolution still runs right");
    }
    // A handle that was destroyed: the plan's (CUDNN_ATTR_EXECUTION_PLAN_HANDLE), or the one passed.
    {
        cudnnHandle_t h2 = nullptr;
        CHECK_DNN(cudnnCreate(&h2), CUDNN_STATUS_SUCCESS);
        Case k = base("handle", CUDNN_DATA_HALF, Layout::NHWC);
        Owned o;
        Graph g = build_graph(k, handle);
        own_graph(o, g);
        D engine = nullptr;
        D cfg = config_for_engine(g.graph, 2, &engine);
        o.add(engine);
        o.add(cfg);
        D plan = plan_for(h2, cfg);
        o.add(plan);
        Data d = upload_case(k, o, 11);
        D pack = variant_pack({'x', 'w', 'y'}, {ptr(d.dx), ptr(d.dw), ptr(d.dy)}, nullptr);
        o.add(pack);
        CHECK_DNN(cudnnDestroy(h2), CUDNN_STATUS_SUCCESS);
        CHECK_DNN(cudnnBackendExecute(handle, plan, pack), CUDNN_STATUS_BAD_PARAM);
        CHECK_DNN(cudnnBackendExecute(h2, plan, pack), CUDNN_STATUS_BAD_PARAM);
        CHECK_DNN(cudnnDestroy(h2), CUDNN_STATUS_BAD_PARAM);
    }
}

/** The convolution is queued on the handle's stream and runs when the stream gets there; capture records it. */
void streams_and_capture() {
    Case k = base("stream", CUDNN_DATA_FLOAT, Layout::NHWC);
    k.engine = 2;
    Owned o;
    Graph g = build_graph(k, handle);
    own_graph(o, g);
    D plan = plan_of(k, g, o);
    CHECK(plan != nullptr);
    Data d = upload_case(k, o, 13);
    std::vector<float> zeros(count(k.yd()), 0.0f);
    OK(cuMemcpyHtoD(d.dy, zeros.data(), zeros.size() * 4));
    D pack = variant_pack({'x', 'w', 'y'}, {ptr(d.dx), ptr(d.dw), ptr(d.dy)}, nullptr);
    o.add(pack);
    CHECK_DNN(cudnnBackendExecute(handle, plan, pack), CUDNN_STATUS_SUCCESS);
    // A synchronous copy does not wait for a non-blocking stream: the convolution has not run yet.
    std::vector<float> early = download(k.type, d.dy, count(k.yd()));
    report(early == zeros, "the convolution runs on the handle's stream, not before the stream gets there");
    OK(cuStreamSynchronize(stream));
    std::vector<float> y = download(k.type, d.dy, count(k.yd()));
    std::vector<double> mag, ref = reference(k, d.x, d.w, d.y0, &mag);
    report(compare(k, y, ref, mag).empty(), "after cuStreamSynchronize the result is there");

    // Captured into a CUDA graph, then replayed on the memory as it is at each launch.
    OK(cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CHECK_DNN(cudnnBackendExecute(handle, plan, pack), CUDNN_STATUS_SUCCESS);
    CUgraph graph = nullptr;
    OK(cuStreamEndCapture(stream, &graph));
    CUgraphExec exec = nullptr;
    OK(cuGraphInstantiateWithFlags(&exec, graph, 0));
    OK(cuGraphDestroy(graph));
    bool replays = true;
    for (unsigned seed : {21u, 22u}) {
        std::vector<float> x = random_values(k.type, count(k.xd()), seed);
        OK(cuMemcpyHtoD(d.dx, x.data(), x.size() * 4));
        OK(cuGraphLaunch(exec, stream));
        OK(cuStreamSynchronize(stream));
        std::vector<float> yy = download(k.type, d.dy, count(k.yd()));
        std::vector<double> m2, r2 = reference(k, x, d.w, d.y0, &m2);
        replays &= compare(k, yy, r2, m2).empty();
    }
    report(replays, "a captured convolution replays with the inputs of each launch");
    OK(cuGraphExecDestroy(exec));

    // The default stream when no stream was set.
    cudnnHandle_t h0 = nullptr;
    CHECK_DNN(cudnnCreate(&h0), CUDNN_STATUS_SUCCESS);
    cudaStream_t got = (cudaStream_t)1;
    CHECK_DNN(cudnnGetStream(h0, &got), CUDNN_STATUS_SUCCESS);
    CHECK(got == nullptr);
    OK(cuMemcpyHtoD(d.dy, zeros.data(), zeros.size() * 4));
    CHECK_DNN(cudnnBackendExecute(h0, plan, pack), CUDNN_STATUS_SUCCESS);
    y = download(k.type, d.dy, count(k.yd()));  // the legacy stream: a synchronous copy waits for it
    std::vector<float> x0 = random_values(k.type, count(k.xd()), 22);
    std::vector<double> m3, r3 = reference(k, x0, d.w, d.y0, &m3);
    report(compare(k, y, r3, m3).empty(), "without cudnnSetStream the convolution goes to the legacy default stream");
    // A stream that is not live is refused when the work is queued.
    CUstream dead = nullptr;
    OK(cuStreamCreate(&dead, CU_STREAM_NON_BLOCKING));
    OK(cuStreamDestroy(dead));
    CHECK_DNN(cudnnSetStream(h0, (cudaStream_t)dead), CUDNN_STATUS_SUCCESS);
    const cudnnStatus_t st = cudnnBackendExecute(h0, plan, pack);
    report(st == CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER && last_error().find("stream") != std::string::npos,
           "a destroyed stream is refused when the convolution is queued", cudnnGetErrorString(st));
    CHECK_DNN(cudnnDestroy(h0), CUDNN_STATUS_SUCCESS);
}

void faults() {
    Case k = base("faults", CUDNN_DATA_HALF, Layout::NHWC);
    {
        Owned o;
        Graph g = build_graph(k, handle);
        own_graph(o, g);
        CHECK(tjemuControl("fault cudnn.heuristic") == 0);
        std::vector<D> cfgs = configs(g.graph, CUDNN_HEUR_MODE_A);
        report(cfgs.empty(), "fault cudnn.heuristic: the heuristics offer no engine configuration");
        for (D c : cfgs) o.add(c);
        std::vector<D> again = configs(g.graph, CUDNN_HEUR_MODE_A);
        report(!again.empty(), "the fault fires once");
        for (D c : again) o.add(c);
    }
    {
        Owned o;
        k.engine = 2;
        Graph g = build_graph(k, handle);
        own_graph(o, g);
        D plan = plan_of(k, g, o);
        Data d = upload_case(k, o, 17);
        D pack = variant_pack({'x', 'w', 'y'}, {ptr(d.dx), ptr(d.dw), ptr(d.dy)}, nullptr);
        o.add(pack);
        CHECK(tjemuControl("fault nan:cudnn") == 0);
        CHECK_DNN(cudnnBackendExecute(handle, plan, pack), CUDNN_STATUS_SUCCESS);
        OK(cuStreamSynchronize(stream));
        std::vector<float> y = download(k.type, d.dy, count(k.yd()));
        std::vector<double> mag, ref = reference(k, d.x, d.w, d.y0, &mag);
        std::vector<float> rest(y.begin() + 1, y.end());
        std::vector<double> rref(ref.begin() + 1, ref.end()), rmag(mag.begin() + 1, mag.end());
        report(std::isnan(y[0]) && compare(k, rest, rref, rmag).empty(), "fault nan:cudnn: y[0] is NaN, the rest right");
        CHECK_DNN(cudnnBackendExecute(handle, plan, pack), CUDNN_STATUS_SUCCESS);
        OK(cuStreamSynchronize(stream));
        y = download(k.type, d.dy, count(k.yd()));
        report(compare(k, y, ref, mag).empty(), "the next execution is clean again");
    }
    CHECK(tjemuControl("clear-faults") == 0);
}

/**
 * The queued work names the exact byte ranges of x, w and y: a captured convolution whose y was freed
 * before the graph was launched is refused at the launch, and the driver's message names y.
 */
void freed_before_it_ran() {
    Case k = base("freed", CUDNN_DATA_HALF, Layout::NHWC);
    k.engine = 2;
    Owned o;
    Graph g = build_graph(k, handle);
    own_graph(o, g);
    D plan = plan_of(k, g, o);
    Data d = upload_case(k, o, 19);
    D pack = variant_pack({'x', 'w', 'y'}, {ptr(d.dx), ptr(d.dw), ptr(d.dy)}, nullptr);
    o.add(pack);
    OK(cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_GLOBAL));
    CHECK_DNN(cudnnBackendExecute(handle, plan, pack), CUDNN_STATUS_SUCCESS);
    CUgraph graph = nullptr;
    OK(cuStreamEndCapture(stream, &graph));
    CUgraphExec exec = nullptr;
    OK(cuGraphInstantiateWithFlags(&exec, graph, 0));
    OK(cuGraphDestroy(graph));
    OK(cuMemFree(d.dy));
    o.buffers.erase(std::find(o.buffers.begin(), o.buffers.end(), d.dy));
    const CUresult r = cuGraphLaunch(exec, stream);
    const char* text = nullptr;
    cuGetErrorString(r, &text);
    const std::string m = text ? text : "";
    report(r != CUDA_SUCCESS && m.find("cudnnBackendExecute") != std::string::npos && m.find("y ") != std::string::npos,
           "a captured convolution whose y was freed is refused at the launch", m);
    OK(cuGraphExecDestroy(exec));
    OK(cuStreamSynchronize(stream));
}

}  // namespace

int main() {
    // A handle needs a current CUDA context (the emulator's reading of "tied to the current context").
    cudnnHandle_t none = nullptr;
    CHECK_DNN(cudnnCreate(&none), CUDNN_STATUS_NOT_INITIALIZED);
    selftest::context();
    CHECK_DNN(cudnnCreate(nullptr), CUDNN_STATUS_BAD_PARAM);
    CHECK_DNN(cudnnCreate(&handle), CUDNN_STATUS_SUCCESS);
    OK(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
    CHECK_DNN(cudnnSetStream(handle, (cudaStream_t)stream), CUDNN_STATUS_SUCCESS);
    numerics();
    spatial_dims(1);
    spatial_dims(3);
    engines();
    execute_checks();
    lifetimes();
    streams_and_capture();
    faults();
    freed_before_it_ran();
    CHECK_DNN(cudnnDestroy(handle), CUDNN_STATUS_SUCCESS);
    OK(cuStreamDestroy(stream));
    return selftest::finish("cudnn_conv");
}
