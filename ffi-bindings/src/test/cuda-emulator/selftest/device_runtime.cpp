// Self test of the emulated device environment (device/runtime.cpp, tjemu_device.h) through the
// driver API, with the kernels of device_kernels.cu. Expected values come from the CUDA C++
// Programming Guide (built-in variables, __syncthreads, warp shuffle and vote functions) and the
// PTX ISA (mma.m16n8k16 computes D = A * B + C; cvt.rn rounding), computed here independently.
#include <cmath>
#include <cstring>
#include <vector>

#include "fp16.h"
#include "selftest.h"

namespace {

const char* IMAGE =
    "// PTX naming the self-test kernels\n"
    ".entry t_indices(\n.entry t_barrier(\n.entry t_shuffle(\n.entry t_reduce(\n.entry t_mma(\n"
    ".entry t_write(\n.entry t_divide(\n.entry t_exit_before_barrier(\n.entry t_exit_before_shuffle(\n"
    ".entry t_divergent_warp(\n";

CUmodule module_;
CUstream stream;

CUfunction fn(const char* name) {
    CUfunction f = nullptr;
    OK(cuModuleGetFunction(&f, module_, name));
    return f;
}

void open() {
    OK(cuModuleLoadData(&module_, IMAGE));
    OK(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
}

template <typename T>
CUdeviceptr upload(const std::vector<T>& v) {
    CUdeviceptr p = 0;
    OK(cuMemAlloc(&p, v.size() * sizeof(T)));
    OK(cuMemcpyHtoD(p, v.data(), v.size() * sizeof(T)));
    return p;
}

template <typename T>
std::vector<T> download(CUdeviceptr p, size_t n) {
    std::vector<T> v(n);
    OK(cuMemcpyDtoH(v.data(), p, n * sizeof(T)));
    return v;
}

CUresult launch(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, void** args) {
    CUresult r = cuLaunchKernel(fn(name), gx, gy, gz, bx, by, bz, 0, stream, args, nullptr);
    return r != CUDA_SUCCESS ? r : cuStreamSynchronize(stream);
}

void indices() {
    const unsigned gx = 3, gy = 2, gz = 2, bx = 4, by = 3, bz = 2;
    const size_t threads = (size_t)gx * gy * gz * bx * by * bz;
    CUdeviceptr out = upload(std::vector<unsigned>(4 * threads, 0));
    void* args[] = {&out};
    OK(launch("t_indices", gx, gy, gz, bx, by, bz, args));
    std::vector<unsigned> o = download<unsigned>(out, 4 * threads);
    bool all = true;
    for (unsigned z = 0; z < gz; ++z) for (unsigned y = 0; y < gy; ++y) for (unsigned x = 0; x < gx; ++x)
    for (unsigned tz = 0; tz < bz; ++tz) for (unsigned ty = 0; ty < by; ++ty) for (unsigned tx = 0; tx < bx; ++tx) {
        const size_t bid = (z * gy + y) * gx + x, tid = (tz * by + ty) * bx + tx;
        const unsigned* e = &o[4 * (bid * bx * by * bz + tid)];
        all &= e[0] == (x | y << 8 | z << 16) && e[1] == (tx | ty << 8 | tz << 16) && e[2] == (bx | by << 8 | bz << 16) &&
               e[3] == (gx | gy << 8 | gz << 16);
    }
    CHECK(all);  // every (block, thread) ran once with its own built-in variables
    cuMemFree(out);
}

void barrier() {
    for (int threads : {32, 96, 512, 1024}) {
        const int blocks = 3, rounds = 5;
        CUdeviceptr out = upload(std::vector<int>((size_t)blocks * threads, -1));
        void* args[] = {&out, (void*)&rounds};
        int r5 = rounds;
        args[1] = &r5;
        OK(launch("t_barrier", blocks, 1, 1, threads, 1, 1, args));
        std::vector<int> o = download<int>(out, (size_t)blocks * threads);
        bool all = true;
        for (int b = 0; b < blocks; ++b) {
            for (int t = 0; t < threads; ++t) {
                // after r rounds thread t holds the value that started at thread t + r, plus r
                const int want = (t + rounds) % threads + 1000 * b + rounds;
                all &= o[(size_t)b * threads + t] == want;
            }
        }
        CHECK(all);
        cuMemFree(out);
    }
}

void shuffles() {
    const int threads = 64;
    CUdeviceptr out = upload(std::vector<int>(threads, 0));
    struct Case { int mode, arg, width; };
    const Case cases[] = {{0, 7, 32}, {0, 3, 8}, {0, -1, 16}, {1, 3, 32}, {1, 2, 8}, {2, 5, 32}, {2, 1, 4}, {3, 1, 32}, {3, 16, 32}, {3, 6, 8}};
    for (const Case& c : cases) {
        int mode = c.mode, arg = c.arg, width = c.width;
        void* args[] = {&out, &mode, &arg, &width};
        OK(launch("t_shuffle", 1, 1, 1, threads, 1, 1, args));
        std::vector<int> o = download<int>(out, threads);
        bool all = true;
        for (int t = 0; t < threads; ++t) {
            const int lane = t % 32, seg = lane / width * width;
            int src = lane;
            if (mode == 0) src = seg + ((arg % width) + width) % width;
            if (mode == 1) src = lane - arg >= seg ? lane - arg : lane;
            if (mode == 2) src = lane + arg < seg + width ? lane + arg : lane;
            if (mode == 3) { src = lane ^ arg; if (src < seg || src >= seg + width) src = lane; }
            all &= o[t] == 100 * src;
        }
        CHECK(all);
    }
    cuMemFree(out);

    std::vector<float> x(128);
    for (int i = 0; i < 128; ++i) x[i] = (float)((i * 37) % 11) - 5.f;
    CUdeviceptr dx = upload(x), sums = upload(std::vector<float>(128)), ballots = upload(std::vector<unsigned>(128));
    void* args[] = {&sums, &ballots, &dx};
    OK(launch("t_reduce", 2, 1, 1, 64, 1, 1, args));
    std::vector<float> s = download<float>(sums, 128);
    std::vector<unsigned> b = download<unsigned>(ballots, 128);
    bool all = true;
    for (int w = 0; w < 4; ++w) {
        float total = 0;
        unsigned ballot = 0;
        for (int l = 0; l < 32; ++l) {
            total += x[w * 32 + l];
            if (x[w * 32 + l] > 0) ballot |= 1u << l;
        }
        for (int l = 0; l < 32; ++l) all &= s[w * 32 + l] == total && b[w * 32 + l] == ballot;
    }
    CHECK(all);
    cuMemFree(dx);
    cuMemFree(sums);
    cuMemFree(ballots);
}

void mma() {
    for (int bf16 = 0; bf16 < 2; ++bf16) {
        std::vector<unsigned short> a(256), b(128);
        std::vector<float> fa(256), fb(128), c(128);
        for (int i = 0; i < 256; ++i) {
            float v = std::sin(0.37f * i) * 2.f;
            a[i] = bf16 ? tjemu::float_to_bf16(v) : tjemu::float_to_half(v);
            fa[i] = bf16 ? tjemu::bf16_to_float(a[i]) : tjemu::half_to_float(a[i]);
        }
        for (int i = 0; i < 128; ++i) {
            float v = std::cos(0.53f * i) - 0.25f;
            b[i] = bf16 ? tjemu::float_to_bf16(v) : tjemu::float_to_half(v);
            fb[i] = bf16 ? tjemu::bf16_to_float(b[i]) : tjemu::half_to_float(b[i]);
            c[i] = 0.125f * (i % 7);
        }
        CUdeviceptr da = upload(a), db = upload(b), dc = upload(c), dd = upload(std::vector<float>(128));
        void* args[] = {&dd, &da, &db, &dc, &bf16};
        OK(launch("t_mma", 1, 1, 1, 32, 1, 1, args));
        std::vector<float> d = download<float>(dd, 128);
        double worst = 0;
        for (int m = 0; m < 16; ++m) {
            for (int n = 0; n < 8; ++n) {
                double want = c[m * 8 + n];
                for (int k = 0; k < 16; ++k) want += (double)fa[m * 16 + k] * fb[k * 8 + n];
                worst = std::fmax(worst, std::fabs(d[m * 8 + n] - want));
            }
        }
        CHECK(worst < 1e-4);  // D = A B + C, fp32 accumulation of exact products
        for (CUdeviceptr p : {da, db, dc, dd}) cuMemFree(p);
    }
}

/** A kernel that must fail: the failure is sticky until the context is destroyed. */
void expect_fault(const char* kernel, CUresult want, void** args, unsigned threads) {
    CUresult r = launch(kernel, 1, 1, 1, threads, 1, 1, args);
    ::selftest::expect_status(r, want, kernel, __FILE__, __LINE__);
    CUdeviceptr p = 0;
    CHECK_STATUS(cuMemAlloc(&p, 16), want);  // every later call reports the error ...
    selftest::reset();                       // ... until a new context replaces the old one
    open();
}

void faults() {
    CUdeviceptr small = 0;
    OK(cuMemAlloc(&small, 100 * sizeof(float)));
    long long index = 100;  // past the end, inside the allocation's last granule: canary check
    void* a1[] = {&small, &index};
    expect_fault("t_write", CUDA_ERROR_ILLEGAL_ADDRESS, a1, 1);

    OK(cuMemAlloc(&small, 1024 * sizeof(float)));
    index = 1024 + 100;  // past the end, in the guard page: a memory fault inside the kernel
    void* a2[] = {&small, &index};
    expect_fault("t_write", CUDA_ERROR_ILLEGAL_ADDRESS, a2, 1);

    OK(cuMemAlloc(&small, 1024));
    int zero = 0;
    void* a3[] = {&small, &zero};
    expect_fault("t_divide", CUDA_ERROR_LAUNCH_FAILED, a3, 32);

    OK(cuMemAlloc(&small, 4096));
    void* a4[] = {&small};
    expect_fault("t_exit_before_barrier", CUDA_ERROR_LAUNCH_FAILED, a4, 64);
    OK(cuMemAlloc(&small, 4096));
    void* a5[] = {&small};
    expect_fault("t_exit_before_shuffle", CUDA_ERROR_LAUNCH_FAILED, a5, 32);
    OK(cuMemAlloc(&small, 4096));
    void* a6[] = {&small};
    expect_fault("t_divergent_warp", CUDA_ERROR_LAUNCH_FAILED, a6, 32);

    // A pointer parameter outside any allocation is refused at launch.
    CUdeviceptr bogus = (CUdeviceptr)0x10;
    long long one = 1;
    void* a7[] = {&bogus, &one};
    CHECK_STATUS(cuLaunchKernel(fn("t_write"), 1, 1, 1, 1, 1, 1, 0, stream, a7, nullptr), CUDA_ERROR_INVALID_VALUE);
    // Launch limits.
    OK(cuMemAlloc(&small, 4096));
    void* a8[] = {&small, &one};
    CHECK_STATUS(cuLaunchKernel(fn("t_write"), 1, 1, 1, 1025, 1, 1, 0, stream, a8, nullptr), CUDA_ERROR_INVALID_VALUE);
    CHECK_STATUS(cuLaunchKernel(fn("t_write"), 1, 70000, 1, 32, 1, 1, 0, stream, a8, nullptr), CUDA_ERROR_INVALID_VALUE);
    CHECK_STATUS(cuLaunchKernel(fn("t_write"), 1, 1, 1, 32, 1, 1, 64 * 1024, stream, a8, nullptr), CUDA_ERROR_INVALID_VALUE);
    CUfunction missing = nullptr;
    CHECK_STATUS(cuModuleGetFunction(&missing, module_, "no_such_kernel"), CUDA_ERROR_NOT_FOUND);
    OK(cuStreamSynchronize(stream));
    cuMemFree(small);
}

}  // namespace

int main() {
    selftest::context();
    open();
    indices();
    barrier();
    shuffles();
    mma();
    faults();
    return selftest::finish("device_runtime");
}
