// Helpers of the emulated cuBLASLt's self tests (cublaslt_api.cpp, cublaslt_matmul.cpp): status
// checks, sections that print "ok NAME" or "FAIL NAME", device buffers, captured stderr, and the
// storage of a matrix as cuBLASLt lays it out (3.3.19 / 3.3.23 of the cuBLAS guide: column-major
// element (i, j) at i + j*ld, row-major at i*ld + j, batch b at b * STRIDED_BATCH_OFFSET elements).
#pragma once

#include <cublasLt.h>

#include "fp16.h"
#include "selftest.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" int tjemuControl(const char* command);

namespace lttest {

inline void expect_lt(cublasStatus_t got, cublasStatus_t want, const char* what, const char* file, int line) {
    ++selftest::checks;
    if (got != want) {
        ++selftest::failures;
        std::printf("FAIL %s:%d: %s returned %s, expected %s\n", file, line, what, cublasLtGetStatusName(got), cublasLtGetStatusName(want));
        std::fflush(stdout);
    }
}

/** Prints "ok NAME" when no check failed since the section began, "FAIL NAME" otherwise. */
struct Section {
    const char* name;
    int failures_before;
    int checks_before;
    explicit Section(const char* n) : name(n), failures_before(selftest::failures), checks_before(selftest::checks) {}
    ~Section() {
        const int n = selftest::checks - checks_before;
        if (selftest::failures == failures_before) std::printf("ok   %s (%d checks)\n", name, n);
        else std::printf("FAIL %s (%d of %d checks failed)\n", name, selftest::failures - failures_before, n);
        std::fflush(stdout);
    }
};

/** Collects what the emulator writes to stderr while it lives (for checking diagnostics). */
class StderrCapture {
  public:
    StderrCapture() {
        std::fflush(stderr);
        saved_ = dup(2);
        file_ = std::tmpfile();
        dup2(fileno(file_), 2);
    }
    ~StderrCapture() { restore(); }
    std::string text() {
        restore();
        std::string s;
        std::rewind(file_);
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, file_)) > 0) s.append(buf, n);
        return s;
    }

  private:
    void restore() {
        if (saved_ < 0) return;
        std::fflush(stderr);
        dup2(saved_, 2);
        close(saved_);
        saved_ = -1;
    }
    int saved_ = -1;
    std::FILE* file_ = nullptr;
};

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

inline size_t elem_size(cudaDataType_t t) { return t == CUDA_R_32F ? 4 : 2; }

inline float to_float(cudaDataType_t t, const unsigned char* p) {
    uint16_t h;
    float f;
    switch (t) {
    case CUDA_R_16F: std::memcpy(&h, p, 2); return tjemu::half_to_float(h);
    case CUDA_R_16BF: std::memcpy(&h, p, 2); return tjemu::bf16_to_float(h);
    default: std::memcpy(&f, p, 4); return f;
    }
}

inline void from_float(cudaDataType_t t, unsigned char* p, float v) {
    uint16_t h;
    switch (t) {
    case CUDA_R_16F: h = tjemu::float_to_half(v); std::memcpy(p, &h, 2); break;
    case CUDA_R_16BF: h = tjemu::float_to_bf16(v); std::memcpy(p, &h, 2); break;
    default: std::memcpy(p, &v, 4); break;
    }
}

/** A value exactly representable in `t` (inputs are rounded first so the reference sees what the device sees). */
inline float representable(cudaDataType_t t, float v) {
    unsigned char b[4];
    from_float(t, b, v);
    return to_float(t, b);
}

/** A matrix in cuBLASLt's storage: host bytes (padding and gaps hold 0xff, NaN in every float type). */
struct HostMatrix {
    cudaDataType_t type = CUDA_R_32F;
    cublasLtOrder_t order = CUBLASLT_ORDER_COL;
    uint64_t rows = 0, cols = 0;
    int64_t ld = 0;
    int32_t batch = 1;
    int64_t stride = 0;
    std::vector<unsigned char> bytes;

    int64_t index(uint64_t r, uint64_t c, int32_t b) const {
        return (order == CUBLASLT_ORDER_COL ? (int64_t)r + (int64_t)c * ld : (int64_t)r * ld + (int64_t)c) + (int64_t)b * stride;
    }
    /** Elements one matrix spans (first to last, inclusive). */
    int64_t extent() const {
        if (rows == 0 || cols == 0) return 0;
        return order == CUBLASLT_ORDER_COL ? (int64_t)(rows - 1) + (int64_t)(cols - 1) * ld + 1 : (int64_t)(rows - 1) * ld + (int64_t)cols;
    }
    float get(uint64_t r, uint64_t c, int32_t b = 0) const { return to_float(type, &bytes[(size_t)index(r, c, b) * elem_size(type)]); }
    void set(uint64_t r, uint64_t c, int32_t b, float v) { from_float(type, &bytes[(size_t)index(r, c, b) * elem_size(type)], v); }
};

/**
 * rows x cols of `type` with ld = (rows or cols) + pad and `batch` matrices `stride` elements apart
 * (stride < 0: packed with a 3-element gap). Filled with random representable values in [-1, 1].
 */
inline HostMatrix make_matrix(cudaDataType_t type, cublasLtOrder_t order, uint64_t rows, uint64_t cols, int64_t pad, int32_t batch,
                              int64_t stride, std::mt19937& rng) {
    HostMatrix m;
    m.type = type;
    m.order = order;
    m.rows = rows;
    m.cols = cols;
    m.ld = (int64_t)(order == CUBLASLT_ORDER_COL ? rows : cols) + pad;
    m.batch = batch;
    m.stride = stride < 0 ? m.extent() + 3 : stride;
    const int64_t elems = m.extent() + (int64_t)(batch - 1) * m.stride;
    m.bytes.assign((size_t)std::max<int64_t>(elems, 1) * elem_size(type), 0xff);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (int32_t b = 0; b < batch; b++)
        for (uint64_t c = 0; c < cols; c++)
            for (uint64_t r = 0; r < rows; r++) m.set(r, c, b, representable(type, dist(rng)));
    return m;
}

inline cublasLtMatrixLayout_t layout_of(const HostMatrix& m) {
    cublasLtMatrixLayout_t l = nullptr;
    cublasLtMatrixLayoutCreate(&l, m.type, m.rows, m.cols, m.ld);
    int32_t order = m.order, batch = m.batch;
    cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_ORDER, &order, sizeof order);
    cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch, sizeof batch);
    cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &m.stride, sizeof m.stride);
    return l;
}

/** Device memory of exactly `bytes` bytes (so one element too many runs off its end). */
struct DeviceBuffer {
    CUdeviceptr ptr = 0;
    size_t bytes = 0;
    DeviceBuffer() = default;
    explicit DeviceBuffer(size_t n) : bytes(n) {
        if (cuMemAlloc(&ptr, n) != CUDA_SUCCESS) ptr = 0;
    }
    explicit DeviceBuffer(const std::vector<unsigned char>& host) : DeviceBuffer(host.size()) { upload(host); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    ~DeviceBuffer() {
        if (ptr) cuMemFree(ptr);
    }
    void upload(const std::vector<unsigned char>& host) const { cuMemcpyHtoD(ptr, host.data(), std::min(bytes, host.size())); }
    std::vector<unsigned char> download() const {
        std::vector<unsigned char> v(bytes);
        cuMemcpyDtoH(v.data(), ptr, bytes);
        return v;
    }
    void* p(size_t offset = 0) const { return reinterpret_cast<void*>(ptr + offset); }
};

inline void set_desc(cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t a, int32_t v) { cublasLtMatmulDescSetAttribute(d, a, &v, sizeof v); }
inline void set_epilogue(cublasLtMatmulDesc_t d, uint32_t e) { cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_EPILOGUE, &e, sizeof e); }
inline void set_bias(cublasLtMatmulDesc_t d, const void* p) { cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &p, sizeof p); }
inline void set_workspace_limit(cublasLtMatmulPreference_t p, uint64_t bytes) {
    cublasLtMatmulPreferenceSetAttribute(p, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &bytes, sizeof bytes);
}

inline double gelu(double x) { return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x))); }

}  // namespace lttest

#define CHECK_LT(call, want) ::lttest::expect_lt((call), (want), #call, __FILE__, __LINE__)
#define LT_OK(call) CHECK_LT(call, CUBLAS_STATUS_SUCCESS)
