/*
 * A stand-in for libcuda.so.1 with no GPU behind it, built by FakeCudaDriverTest with gcc.
 * Device memory is malloc'd host memory; copies are memcpy; launches and graph calls only record
 * their arguments so the test can read them back through the fake_* functions.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
#define CUDA_SUCCESS 0
#define CUDA_ERROR_INVALID_VALUE 1
#define CUDA_ERROR_OUT_OF_MEMORY 2
#define CUDA_ERROR_NOT_INITIALIZED 3
#define CUDA_ERROR_NOT_FOUND 500

static int initialized = 0;

CUresult cuGetErrorName(CUresult e, const char **s) {
    switch (e) {
    case CUDA_SUCCESS: *s = "CUDA_SUCCESS"; return 0;
    case CUDA_ERROR_INVALID_VALUE: *s = "CUDA_ERROR_INVALID_VALUE"; return 0;
    case CUDA_ERROR_OUT_OF_MEMORY: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
    case CUDA_ERROR_NOT_INITIALIZED: *s = "CUDA_ERROR_NOT_INITIALIZED"; return 0;
    case CUDA_ERROR_NOT_FOUND: *s = "CUDA_ERROR_NOT_FOUND"; return 0;
    default: *s = 0; return CUDA_ERROR_INVALID_VALUE;
    }
}

CUresult cuGetErrorString(CUresult e, const char **s) {
    switch (e) {
    case CUDA_SUCCESS: *s = "no error"; return 0;
    case CUDA_ERROR_INVALID_VALUE: *s = "invalid argument"; return 0;
    case CUDA_ERROR_OUT_OF_MEMORY: *s = "out of memory"; return 0;
    case CUDA_ERROR_NOT_INITIALIZED: *s = "initialization error"; return 0;
    case CUDA_ERROR_NOT_FOUND: *s = "named symbol not found"; return 0;
    default: *s = 0; return CUDA_ERROR_INVALID_VALUE;
    }
}

CUresult cuInit(unsigned flags) { initialized = flags == 0; return flags == 0 ? 0 : CUDA_ERROR_INVALID_VALUE; }
CUresult cuDriverGetVersion(int *v) { *v = 13000; return 0; }
CUresult cuDeviceGetCount(int *n) { if (!initialized) return CUDA_ERROR_NOT_INITIALIZED; *n = 1; return 0; }
CUresult cuDeviceGet(int *d, int ordinal) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (ordinal != 0) return CUDA_ERROR_INVALID_VALUE;
    *d = 0; return 0;
}
CUresult cuDeviceGetName(char *name, int len, int dev) { strncpy(name, "Fake GPU 9000", len); return dev == 0 ? 0 : 1; }
CUresult cuDeviceTotalMem_v2(size_t *bytes, int dev) { *bytes = (size_t)80 << 30; return dev == 0 ? 0 : 1; }
CUresult cuDeviceGetAttribute(int *v, int attr, int dev) {
    switch (attr) {
    case 16: *v = 132; return 0;   /* multiprocessors */
    case 75: *v = 9; return 0;     /* compute capability major */
    case 76: *v = 0; return 0;     /* minor */
    case 97: *v = 232448; return 0;
    default: return CUDA_ERROR_INVALID_VALUE;
    }
}
static int ctx_token;
CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) { *ctx = &ctx_token; return 0; }
CUresult cuDevicePrimaryCtxRelease_v2(int dev) { return 0; }
CUresult cuCtxSetCurrent(void *ctx) { return ctx == &ctx_token ? 0 : CUDA_ERROR_INVALID_VALUE; }
CUresult cuCtxSynchronize(void) { return 0; }

CUresult cuMemAlloc_v2(uint64_t *p, size_t bytes) {
    if (bytes > ((size_t)1 << 40)) return CUDA_ERROR_OUT_OF_MEMORY;
    void *m = aligned_alloc(256, (bytes + 255) / 256 * 256);
    if (!m) return CUDA_ERROR_OUT_OF_MEMORY;
    *p = (uint64_t)(uintptr_t)m; return 0;
}
CUresult cuMemFree_v2(uint64_t p) { free((void *)(uintptr_t)p); return 0; }
CUresult cuMemGetInfo_v2(size_t *f, size_t *t) { *f = (size_t)70 << 30; *t = (size_t)80 << 30; return 0; }
CUresult cuMemHostAlloc(void **p, size_t bytes, unsigned flags) { *p = malloc(bytes); return *p ? 0 : 2; }
CUresult cuMemFreeHost(void *p) { free(p); return 0; }
CUresult cuMemsetD8Async(uint64_t d, unsigned char v, size_t n, void *s) { memset((void *)(uintptr_t)d, v, n); return 0; }
CUresult cuMemsetD32Async(uint64_t d, unsigned v, size_t n, void *s) {
    unsigned *p = (unsigned *)(uintptr_t)d;
    for (size_t i = 0; i < n; i++) p[i] = v;
    return 0;
}
CUresult cuMemcpyHtoD_v2(uint64_t d, const void *h, size_t n) { memcpy((void *)(uintptr_t)d, h, n); return 0; }
CUresult cuMemcpyDtoH_v2(void *h, uint64_t d, size_t n) { memcpy(h, (void *)(uintptr_t)d, n); return 0; }
CUresult cuMemcpyHtoDAsync_v2(uint64_t d, const void *h, size_t n, void *s) { return cuMemcpyHtoD_v2(d, h, n); }
CUresult cuMemcpyDtoHAsync_v2(void *h, uint64_t d, size_t n, void *s) { return cuMemcpyDtoH_v2(h, d, n); }
CUresult cuMemcpyDtoDAsync_v2(uint64_t d, uint64_t s, size_t n, void *st) {
    memcpy((void *)(uintptr_t)d, (void *)(uintptr_t)s, n); return 0;
}

static int stream_token, event_token, graph_token, exec_token;
CUresult cuStreamCreate(void **s, unsigned flags) { *s = &stream_token; return 0; }
CUresult cuStreamDestroy_v2(void *s) { return 0; }
CUresult cuStreamSynchronize(void *s) { return 0; }
CUresult cuStreamWaitEvent(void *s, void *e, unsigned f) { return 0; }
CUresult cuEventCreate(void **e, unsigned flags) { *e = &event_token; return 0; }
CUresult cuEventDestroy_v2(void *e) { return 0; }
CUresult cuEventRecord(void *e, void *s) { return 0; }
CUresult cuEventSynchronize(void *e) { return 0; }
CUresult cuEventElapsedTime_v2(float *ms, void *a, void *b) { *ms = 1.5f; return 0; }

/* Modules and launches: record what was passed. */
static char module_image[64];
static char function_name[128];
static int launch_dims[7];
static void *launch_stream;
static int expected_sizes[32];
static int expected_count;
static unsigned char launch_params[32][8];
static int launches;

CUresult cuModuleLoadData(void **m, const void *image) { strncpy(module_image, image, 63); *m = module_image; return 0; }
CUresult cuModuleUnload(void *m) { return 0; }
CUresult cuModuleGetFunction(void **f, void *m, const char *name) {
    if (strncmp(name, "missing", 7) == 0) return CUDA_ERROR_NOT_FOUND;
    strncpy(function_name, name, 127); *f = function_name; return 0;
}
CUresult cuFuncSetAttribute(void *f, int attr, int value) { return 0; }
CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, void *stream, void **params, void **extra) {
    int dims[7] = {gx, gy, gz, bx, by, bz, shared};
    memcpy(launch_dims, dims, sizeof dims);
    launch_stream = stream;
    for (int i = 0; i < expected_count; i++) {
        memset(launch_params[i], 0, 8);
        memcpy(launch_params[i], params[i], expected_sizes[i]);
    }
    launches++;
    return 0;
}

static int capturing, graph_launches;
CUresult cuStreamBeginCapture_v2(void *s, int mode) { capturing = 1; return 0; }
CUresult cuStreamEndCapture(void *s, void **g) { capturing = 0; *g = &graph_token; return 0; }
CUresult cuGraphInstantiateWithFlags(void **e, void *g, unsigned long long flags) {
    if (g != &graph_token) return CUDA_ERROR_INVALID_VALUE;
    *e = &exec_token; return 0;
}
CUresult cuGraphLaunch(void *e, void *s) { graph_launches++; return e == &exec_token ? 0 : CUDA_ERROR_INVALID_VALUE; }
CUresult cuGraphExecDestroy(void *e) { return 0; }
CUresult cuGraphDestroy(void *g) { return 0; }

/* Test hooks. */
void fake_expect_param_sizes(int n, const int *sizes) { expected_count = n; memcpy(expected_sizes, sizes, n * sizeof(int)); }
const unsigned char *fake_launch_param(int i) { return launch_params[i]; }
const int *fake_launch_dims(void) { return launch_dims; }
const char *fake_function_name(void) { return function_name; }
const char *fake_module_image(void) { return module_image; }
int fake_launches(void) { return launches; }
int fake_graph_launches(void) { return graph_launches; }
int fake_capturing(void) { return capturing; }
