// Self test of the emulated cuBLASLt's arithmetic against a naive reference written from the
// documented formula (3.4.17 cublasLtMatmul: D = alpha*(op(A) op(B)) + beta*C; 3.3.2 epilogues: bias
// of D's rows added before the activation, RELU max(x, 0), GELU 0.5x(1 + tanh(sqrt(2/pi)(x +
// 0.044715x^3)))), accumulated in double. Covers column-major with ld > rows, row-major, every
// transpose (N, T, C), strided batches (B broadcast with stride 0, gaps between batch matrices),
// fp16 / bf16 / fp32 and the mixed fp16/bf16 -> fp32 rows of Table 1, alpha/beta with C aliasing D,
// C with ld 0 (broadcast), each epilogue with a batched bias, the device pointer modes, beta = 0 with
// a NaN-filled C, the work's lifetime (descriptors destroyed before it runs), lazy execution on the
// stream and graph capture. Padding and gaps hold NaN, so reading one shows; D's padding must stay
// untouched.
#include "cublaslt_test.h"

#include <algorithm>
#include <cmath>

using namespace lttest;

namespace {

CUstream stream;
cublasLtHandle_t handle;
std::mt19937 rng(20240611);

struct Case {
    const char* name = "";
    cudaDataType_t ab = CUDA_R_16F, cd = CUDA_R_16F;
    cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
    cublasOperation_t ta = CUBLAS_OP_N, tb = CUBLAS_OP_N;
    cublasLtOrder_t order_a = CUBLASLT_ORDER_COL, order_b = CUBLASLT_ORDER_COL, order_cd = CUBLASLT_ORDER_COL;
    uint64_t m = 5, n = 7, k = 9;
    int64_t pad = 3;               // ld beyond the minimum
    int64_t pad_d = -1;            // D's own (-1: pad)
    int32_t batch = 1;
    int64_t stride_a = -1, stride_b = -1, stride_c = -1, stride_d = -1;  // -1: packed with a gap
    float alpha = 1.0f, beta = 0.0f;
    bool in_place = false;         // C == D, Cdesc == Ddesc
    bool same_desc = true;         // in place: pass the same layout handle (else an equal copy)
    bool c_broadcast = false;      // C has ld 0 (col-major: one column broadcast)
    uint32_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
    int64_t bias_stride = 0;       // CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE
    cublasLtPointerMode_t pointer_mode = CUBLASLT_POINTER_MODE_HOST;
    bool nan_c = false;            // C is all NaN (with beta 0 it must not be read)
    bool use_heuristic = true;     // else algo NULL
    uint64_t workspace = 1 << 20;  // preference's MAX_WORKSPACE_BYTES
};

double tolerance(cudaDataType_t t) { return t == CUDA_R_16F ? 2e-3 : t == CUDA_R_16BF ? 1.6e-2 : 2e-6; }

bool has_bias(uint32_t e) { return e == CUBLASLT_EPILOGUE_BIAS || e == CUBLASLT_EPILOGUE_RELU_BIAS || e == CUBLASLT_EPILOGUE_GELU_BIAS; }

/** Runs one case; every mismatch is a failed check with a line saying where. */
void run(const Case& t) {
    const uint64_t ar = t.ta == CUBLAS_OP_N ? t.m : t.k, ac = t.ta == CUBLAS_OP_N ? t.k : t.m;
    const uint64_t br = t.tb == CUBLAS_OP_N ? t.k : t.n, bc = t.tb == CUBLAS_OP_N ? t.n : t.k;
    HostMatrix A = make_matrix(t.ab, t.order_a, ar, ac, t.pad, t.batch, t.stride_a, rng);
    HostMatrix B = make_matrix(t.ab, t.order_b, br, bc, t.pad + 1, t.batch, t.stride_b, rng);
    HostMatrix C = make_matrix(t.cd, t.order_cd, t.m, t.n, t.pad + 2, t.batch, t.stride_c, rng);
    if (t.c_broadcast) {
        C = make_matrix(t.cd, t.order_cd, t.m, t.n, 0, t.batch, t.stride_c, rng);
        C.ld = 0;
        C.stride = t.stride_c < 0 ? (int64_t)(t.order_cd == CUBLASLT_ORDER_COL ? t.m : t.n) + 1 : t.stride_c;
        C.bytes.assign((size_t)(C.stride * (t.batch - 1) + (int64_t)(t.order_cd == CUBLASLT_ORDER_COL ? t.m : t.n)) * elem_size(t.cd), 0xff);
        for (int32_t b = 0; b < t.batch; b++)
            for (uint64_t i = 0; i < (t.order_cd == CUBLASLT_ORDER_COL ? t.m : t.n); i++)
                C.set(t.order_cd == CUBLASLT_ORDER_COL ? i : 0, t.order_cd == CUBLASLT_ORDER_COL ? 0 : i, b,
                      representable(t.cd, std::uniform_real_distribution<float>(-1, 1)(rng)));
    }
    if (t.nan_c) std::fill(C.bytes.begin(), C.bytes.end(), 0xff);
    HostMatrix D = t.in_place ? C : make_matrix(t.cd, t.order_cd, t.m, t.n, t.pad_d >= 0 ? t.pad_d : t.pad, t.batch, t.stride_d, rng);
    if (!t.in_place) std::fill(D.bytes.begin(), D.bytes.end(), 0xff);  // everything NaN: unwritten elements show
    const HostMatrix D0 = D;

    // Bias: m elements per batch, bias_stride apart (gaps NaN).
    std::vector<float> bias_vals((size_t)(t.m * t.batch));
    std::vector<unsigned char> bias_bytes;
    if (has_bias(t.epilogue)) {
        const int64_t span = (int64_t)t.m + (int64_t)(t.batch - 1) * t.bias_stride;
        bias_bytes.assign((size_t)std::max<int64_t>(span, 1) * elem_size(t.cd), 0xff);
        for (int32_t b = 0; b < t.batch; b++)
            for (uint64_t i = 0; i < t.m; i++) {
                if (t.bias_stride == 0 && b > 0) {  // every batch reads the same vector
                    bias_vals[(size_t)(b * t.m + i)] = bias_vals[i];
                    continue;
                }
                const float v = representable(t.cd, std::uniform_real_distribution<float>(-0.5f, 0.5f)(rng));
                bias_vals[(size_t)(b * t.m + i)] = v;
                from_float(t.cd, &bias_bytes[(size_t)((int64_t)i + b * t.bias_stride) * elem_size(t.cd)], v);
            }
    }

    DeviceBuffer dA(A.bytes), dB(B.bytes), dC(C.bytes);
    DeviceBuffer dD(t.in_place ? std::vector<unsigned char>{0} : D.bytes);
    DeviceBuffer dBias(bias_bytes.empty() ? std::vector<unsigned char>{0} : bias_bytes);
    const CUdeviceptr c_ptr = dC.ptr, d_ptr = t.in_place ? dC.ptr : dD.ptr;

    cublasLtMatmulDesc_t desc = nullptr;
    LT_OK(cublasLtMatmulDescCreate(&desc, t.compute, CUDA_R_32F));
    set_desc(desc, CUBLASLT_MATMUL_DESC_TRANSA, t.ta);
    set_desc(desc, CUBLASLT_MATMUL_DESC_TRANSB, t.tb);
    set_desc(desc, CUBLASLT_MATMUL_DESC_POINTER_MODE, t.pointer_mode);
    set_epilogue(desc, t.epilogue);
    if (has_bias(t.epilogue)) {
        set_bias(desc, dBias.p());
        LT_OK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE, &t.bias_stride, sizeof t.bias_stride));
    }
    cublasLtMatrixLayout_t la = layout_of(A), lb = layout_of(B), lc = layout_of(C), ld = t.in_place && t.same_desc ? lc : layout_of(D);

    // Scalars by pointer mode.
    std::vector<float> alpha_v(t.m, t.alpha), beta_v(t.m, t.beta);
    for (uint64_t i = 0; i < t.m; i++) alpha_v[i] = t.alpha * (1.0f + 0.25f * (float)i);  // vector modes: per-row values
    std::vector<unsigned char> scal_bytes((t.m * 2 + 2) * 4);
    DeviceBuffer dScal(scal_bytes.size());
    const void* alpha_arg = &t.alpha;
    const void* beta_arg = &t.beta;
    const bool vec = t.pointer_mode != CUBLASLT_POINTER_MODE_HOST && t.pointer_mode != CUBLASLT_POINTER_MODE_DEVICE;
    if (t.pointer_mode == CUBLASLT_POINTER_MODE_DEVICE) {
        std::memcpy(&scal_bytes[0], &t.alpha, 4);
        std::memcpy(&scal_bytes[4], &t.beta, 4);
        dScal.upload(scal_bytes);
        alpha_arg = dScal.p(0);
        beta_arg = dScal.p(4);
    } else if (vec) {
        std::memcpy(&scal_bytes[0], alpha_v.data(), t.m * 4);
        std::memcpy(&scal_bytes[t.m * 4], beta_v.data(), t.m * 4);
        dScal.upload(scal_bytes);
        alpha_arg = dScal.p(0);
        beta_arg = t.pointer_mode == CUBLASLT_POINTER_MODE_DEVICE_VECTOR ? dScal.p(t.m * 4) : &t.beta;
    }

    cublasLtMatmulHeuristicResult_t result{};
    DeviceBuffer ws(std::max<uint64_t>(t.workspace, 256));
    const cublasLtMatmulAlgo_t* algo = nullptr;
    size_t ws_size = 0;
    if (t.use_heuristic) {
        cublasLtMatmulPreference_t pref = nullptr;
        LT_OK(cublasLtMatmulPreferenceCreate(&pref));
        set_workspace_limit(pref, t.workspace);
        int found = 0;
        LT_OK(cublasLtMatmulAlgoGetHeuristic(handle, desc, la, lb, lc, ld, pref, 1, &result, &found));
        CHECK(found == 1 && result.state == CUBLAS_STATUS_SUCCESS && result.workspaceSize <= t.workspace);
        CHECK(t.workspace == 0 ? result.workspaceSize == 0 : result.workspaceSize > 0);
        LT_OK(cublasLtMatmulPreferenceDestroy(pref));
        algo = &result.algo;
        ws_size = result.workspaceSize;
    }
    LT_OK(cublasLtMatmul(handle, desc, alpha_arg, dA.p(), la, dB.p(), lb, beta_arg, reinterpret_cast<void*>(c_ptr), lc,
                         reinterpret_cast<void*>(d_ptr), ld, algo, ws_size ? ws.p() : nullptr, ws_size, stream));
    // The work copies what it needs: destroying everything before it runs is allowed.
    LT_OK(cublasLtMatmulDescDestroy(desc));
    LT_OK(cublasLtMatrixLayoutDestroy(la));
    LT_OK(cublasLtMatrixLayoutDestroy(lb));
    if (ld != lc) LT_OK(cublasLtMatrixLayoutDestroy(ld));
    LT_OK(cublasLtMatrixLayoutDestroy(lc));
    OK(cuStreamSynchronize(stream));

    HostMatrix got = D;
    got.bytes = t.in_place ? dC.download() : dD.download();

    // The reference, in double.
    int bad = 0;
    const double tol = tolerance(t.cd);
    for (int32_t b = 0; b < t.batch; b++)
        for (uint64_t j = 0; j < t.n; j++)
            for (uint64_t i = 0; i < t.m; i++) {
                double acc = 0, mag = 0;
                for (uint64_t q = 0; q < t.k; q++) {
                    const double x = t.ta == CUBLAS_OP_N ? A.get(i, q, b) : A.get(q, i, b);
                    const double y = t.tb == CUBLAS_OP_N ? B.get(q, j, b) : B.get(j, q, b);
                    acc += x * y;
                    mag += std::fabs(x * y);
                }
                const double al = vec ? alpha_v[i] : t.alpha;
                const double be = t.pointer_mode == CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_ZERO ? 0.0 : t.beta;
                double want = al * acc, terms = std::fabs(al) * mag;
                if (be != 0) {
                    const double cij = t.c_broadcast ? (t.order_cd == CUBLASLT_ORDER_COL ? C.get(i, 0, b) : C.get(0, j, b)) : C.get(i, j, b);
                    want += be * cij;
                    terms += std::fabs(be * cij);
                }
                if (has_bias(t.epilogue)) {
                    want += bias_vals[(size_t)(b * t.m + i)];
                    terms += std::fabs(bias_vals[(size_t)(b * t.m + i)]);
                }
                if (t.epilogue == CUBLASLT_EPILOGUE_RELU || t.epilogue == CUBLASLT_EPILOGUE_RELU_BIAS) want = std::max(want, 0.0);
                if (t.epilogue == CUBLASLT_EPILOGUE_GELU || t.epilogue == CUBLASLT_EPILOGUE_GELU_BIAS) want = gelu(want);
                const double g = got.get(i, j, b);
                // D's rounding, plus fp32 accumulation (about k + 4 roundings of the terms' magnitude)
                const double allowed = tol * std::fabs(want) + 1.2e-7 * (double)(t.k + 4) * terms + 1e-12;
                if (!(std::fabs(g - want) <= allowed)) {
                    if (bad++ < 3)
                        std::printf("FAIL %s: D(%llu,%llu) batch %d = %.7g, expected %.7g\n", t.name, (unsigned long long)i, (unsigned long long)j, b, g, want);
                }
            }
    CHECK(bad == 0);
    // Nothing outside D's elements was written (padding, gaps between batch matrices).
    std::vector<bool> element(got.bytes.size(), false);
    for (int32_t b = 0; b < t.batch; b++)
        for (uint64_t j = 0; j < t.n; j++)
            for (uint64_t i = 0; i < t.m; i++)
                for (size_t e = 0; e < elem_size(t.cd); e++) element[(size_t)got.index(i, j, b) * elem_size(t.cd) + e] = true;
    size_t stray = 0;
    for (size_t x = 0; x < got.bytes.size(); x++)
        if (!element[x] && got.bytes[x] != D0.bytes[x]) stray++;
    if (stray) std::printf("FAIL %s: %zu bytes outside D's elements changed\n", t.name, stray);
    CHECK(stray == 0);
}

void layouts_and_transposes() {
    Section s("layouts and transposes: col/row-major, ld > rows, N/T/C for A and B, every type row of Table 1");
    const std::pair<cudaDataType_t, cudaDataType_t> types[] = {
        {CUDA_R_16F, CUDA_R_16F}, {CUDA_R_16F, CUDA_R_32F}, {CUDA_R_16BF, CUDA_R_16BF}, {CUDA_R_16BF, CUDA_R_32F}, {CUDA_R_32F, CUDA_R_32F}};
    const cublasOperation_t ops[] = {CUBLAS_OP_N, CUBLAS_OP_T, CUBLAS_OP_C};
    const cublasLtOrder_t orders[] = {CUBLASLT_ORDER_COL, CUBLASLT_ORDER_ROW};
    for (const auto& [ab, cd] : types)
        for (cublasOperation_t ta : ops)
            for (cublasOperation_t tb : ops)
                for (cublasLtOrder_t oa : orders)
                    for (cublasLtOrder_t ocd : orders) {
                        Case t;
                        t.name = "layouts";
                        t.ab = ab;
                        t.cd = cd;
                        t.ta = ta;
                        t.tb = tb;
                        t.order_a = oa;
                        t.order_b = oa == CUBLASLT_ORDER_COL ? CUBLASLT_ORDER_ROW : CUBLASLT_ORDER_COL;
                        t.order_cd = ocd;
                        t.alpha = 0.75f;
                        run(t);
                    }
    Case big;  // enough work to run on several threads, 4-column blocks plus a remainder
    big.name = "large";
    big.m = 70;
    big.n = 131;
    big.k = 300;
    big.ta = CUBLAS_OP_T;
    run(big);
    Case k1;
    k1.name = "k=1, n=1";
    k1.k = 1;
    k1.n = 1;
    run(k1);
}

void batches() {
    Section s("strided batches: gaps, B broadcast with stride 0, interleaved D, batched bias");
    Case t;
    t.name = "batch";
    t.batch = 3;
    run(t);
    t.name = "batch, B stride 0";
    t.stride_b = 0;
    t.ab = CUDA_R_16BF;
    t.cd = CUDA_R_32F;
    run(t);
    t.name = "batch, A and C stride 0";
    t.stride_b = -1;
    t.stride_a = 0;
    t.stride_c = 0;
    t.beta = 0.5f;
    run(t);
    // Interleaved D: the batch's columns side by side (ld = m * batch, stride m): no element shared.
    Case i;
    i.name = "interleaved D";
    i.batch = 4;
    i.m = 6;
    i.pad_d = 18;
    i.stride_d = 6;
    i.ab = i.cd = CUDA_R_32F;
    run(i);
    Case b;
    b.name = "batched bias";
    b.batch = 3;
    b.epilogue = CUBLASLT_EPILOGUE_BIAS;
    b.bias_stride = 11;
    run(b);
    b.name = "bias broadcast over the batch";
    b.bias_stride = 0;
    run(b);
}

void scaling_and_in_place() {
    Section s("alpha/beta, C aliasing D (same and equal layouts), C with ld 0, beta 0 with NaN C");
    for (cudaDataType_t cd : {CUDA_R_16F, CUDA_R_32F}) {
        Case t;
        t.name = "in place";
        t.cd = cd;
        t.ab = cd == CUDA_R_32F ? CUDA_R_16BF : CUDA_R_16F;
        t.alpha = -1.5f;
        t.beta = 0.25f;
        t.in_place = true;
        run(t);
        t.name = "in place, equal copy of Ddesc";
        t.same_desc = false;
        t.batch = 2;
        run(t);
    }
    Case o;
    o.name = "out of place, beta";
    o.beta = 2.0f;
    o.alpha = 0.5f;
    o.order_cd = CUBLASLT_ORDER_ROW;
    run(o);
    Case bc;
    bc.name = "C broadcast (ld 0)";
    bc.c_broadcast = true;
    bc.beta = 1.0f;
    bc.batch = 2;
    run(bc);
    bc.name = "C broadcast (ld 0), row-major";
    bc.order_cd = CUBLASLT_ORDER_ROW;
    run(bc);
    Case z;
    z.name = "beta 0 does not read C";
    z.nan_c = true;
    z.beta = 0.0f;
    run(z);
    z.name = "beta 0 does not read C, in place";
    z.in_place = true;
    run(z);
}

void epilogues() {
    Section s("epilogues: RELU, BIAS, RELU_BIAS, GELU, GELU_BIAS (bias before the activation)");
    for (uint32_t e : {CUBLASLT_EPILOGUE_DEFAULT, CUBLASLT_EPILOGUE_RELU, CUBLASLT_EPILOGUE_BIAS, CUBLASLT_EPILOGUE_RELU_BIAS,
                       CUBLASLT_EPILOGUE_GELU, CUBLASLT_EPILOGUE_GELU_BIAS})
        for (cudaDataType_t cd : {CUDA_R_16F, CUDA_R_16BF, CUDA_R_32F}) {
            Case t;
            t.name = "epilogue";
            t.epilogue = e;
            t.cd = cd;
            t.ab = cd;
            t.alpha = 2.0f;
            t.beta = 0.5f;
            t.ta = CUBLAS_OP_T;
            run(t);
        }
}

void pointer_modes_and_algos() {
    Section s("pointer modes (host, device, vectors), compute types, algo NULL, no-workspace algorithm");
    for (cublasLtPointerMode_t pm : {CUBLASLT_POINTER_MODE_DEVICE, CUBLASLT_POINTER_MODE_DEVICE_VECTOR,
                                     CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_ZERO, CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_HOST}) {
        Case t;
        t.name = "pointer mode";
        t.pointer_mode = pm;
        t.alpha = 1.25f;
        t.beta = 0.5f;
        run(t);
    }
    Case d0;
    d0.name = "device beta 0, C NaN";
    d0.pointer_mode = CUBLASLT_POINTER_MODE_DEVICE;
    d0.nan_c = true;
    run(d0);
    for (cublasComputeType_t ct : {CUBLAS_COMPUTE_32F_PEDANTIC, CUBLAS_COMPUTE_32F_FAST_16F, CUBLAS_COMPUTE_32F_FAST_16BF,
                                   CUBLAS_COMPUTE_32F_FAST_TF32}) {
        Case t;
        t.name = "compute type";
        t.compute = ct;
        t.ab = t.cd = CUDA_R_32F;
        run(t);
    }
    Case n;
    n.name = "algo NULL";
    n.use_heuristic = false;
    n.beta = 1.0f;
    run(n);
    Case w;
    w.name = "no workspace allowed";
    w.workspace = 0;
    run(w);
}

/** The work runs when the stream gets there: before a synchronisation D is unchanged. */
void ordering_lifetime_capture() {
    Section s("lazy execution, graph capture and replay with host scalars captured");
    const uint64_t m = 4, n = 4, k = 4;
    std::vector<float> a(m * k, 1.0f), b(k * n, 2.0f), d(m * n, -7.0f);
    DeviceBuffer dA(m * k * 4), dB(k * n * 4), dD(m * n * 4);
    cuMemcpyHtoD(dA.ptr, a.data(), a.size() * 4);
    cuMemcpyHtoD(dB.ptr, b.data(), b.size() * 4);
    cuMemcpyHtoD(dD.ptr, d.data(), d.size() * 4);
    cublasLtMatmulDesc_t desc;
    cublasLtMatrixLayout_t l;
    LT_OK(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    LT_OK(cublasLtMatrixLayoutCreate(&l, CUDA_R_32F, 4, 4, 4));
    float alpha = 1.0f, beta = 0.0f;
    LT_OK(cublasLtMatmul(handle, desc, &alpha, dA.p(), l, dB.p(), l, &beta, dD.p(), l, dD.p(), l, nullptr, nullptr, 0, stream));
    std::vector<float> out(m * n);
    OK(cuMemcpyDtoH(out.data(), dD.ptr, out.size() * 4));  // a synchronous copy does not wait for a non-blocking stream
    CHECK(out[0] == -7.0f);
    OK(cuStreamSynchronize(stream));
    OK(cuMemcpyDtoH(out.data(), dD.ptr, out.size() * 4));
    CHECK(out[0] == 8.0f && out[15] == 8.0f);

    // Capture: alpha is read at the call (host pointer mode), A when the graph runs.
    OK(cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_GLOBAL));
    alpha = 0.5f;
    LT_OK(cublasLtMatmul(handle, desc, &alpha, dA.p(), l, dB.p(), l, &beta, dD.p(), l, dD.p(), l, nullptr, nullptr, 0, stream));
    alpha = 100.0f;  // too late: the graph holds 0.5
    CUgraph graph = nullptr;
    OK(cuStreamEndCapture(stream, &graph));
    CUgraphExec exec = nullptr;
    OK(cuGraphInstantiateWithFlags(&exec, graph, 0));
    LT_OK(cublasLtMatmulDescDestroy(desc));
    LT_OK(cublasLtMatrixLayoutDestroy(l));
    a.assign(m * k, 3.0f);
    OK(cuMemcpyHtoD(dA.ptr, a.data(), a.size() * 4));
    OK(cuGraphLaunch(exec, stream));
    OK(cuStreamSynchronize(stream));
    OK(cuMemcpyDtoH(out.data(), dD.ptr, out.size() * 4));
    CHECK(out[0] == 12.0f && out[5] == 12.0f);  // 0.5 * 4 * (3 * 2)
    OK(cuGraphExecDestroy(exec));
    OK(cuGraphDestroy(graph));
}

}  // namespace

int main() {
    selftest::context();
    OK(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
    LT_OK(cublasLtCreate(&handle));
    layouts_and_transposes();
    batches();
    scaling_and_in_place();
    epilogues();
    pointer_modes_and_algos();
    ordering_lifetime_capture();
    LT_OK(cublasLtDestroy(handle));
    return selftest::finish("cublaslt_matmul");
}
