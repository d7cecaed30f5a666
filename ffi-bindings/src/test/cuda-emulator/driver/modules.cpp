// Emulated CUDA driver: modules, functions and kernel launches.
//
// Semantics from the CUDA Driver API reference, "Module Management" and "Execution Control"
// (cuLaunchKernel: grid and block limits, kernelParams / extra, dynamic shared memory and
// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES).
//
// A module image (fatbin, cubin or PTX, as a real driver takes) cannot run on the host: the
// emulator reads which kernel names the image holds and serves each from a host build of the same
// source (a kernel library in OUT/kernels/, see device/). cuLaunchKernel copies each parameter
// with the size the host build's C++ signature gives, as the real driver copies the sizes of the
// cubin's parameter table, checks that every pointer parameter is null or inside a live device or
// pinned allocation, and queues the grid.
#include <dirent.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <tuple>

#include "state.h"

namespace tjemu::drv {

namespace {

std::string folder_of_this_library() {
    Dl_info info{};
    if (dladdr((void*)&folder_of_this_library, &info) && info.dli_fname) {
        std::string path = info.dli_fname;
        size_t slash = path.rfind('/');
        return slash == std::string::npos ? "." : path.substr(0, slash);
    }
    return ".";
}

/** OUT/kernels/MAIN.resources: "arch kernel registers shared_bytes" lines (kernels/build-kernels.sh). */
void load_resources(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f) return;
    char arch[32], kernel[256];
    int regs, smem;
    while (std::fscanf(f, "%31s %255s %d %d", arch, kernel, &regs, &smem) == 4) state().resources[kernel][arch] = {regs, smem};
    std::fclose(f);
}

void load_library_file(const std::string& path) {
    State& s = state();
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        s.library_problems.push_back(path + ": " + dlerror());
        return;
    }
    auto get = (const KernelLibrary* (*)())dlsym(h, "tjemu_kernel_library");
    if (!get) {
        s.library_problems.push_back(path + ": no tjemu_kernel_library()");
        return;
    }
    const KernelLibrary* lib = get();
    if (!lib || lib->abi_version != KERNEL_ABI_VERSION) {
        s.library_problems.push_back(path + ": kernel ABI version mismatch");
        return;
    }
    s.libraries.push_back(lib);
    load_resources(path.substr(0, path.size() - 3) + ".resources");
    trace("kernel library " + path + ": " + std::to_string(lib->kernel_count) + " kernels");
}

void load_folder_or_file(const std::string& path) {
    DIR* d = opendir(path.c_str());
    if (!d) {
        if (path.size() > 3 && path.compare(path.size() - 3, 3, ".so") == 0) load_library_file(path);
        return;
    }
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > 3 && n.compare(n.size() - 3, 3, ".so") == 0) names.push_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) load_library_file(path + "/" + n);
}

/** The image's size, or 0 if it is not a format the driver takes. */
size_t image_size(const unsigned char* p, bool* is_text) {
    *is_text = false;
    uint32_t magic;
    std::memcpy(&magic, p, 4);
    if (magic == 0xBA55ED50u) {  // fatbin: magic, u16 version, u16 header size, u64 payload size
        uint16_t header;
        uint64_t payload;
        std::memcpy(&header, p + 6, 2);
        std::memcpy(&payload, p + 8, 8);
        return (size_t)header + (size_t)payload;
    }
    if (std::memcmp(p, "\x7f" "ELF", 4) == 0 && p[4] == 2) {  // ELF64: through the section header table
        uint64_t shoff;
        uint16_t shentsize, shnum;
        std::memcpy(&shoff, p + 0x28, 8);
        std::memcpy(&shentsize, p + 0x3a, 2);
        std::memcpy(&shnum, p + 0x3c, 2);
        return (size_t)(shoff + (uint64_t)shentsize * shnum);
    }
    // PTX text: NUL-terminated, starting with a comment or a directive.
    size_t n = std::strlen((const char*)p);
    for (size_t i = 0; i < n; ++i) {
        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r') continue;
        if (p[i] == '/' || p[i] == '.') {
            *is_text = true;
            return n;
        }
        break;
    }
    return 0;
}

bool identifier_char(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$'; }

/** Whether the image names the kernel: as a NUL-terminated symbol (fatbin/cubin) or a PTX .entry. */
bool image_names(const unsigned char* image, size_t size, bool text, const std::string& name) {
    const std::string needle = text ? ".entry " + name : name;
    const size_t m = needle.size();
    for (const unsigned char* p = image; p + m <= image + size;) {
        const void* hit = memmem(p, (size_t)(image + size - p), needle.data(), m);
        if (!hit) return false;
        const unsigned char* h = (const unsigned char*)hit;
        const bool start_ok = text || h == image || !identifier_char(h[-1]);
        const bool end_ok = h + m == image + size || (text ? !identifier_char(h[m]) : h[m] == 0);
        if (start_ok && end_ok) return true;
        p = h + 1;
    }
    return false;
}

CUresult invalid(const std::string& why) {
    report(why);
    set_detail(CUDA_ERROR_INVALID_VALUE, why);
    return CUDA_ERROR_INVALID_VALUE;
}

std::string dims(unsigned x, unsigned y, unsigned z) {
    return "(" + std::to_string(x) + ", " + std::to_string(y) + ", " + std::to_string(z) + ")";
}

}  // namespace

void load_kernel_libraries() {
    State& s = state();
    if (s.libraries_loaded) return;
    s.libraries_loaded = true;
    if (const char* extra = std::getenv("TJEMU_KERNELS")) {
        std::string list = extra;
        size_t start = 0;
        while (start <= list.size()) {
            size_t end = list.find(':', start);
            if (end == std::string::npos) end = list.size();
            if (end > start) load_folder_or_file(list.substr(start, end - start));
            start = end + 1;
        }
    }
    load_folder_or_file(folder_of_this_library() + "/kernels");
    for (const std::string& p : s.library_problems) report("kernel library not loaded: " + p);
}

}  // namespace tjemu::drv

using namespace tjemu;
using namespace tjemu::drv;

TJEMU_API CUresult cuModuleLoadData(CUmodule* module, const void* image) {
    if (!module || !image) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    bool text = false;
    const unsigned char* p = (const unsigned char*)image;
    size_t size = image_size(p, &text);
    if (size == 0) {
        set_detail(CUDA_ERROR_INVALID_IMAGE, "not a fatbin, ELF cubin or PTX text");
        return CUDA_ERROR_INVALID_IMAGE;
    }
    CUmodule m = new CUmod_st{};
    std::set<std::string> served;
    for (const KernelLibrary* lib : s.libraries) {
        for (int i = 0; i < lib->kernel_count; ++i) {
            const KernelInfo& k = lib->kernels[i];
            if (!served.count(k.name) && image_names(p, size, text, k.name)) {
                m->kernels.push_back(&k);
                served.insert(k.name);
            }
        }
    }
    s.modules.insert(m);
    *module = m;
    trace("cuModuleLoadData: " + std::to_string(size) + " bytes, " + std::to_string(m->kernels.size()) + " kernels with a host build");
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuModuleUnload(CUmodule hmod) {
    State& s = state();
    Lock l(s.lock);
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!s.modules.count(hmod)) {
        set_detail(CUDA_ERROR_INVALID_HANDLE, "cuModuleUnload: not a loaded module");
        return CUDA_ERROR_INVALID_HANDLE;
    }
    // Queued launches copied what they need; the functions' handles die with the module.
    for (CUfunction f : hmod->functions) s.functions.erase(f);
    s.modules.erase(hmod);
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuModuleGetFunction(CUfunction* hfunc, CUmodule hmod, const char* name) {
    if (!hfunc || !name) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (!s.modules.count(hmod)) {
        set_detail(CUDA_ERROR_INVALID_HANDLE, "cuModuleGetFunction: not a loaded module");
        return CUDA_ERROR_INVALID_HANDLE;
    }
    for (CUfunction f : hmod->functions) {
        if (std::strcmp(f->info->name, name) == 0) {
            *hfunc = f;
            return CUDA_SUCCESS;
        }
    }
    for (const KernelInfo* k : hmod->kernels) {
        if (std::strcmp(k->name, name) != 0) continue;
        const KernelLibrary* owner = nullptr;
        for (const KernelLibrary* lib : s.libraries) {
            if (k >= lib->kernels && k < lib->kernels + lib->kernel_count) owner = lib;
        }
        // The cubin the real driver would pick for the emulated device: its own SASS (sm_XY or sm_XYa).
        const std::string arch = "sm_" + std::to_string(s.cc_major) + std::to_string(s.cc_minor);
        int registers = -1, shared = 0;
        auto res = s.resources.find(k->name);
        if (res != s.resources.end()) {
            for (const std::string& a : {arch, arch + "a"}) {
                auto it = res->second.find(a);
                if (it != res->second.end()) std::tie(registers, shared) = it->second;
            }
        }
        CUfunction f = new CUfunc_st{hmod, k, owner, 48 * 1024 - shared, registers, shared};
        hmod->functions.insert(f);
        s.functions.insert(f);
        *hfunc = f;
        return CUDA_SUCCESS;
    }
    bool host_build = false;
    for (const KernelLibrary* lib : s.libraries) {
        for (int i = 0; i < lib->kernel_count; ++i) host_build |= std::strcmp(lib->kernels[i].name, name) == 0;
    }
    std::string why = host_build ? std::string("the module image does not contain kernel ") + name
                                 : std::string("the emulator has no host build of kernel ") + name +
                                       " (rebuild it: ffi-bindings/src/test/cuda-emulator/build.sh kernels ...)";
    set_detail(CUDA_ERROR_NOT_FOUND, why);
    trace("cuModuleGetFunction: " + why);
    return CUDA_ERROR_NOT_FOUND;
}

TJEMU_API CUresult cuFuncSetAttribute(CUfunction hfunc, CUfunction_attribute attrib, int value) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (!s.functions.count(hfunc)) {
        set_detail(CUDA_ERROR_INVALID_HANDLE, "cuFuncSetAttribute: not a live function");
        return CUDA_ERROR_INVALID_HANDLE;
    }
    int optin = 0;
    cuDeviceGetAttribute(&optin, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, 0);
    switch (attrib) {
        case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
            // "The sum of this value and the function attribute CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES cannot
            // exceed the device attribute CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN."
            if (value < 0 || value + hfunc->static_shared > optin) {
                return invalid("cuFuncSetAttribute(" + std::string(hfunc->info->name) + "): " + std::to_string(value) +
                               " bytes of dynamic shared memory plus " + std::to_string(hfunc->static_shared) +
                               " static exceed the device's opt-in limit " + std::to_string(optin));
            }
            hfunc->max_dynamic_shared = value;
            return CUDA_SUCCESS;
        case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT:
            if (value < -1 || value > 100) return CUDA_ERROR_INVALID_VALUE;
            return CUDA_SUCCESS;
        default:
            return CUDA_ERROR_INVALID_VALUE;
    }
}

TJEMU_API CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
                                  unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
                                  unsigned int sharedMemBytes, CUstream hStream, void** kernelParams, void** extra) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (!s.functions.count(f)) {
        set_detail(CUDA_ERROR_INVALID_HANDLE, "cuLaunchKernel: not a live function (was its module unloaded?)");
        return CUDA_ERROR_INVALID_HANDLE;
    }
    const KernelInfo& k = *f->info;
    const std::string name = k.name;
    CUstream st = resolve_stream(hStream);
    if (!st) {
        set_detail(CUDA_ERROR_INVALID_HANDLE, "cuLaunchKernel(" + name + "): not a live stream");
        return CUDA_ERROR_INVALID_HANDLE;
    }
    // Limits: cuDeviceGetAttribute's MAX_BLOCK_DIM_*, MAX_GRID_DIM_*, MAX_THREADS_PER_BLOCK.
    if (!gridDimX || !gridDimY || !gridDimZ || !blockDimX || !blockDimY || !blockDimZ || blockDimX > 1024 ||
        blockDimY > 1024 || blockDimZ > 64 || (unsigned long long)blockDimX * blockDimY * blockDimZ > 1024 ||
        gridDimX > 2147483647u || gridDimY > 65535 || gridDimZ > 65535) {
        return invalid("cuLaunchKernel(" + name + "): grid " + dims(gridDimX, gridDimY, gridDimZ) + " x block " +
                       dims(blockDimX, blockDimY, blockDimZ) + " is outside the device's limits");
    }
    if ((int)sharedMemBytes > f->max_dynamic_shared) {
        return invalid("cuLaunchKernel(" + name + "): " + std::to_string(sharedMemBytes) + " bytes of dynamic shared memory, above " +
                       std::to_string(f->max_dynamic_shared) + " (raise it with CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)");
    }
    if (f->registers > 0) {
        // Registers are allocated per warp in units of 256; a block gets at most 65536 (MAX_REGISTERS_PER_BLOCK).
        const unsigned long long threads = (unsigned long long)blockDimX * blockDimY * blockDimZ;
        const unsigned long long per_warp = ((unsigned long long)f->registers * 32 + 255) / 256 * 256;
        const unsigned long long needed = per_warp * ((threads + 31) / 32);
        if (needed > 65536) {
            std::string why = "cuLaunchKernel(" + name + "): " + std::to_string(threads) + " threads of " +
                              std::to_string(f->registers) + " registers (ptxas) need " + std::to_string(needed) +
                              " registers per block, more than the 65536 a block may use";
            report(why);
            set_detail(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, why);
            return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
        }
    }
    if (extra) {
        set_detail(CUDA_ERROR_NOT_SUPPORTED, "cuLaunchKernel(" + name + "): the 'extra' parameter buffer is not emulated");
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    if (k.param_count > 0 && !kernelParams) return invalid("cuLaunchKernel(" + name + "): kernelParams is NULL");
    // Copy each parameter now (the call's values, as the driver does), aligned as the C++ type wants.
    size_t offsets[MAX_KERNEL_PARAMS];
    size_t total = 0;
    for (int i = 0; i < k.param_count; ++i) {
        const ParamInfo& p = k.params[i];
        total = (total + p.align - 1) / p.align * p.align;
        offsets[i] = total;
        total += p.size;
    }
    auto storage = std::make_shared<std::vector<uint64_t>>((total + 7) / 8 + 1);
    char* base = (char*)storage->data();
    std::vector<Range> ranges;
    for (int i = 0; i < k.param_count; ++i) {
        if (!kernelParams[i]) return invalid("cuLaunchKernel(" + name + "): kernelParams[" + std::to_string(i) + "] is NULL");
        std::memcpy(base + offsets[i], kernelParams[i], k.params[i].size);
        if (k.params[i].kind == 'p') {
            uint64_t ptr = 0;
            std::memcpy(&ptr, base + offsets[i], 8);
            if (ptr) ranges.push_back({(CUdeviceptr)ptr, 1, "pointer parameter " + std::to_string(i)});
        }
    }
    if (fault("launch:" + name)) {
        set_detail(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "injected launch failure of " + name);
        return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    }
    auto argv = std::make_shared<std::vector<void*>>();
    for (int i = 0; i < k.param_count; ++i) argv->push_back(base + offsets[i]);
    const KernelInfo* info = &k;
    const KernelLibrary* lib = f->library;
    const Dim3 grid{gridDimX, gridDimY, gridDimZ}, block{blockDimX, blockDimY, blockDimZ};
    const size_t shared = sharedMemBytes;
    std::vector<Range> checked = ranges;
    Work w{"kernel " + name + " grid " + dims(gridDimX, gridDimY, gridDimZ) + " block " + dims(blockDimX, blockDimY, blockDimZ),
           ranges, [info, lib, grid, block, shared, storage, argv, name] {
               if (fault("kernel-fault:" + name)) throw DeviceFault{CUDA_ERROR_LAUNCH_FAILED, "injected fault in kernel " + name};
               GridFault gf{};
               if (lib->run_grid(info, grid, block, shared, argv->data(), &gf) != 0) {
                   std::string m = gf.message;
                   if (gf.kind == GridFault::MEMORY) {
                       Lock l2(state().lock);
                       m += ": address " + hex(gf.address) + " is " + describe_address(gf.address);
                       throw DeviceFault{CUDA_ERROR_ILLEGAL_ADDRESS, m};
                   }
                   throw DeviceFault{CUDA_ERROR_LAUNCH_FAILED, m};
               }
               if (fault("nan:" + name)) {
                   for (int i = 0; i < info->param_count; ++i) {
                       if (info->params[i].kind != 'p') continue;
                       void* out = (*argv)[i];
                       uint64_t ptr;
                       std::memcpy(&ptr, out, 8);
                       if (info->params[i].pointee == 'f') { uint32_t nan = 0x7fc00000u; std::memcpy((void*)ptr, &nan, 4); }
                       else if (info->params[i].pointee == '2') { uint16_t nan = 0x7fff; std::memcpy((void*)ptr, &nan, 2); }
                       break;  // the first pointer parameter is the output of turbojet's kernels
                   }
               }
           }};
    std::string problem;
    r = queue_work(st, std::move(w), &problem);
    if (r != CUDA_SUCCESS && !problem.empty()) {
        report("cuLaunchKernel(" + name + "): " + problem);
        set_detail(r, problem);
    }
    return r;
}

/**
 * Test support, not part of CUDA: the parameter list of a host-built kernel as its C++ signature
 * gives it, e.g. "p8:2,p8:2,i4,f4" (kind, size, and for pointers the pointee size); returns the
 * number of parameters, or -1 when no kernel library has `name`.
 */
TJEMU_API int tjemuKernelSignature(const char* name, char* out, size_t out_len) {
    State& s = state();
    Lock l(s.lock);
    load_kernel_libraries();
    for (const KernelLibrary* lib : s.libraries) {
        for (int i = 0; i < lib->kernel_count; ++i) {
            const KernelInfo& k = lib->kernels[i];
            if (std::strcmp(k.name, name) != 0) continue;
            std::string sig;
            for (int p = 0; p < k.param_count; ++p) {
                const ParamInfo& pi = k.params[p];
                if (p) sig += ",";
                sig += pi.kind;
                sig += std::to_string(pi.size);
                if (pi.kind == 'p') {
                    const char* size = pi.pointee == 'f' || pi.pointee == 'i' ? "4"
                                     : pi.pointee == 'd' || pi.pointee == 'l' ? "8"
                                     : pi.pointee == '2' ? "2" : pi.pointee == '1' ? "1" : "?";
                    sig += std::string(":") + size;
                }
            }
            std::snprintf(out, out_len, "%s", sig.c_str());
            return k.param_count;
        }
    }
    return -1;
}

/** Test support: the names of every host-built kernel, one per line; returns how many. */
TJEMU_API int tjemuKernelNames(char* out, size_t out_len) {
    State& s = state();
    Lock l(s.lock);
    load_kernel_libraries();
    std::string names;
    int n = 0;
    for (const KernelLibrary* lib : s.libraries) {
        for (int i = 0; i < lib->kernel_count; ++i, ++n) names += std::string(lib->kernels[i].name) + "\n";
    }
    std::snprintf(out, out_len, "%s", names.c_str());
    return n;
}
