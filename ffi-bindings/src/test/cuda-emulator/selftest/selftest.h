// A few lines of test harness for the emulator's self-test programs: CHECK prints one line per
// failed expectation, and finish() prints the summary and returns the exit code.
#pragma once

#include <cuda.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace selftest {

inline int checks = 0, failures = 0;

inline void expect(bool ok, const char* what, const char* file, int line) {
    ++checks;
    if (!ok) {
        ++failures;
        std::printf("FAIL %s:%d: %s\n", file, line, what);
        std::fflush(stdout);
    }
}

inline std::string error_name(CUresult r) {
    const char* n = nullptr;
    return cuGetErrorName(r, &n) == CUDA_SUCCESS && n ? n : "CUresult " + std::to_string((int)r);
}

inline void expect_status(CUresult got, CUresult want, const char* what, const char* file, int line) {
    ++checks;
    if (got != want) {
        ++failures;
        std::printf("FAIL %s:%d: %s returned %s, expected %s\n", file, line, what, error_name(got).c_str(), error_name(want).c_str());
        std::fflush(stdout);
    }
}

/** Ends the program: prints the summary, returns the exit code for main. */
inline int finish(const char* name) {
    std::printf("%s: %d checks, %d failed\n", name, checks, failures);
    return failures == 0 ? 0 : 1;
}

/** A fresh primary context made current (after a sticky error, release it first: see reset()). */
inline CUcontext context() {
    cuInit(0);
    CUcontext c = nullptr;
    if (cuDevicePrimaryCtxRetain(&c, 0) != CUDA_SUCCESS || cuCtxSetCurrent(c) != CUDA_SUCCESS) {
        std::printf("FAIL: cannot open the emulated device\n");
        std::exit(2);
    }
    return c;
}

/** Releases the primary context until it is destroyed, then opens a fresh one. */
inline CUcontext reset() {
    while (cuDevicePrimaryCtxRelease(0) == CUDA_SUCCESS) {
    }
    return context();
}

}  // namespace selftest

#define CHECK(cond) ::selftest::expect((cond), #cond, __FILE__, __LINE__)
#define CHECK_STATUS(call, want) ::selftest::expect_status((call), (want), #call, __FILE__, __LINE__)
#define OK(call) CHECK_STATUS(call, CUDA_SUCCESS)
