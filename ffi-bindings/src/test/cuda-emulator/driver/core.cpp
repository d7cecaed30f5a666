// Emulated CUDA driver: initialisation, the device, primary contexts, error names, fault injection.
//
// Semantics from the CUDA Driver API reference (docs.nvidia.com/cuda/cuda-driver-api, modules
// "Initialization", "Device Management", "Primary Context Management", "Context Management",
// "Error Handling") and cuda.h. One emulated device, ordinal 0, whose properties come from the
// environment (README.md): TJEMU_MEMORY (bytes, default 4 GiB), TJEMU_ARCH (e.g. 90, default 90).
#include <dlfcn.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "state.h"

namespace tjemu::drv {

State& state() {
    static State* s = new State();  // never destroyed: the device thread may outlive static destructors
    return *s;
}

thread_local CUcontext current_context = nullptr;

std::string hex(uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
    return b;
}

double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

bool is_sticky(CUresult code) {
    switch (code) {
        case CUDA_ERROR_ILLEGAL_ADDRESS:
        case CUDA_ERROR_LAUNCH_FAILED:
        case CUDA_ERROR_MISALIGNED_ADDRESS:
        case CUDA_ERROR_ILLEGAL_INSTRUCTION:
        case CUDA_ERROR_HARDWARE_STACK_ERROR:
        case CUDA_ERROR_INVALID_PC:
        case CUDA_ERROR_ASSERT:
        case CUDA_ERROR_LAUNCH_TIMEOUT:
            return true;
        default:
            return false;
    }
}

namespace {

thread_local std::map<int, std::string> details;  // cuGetErrorString's extra words, per code

size_t env_size(const char* name, size_t fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    unsigned long long n = std::strtoull(v, &end, 10);
    if (end && (*end == 'G' || *end == 'g')) n <<= 30;
    else if (end && (*end == 'M' || *end == 'm')) n <<= 20;
    return n ? (size_t)n : fallback;
}

struct Fault {
    std::string site;    // exact site, or prefix ending in '*'
    long first;          // fires from this matching call on (1-based) ...
    long last;           // ... through this one (inclusive; LONG_MAX: forever)
    long seen = 0;
};

std::mutex fault_lock;
std::vector<Fault> faults;
bool faults_parsed = false;

bool matches(const std::string& pattern, const std::string& site) {
    if (!pattern.empty() && pattern.back() == '*') return site.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
    return pattern == site;
}

// "site", "site@3" (the 3rd call), "site@3+" (the 3rd and every later call), "site@*" (every call)
std::string add_faults(const std::string& spec) {
    size_t start = 0;
    while (start <= spec.size()) {
        size_t end = spec.find_first_of(";,", start);
        if (end == std::string::npos) end = spec.size();
        std::string item = spec.substr(start, end - start);
        start = end + 1;
        while (!item.empty() && item.front() == ' ') item.erase(0, 1);
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (item.empty()) continue;
        Fault f{item, 1, 1};
        size_t at = item.rfind('@');
        if (at != std::string::npos) {
            f.site = item.substr(0, at);
            std::string n = item.substr(at + 1);
            if (n == "*") {
                f.last = LONG_MAX;
            } else {
                bool forever = !n.empty() && n.back() == '+';
                if (forever) n.pop_back();
                char* e = nullptr;
                long k = std::strtol(n.c_str(), &e, 10);
                if (n.empty() || *e || k < 1) return "bad fault count in '" + item + "'";
                f.first = k;
                f.last = forever ? LONG_MAX : k;
            }
        }
        faults.push_back(f);
    }
    return "";
}

void parse_env_faults() {
    if (faults_parsed) return;
    faults_parsed = true;
    if (const char* v = std::getenv("TJEMU_FAULTS")) {
        std::string problem = add_faults(v);
        if (!problem.empty()) report("TJEMU_FAULTS: " + problem);
    }
}

}  // namespace

void set_detail(CUresult code, const std::string& detail) {
    details[(int)code] = detail;
}

void trace(const std::string& line) {
    if (verbose()) std::fprintf(stderr, "[cuda-emulator] %s\n", line.c_str());
}

CUresult ready() {
    State& s = state();
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!current_context || s.primary != current_context) return CUDA_ERROR_INVALID_CONTEXT;
    if (s.sticky != CUDA_SUCCESS) {
        set_detail(s.sticky, s.sticky_message);
        return s.sticky;
    }
    return CUDA_SUCCESS;
}

void fail_context(CUresult code, const std::string& message) {
    State& s = state();
    report(message);
    set_detail(code, message);
    if (is_sticky(code) && s.sticky == CUDA_SUCCESS) {
        s.sticky = code;
        s.sticky_message = message;
    }
}

}  // namespace tjemu::drv

namespace tjemu {

using namespace drv;

void report(const std::string& message) {
    std::fprintf(stderr, "[cuda-emulator] %s\n", message.c_str());
    std::fflush(stderr);
}

bool verbose() {
    static const bool v = std::getenv("TJEMU_VERBOSE") && *std::getenv("TJEMU_VERBOSE") && std::getenv("TJEMU_VERBOSE")[0] != '0';
    return v;
}

bool fault(const std::string& site) {
    std::lock_guard<std::mutex> g(fault_lock);
    parse_env_faults();
    bool fire = false;
    for (Fault& f : faults) {
        if (!matches(f.site, site)) continue;
        ++f.seen;
        if (f.seen >= f.first && f.seen <= f.last) fire = true;
    }
    if (fire) report("injected fault: " + site);
    return fire;
}

bool has_current_context() {
    Lock l(state().lock);
    return ready() != CUDA_ERROR_NOT_INITIALIZED && current_context != nullptr && state().primary == current_context;
}

}  // namespace tjemu

using namespace tjemu;
using namespace tjemu::drv;

/**
 * Test control, not part of CUDA: "fault SPEC" arms faults (README.md), "clear-faults" disarms them,
 * "memory" prints the allocations. Returns 0, or 1 for an unknown command.
 */
TJEMU_API int tjemuControl(const char* command) {
    std::string c = command ? command : "";
    if (c.rfind("fault ", 0) == 0) {
        std::lock_guard<std::mutex> g(fault_lock);
        parse_env_faults();
        std::string problem = add_faults(c.substr(6));
        if (!problem.empty()) {
            report(problem);
            return 1;
        }
        return 0;
    }
    if (c == "clear-faults") {
        std::lock_guard<std::mutex> g(fault_lock);
        parse_env_faults();
        faults.clear();
        return 0;
    }
    if (c == "memory") {
        Lock l(state().lock);
        for (auto& [base, a] : state().allocations) {
            std::fprintf(stderr, "[cuda-emulator] #%llu %s %zu bytes at %s\n", (unsigned long long)a.id,
                         a.pinned ? "pinned" : "device", a.bytes, hex(base).c_str());
        }
        return 0;
    }
    return 1;
}

/** Bytes of emulated device memory in use (tests check that a loop leaks nothing). */
TJEMU_API size_t tjemuDeviceBytesInUse() {
    Lock l(state().lock);
    return state().used_memory;
}

// ---- errors ----------------------------------------------------------------------------------

namespace {

struct ErrorName {
    CUresult code;
    const char* name;
};

const ErrorName error_names[] = {
#define X(e) {e, #e},
#include "cuda_errors.inc"
#undef X
};

// Descriptions as the Driver API reference gives them for the codes turbojet can meet.
const char* description(CUresult e) {
    switch (e) {
        case CUDA_SUCCESS: return "no error";
        case CUDA_ERROR_INVALID_VALUE: return "invalid argument";
        case CUDA_ERROR_OUT_OF_MEMORY: return "out of memory";
        case CUDA_ERROR_NOT_INITIALIZED: return "initialization error";
        case CUDA_ERROR_DEINITIALIZED: return "driver shutting down";
        case CUDA_ERROR_NO_DEVICE: return "no CUDA-capable device is detected";
        case CUDA_ERROR_INVALID_DEVICE: return "invalid device ordinal";
        case CUDA_ERROR_INVALID_IMAGE: return "device kernel image is invalid";
        case CUDA_ERROR_INVALID_CONTEXT: return "invalid device context";
        case CUDA_ERROR_NO_BINARY_FOR_GPU: return "no kernel image is available for execution on the device";
        case CUDA_ERROR_INVALID_HANDLE: return "invalid resource handle";
        case CUDA_ERROR_ILLEGAL_STATE: return "the operation cannot be performed in the present state";
        case CUDA_ERROR_NOT_FOUND: return "named symbol not found";
        case CUDA_ERROR_NOT_READY: return "device not ready";
        case CUDA_ERROR_ILLEGAL_ADDRESS: return "an illegal memory access was encountered";
        case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: return "too many resources requested for launch";
        case CUDA_ERROR_LAUNCH_FAILED: return "unspecified launch failure";
        case CUDA_ERROR_MISALIGNED_ADDRESS: return "misaligned address";
        case CUDA_ERROR_NOT_PERMITTED: return "operation not permitted";
        case CUDA_ERROR_NOT_SUPPORTED: return "operation not supported";
        case CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED: return "operation not permitted when stream is capturing";
        case CUDA_ERROR_STREAM_CAPTURE_INVALIDATED: return "operation failed due to a previous error during capture";
        case CUDA_ERROR_STREAM_CAPTURE_UNMATCHED: return "capture was not initiated in this stream";
        case CUDA_ERROR_STREAM_CAPTURE_IMPLICIT: return "operation would make the legacy stream depend on a capturing blocking stream";
        case CUDA_ERROR_CAPTURED_EVENT: return "operation not permitted on an event last recorded in a capturing stream";
        case CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD: return "attempt to terminate a thread-local capture sequence from another thread";
        default: return nullptr;
    }
}

}  // namespace

TJEMU_API CUresult cuGetErrorName(CUresult error, const char** pStr) {
    if (!pStr) return CUDA_ERROR_INVALID_VALUE;
    for (const ErrorName& n : error_names) {
        if (n.code == error) {
            *pStr = n.name;
            return CUDA_SUCCESS;
        }
    }
    *pStr = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
}

TJEMU_API CUresult cuGetErrorString(CUresult error, const char** pStr) {
    if (!pStr) return CUDA_ERROR_INVALID_VALUE;
    const char* name = nullptr;
    if (cuGetErrorName(error, &name) != CUDA_SUCCESS) {
        *pStr = nullptr;
        return CUDA_ERROR_INVALID_VALUE;
    }
    const char* base = description(error);
    static thread_local std::string text;
    text = base ? base : name;
    auto d = details.find((int)error);
    if (d != details.end() && !d->second.empty()) text += " (emulator: " + d->second + ")";
    *pStr = text.c_str();
    return CUDA_SUCCESS;
}

// ---- initialisation and the device -----------------------------------------------------------

TJEMU_API CUresult cuInit(unsigned int Flags) {
    if (Flags != 0) return CUDA_ERROR_INVALID_VALUE;  // "Currently, Flags must be 0."
    State& s = state();
    Lock l(s.lock);
    if (!s.initialized) {
        s.total_memory = env_size("TJEMU_MEMORY", (size_t)4 << 30);
        size_t arch = env_size("TJEMU_ARCH", 90);
        s.cc_major = (int)(arch / 10);
        s.cc_minor = (int)(arch % 10);
        s.sm_count = (int)env_size("TJEMU_SMS", 132);
        s.device_name = "turbojet CUDA emulator (emulated sm_" + std::to_string(arch) + " on the host CPU)";
        const char* sched = std::getenv("TJEMU_SCHEDULE");
        s.eager = sched && std::strcmp(sched, "eager") == 0;
        s.legacy.flags = CU_STREAM_DEFAULT;
        s.initialized = true;
        trace("cuInit: " + s.device_name + ", " + std::to_string(s.total_memory >> 20) + " MiB, work runs " +
              (s.eager ? "eagerly" : "at synchronisation points"));
    }
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuDriverGetVersion(int* driverVersion) {
    if (!driverVersion) return CUDA_ERROR_INVALID_VALUE;
    *driverVersion = CUDA_VERSION;  // the version of the cuda.h the emulator was built with
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuDeviceGetCount(int* count) {
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    if (!state().initialized) return CUDA_ERROR_NOT_INITIALIZED;
    *count = 1;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    if (!device) return CUDA_ERROR_INVALID_VALUE;
    if (!state().initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *device = 0;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuDeviceGetName(char* name, int len, CUdevice dev) {
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    std::snprintf(name, (size_t)len, "%s", s.device_name.c_str());
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuDeviceTotalMem(size_t* bytes, CUdevice dev) {
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    if (!state().initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    *bytes = state().total_memory;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuDeviceGetAttribute(int* pi, CUdevice_attribute attrib, CUdevice dev) {
    if (!pi) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    const bool hopper = s.cc_major >= 9;
    switch (attrib) {
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *pi = 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: *pi = 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: *pi = 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: *pi = 64; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: *pi = 2147483647; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: *pi = 65535; break;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: *pi = 65535; break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: *pi = 48 * 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *pi = hopper ? 232448 : 166912; break;
        case CU_DEVICE_ATTRIBUTE_WARP_SIZE: *pi = 32; break;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK: *pi = 65536; break;
        case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *pi = s.sm_count; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *pi = s.cc_major; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *pi = s.cc_minor; break;
        case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: *pi = 1; break;
        case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: *pi = 1755000; break;
        case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: *pi = 2619000; break;
        case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: *pi = 5120; break;
        case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: *pi = 50 * 1024 * 1024; break;
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: *pi = 2048; break;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: *pi = hopper ? 233472 : 167936; break;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR: *pi = 65536; break;
        case CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS: *pi = 1; break;
        case CU_DEVICE_ATTRIBUTE_INTEGRATED: *pi = 0; break;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_MODE: *pi = CU_COMPUTEMODE_DEFAULT; break;
        default:
            return CUDA_ERROR_INVALID_VALUE;  // an attribute the emulator does not model
    }
    return CUDA_SUCCESS;
}

// ---- primary context -------------------------------------------------------------------------

TJEMU_API CUresult cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev) {
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!s.primary) {
        s.primary = new CUctx_st{0, 0};
        s.sticky = CUDA_SUCCESS;
        s.sticky_message.clear();
        start_device_thread();
        load_kernel_libraries();
    }
    s.primary->refcount++;
    *pctx = s.primary;
    trace("cuDevicePrimaryCtxRetain -> refcount " + std::to_string(s.primary->refcount));
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuDevicePrimaryCtxRelease(CUdevice dev) {
    State& s = state();
    Lock l(s.lock);
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!s.primary || s.primary->refcount <= 0) return CUDA_ERROR_INVALID_CONTEXT;
    if (--s.primary->refcount == 0) {
        // The context is destroyed: its memory, streams, events, modules and graphs go with it, and so
        // does a sticky error (a new retain starts a fresh context, as cuDevicePrimaryCtxReset would).
        destroy_context_resources(l);
        s.primary = nullptr;  // the struct is kept, so a stale handle never equals a new context
        s.sticky = CUDA_SUCCESS;
        s.sticky_message.clear();
        trace("cuDevicePrimaryCtxRelease: primary context destroyed");
    }
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuCtxSetCurrent(CUcontext ctx) {
    State& s = state();
    Lock l(s.lock);
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (ctx && ctx != s.primary) return CUDA_ERROR_INVALID_CONTEXT;  // a destroyed or foreign context
    current_context = ctx;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuCtxGetCurrent(CUcontext* pctx) {
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    if (!state().initialized) return CUDA_ERROR_NOT_INITIALIZED;
    Lock l(state().lock);
    *pctx = current_context == state().primary ? current_context : nullptr;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuCtxSynchronize() {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    r = capture_forbids("cuCtxSynchronize");
    if (r != CUDA_SUCCESS) return r;
    return sync_to(l, last_queued());
}
