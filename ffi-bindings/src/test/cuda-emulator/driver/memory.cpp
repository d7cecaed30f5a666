// Emulated CUDA driver: device and pinned host memory, copies and memsets.
//
// Semantics from the CUDA Driver API reference, "Memory Management" and "API synchronization
// behavior" (docs.nvidia.com/cuda/cuda-driver-api/api-sync-behavior.html):
//   - synchronous copies run on the legacy default stream: they wait for earlier work of blocking
//     streams only; work queued on a CU_STREAM_NON_BLOCKING stream is NOT waited for, so a copy that
//     needed it must follow a stream synchronisation (the emulator runs such copies at once, ahead
//     of queued work, which is what exposes a missing synchronisation);
//   - async copies from pageable host memory take the bytes before returning; to pageable host
//     memory they return only when done; with pinned memory (cuMemHostAlloc) they read and write
//     the host buffer when the stream reaches them.
// Every allocation is its own mapping with an inaccessible guard page on each side; the unused
// bytes up to the 256-byte granule are canaries checked after every operation that touched the
// allocation; fresh memory is filled with 0xff bytes (NaN in fp16 / bf16 / fp32); freed memory is
// unmapped and its addresses stay reserved and inaccessible for a while (use after free faults).
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "state.h"

namespace tjemu::drv {

namespace {

constexpr size_t GRANULE = 256;                   // cuMemAlloc's alignment
constexpr uint8_t CANARY = 0xcd;
constexpr size_t POISON_LIMIT = (size_t)256 << 20;  // bigger allocations start as zero pages
constexpr size_t QUARANTINE_LIMIT = (size_t)64 << 30;  // address space kept reserved after frees

size_t page_size() {
    static const size_t p = (size_t)sysconf(_SC_PAGESIZE);
    return p;
}

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

bool map_allocation(size_t bytes, bool pinned, Allocation* out) {
    const size_t page = page_size();
    const size_t rounded = round_up(bytes, GRANULE);
    const size_t data = round_up(rounded, page);
    const size_t total = data + 2 * page;
    void* m = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return false;
    uintptr_t map = (uintptr_t)m;
    if (mprotect((void*)(map + page), data, PROT_READ | PROT_WRITE) != 0) {
        munmap(m, total);
        return false;
    }
    // The allocation ends where the trailing guard page starts (to the granule), so a kernel that
    // runs off its end faults; the slack before it and after `bytes` holds canaries.
    uintptr_t base = map + page + (data - rounded);
    std::memset((void*)(map + page), CANARY, (size_t)(base - (map + page)));
    std::memset((void*)(base + bytes), CANARY, rounded - bytes);
    if (bytes <= POISON_LIMIT) std::memset((void*)base, 0xff, bytes);
    *out = Allocation{base, bytes, map, total, state().next_allocation_id++, pinned};
    return true;
}

void unmap_to_quarantine(const Allocation& a) {
    State& s = state();
    // Keep the addresses reserved and inaccessible: a later access faults instead of reading reused memory.
    void* r = mmap((void*)a.map_base, a.map_bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (r == MAP_FAILED) {
        munmap((void*)a.map_base, a.map_bytes);
        return;
    }
    s.quarantine[a.base] = a;
    s.quarantined_bytes += a.map_bytes;
    while (s.quarantined_bytes > QUARANTINE_LIMIT && !s.quarantine.empty()) {
        auto oldest = s.quarantine.begin();  // lowest address, near enough to oldest
        munmap((void*)oldest->second.map_base, oldest->second.map_bytes);
        s.quarantined_bytes -= oldest->second.map_bytes;
        s.quarantine.erase(oldest);
    }
}

bool is_pinned_host(const void* p, size_t bytes) {
    const Allocation* a = find_allocation((uintptr_t)p, bytes);
    return a && a->pinned;
}

std::string canary_problem(const Allocation& a) {
    const size_t page = page_size();
    const size_t rounded = round_up(a.bytes, GRANULE);
    const uint8_t* front = (const uint8_t*)(a.map_base + page);
    for (const uint8_t* p = front; p < (const uint8_t*)a.base; ++p) {
        if (*p != CANARY) {
            return "bytes before allocation #" + std::to_string(a.id) + " (" + std::to_string(a.bytes) + " bytes at " +
                   hex(a.base) + ") were overwritten, " + std::to_string((const uint8_t*)a.base - p) + " bytes before its start";
        }
    }
    const uint8_t* tail = (const uint8_t*)(a.base + a.bytes);
    for (size_t i = 0; i < rounded - a.bytes; ++i) {
        if (tail[i] != CANARY) {
            return "bytes after allocation #" + std::to_string(a.id) + " (" + std::to_string(a.bytes) + " bytes at " +
                   hex(a.base) + ") were overwritten, at offset " + std::to_string(a.bytes + i);
        }
    }
    return "";
}

/** Queues a copy or memset; the common part of the async calls. */
CUresult queue(CUstream stream, Work w) {
    std::string problem;
    CUresult r = queue_work(stream, std::move(w), &problem);
    if (r != CUDA_SUCCESS && !problem.empty()) {
        report(problem);
        set_detail(r, problem);
    }
    return r;
}

/** For synchronous calls on the legacy stream: first run queued work of blocking streams (none of NON_BLOCKING ones). */
CUresult legacy_stream_sync(Lock& l) {
    State& s = state();
    uint64_t wait_for = 0;
    for (const Op& op : s.queue) {
        if (op.stream == &s.legacy || !(op.stream->flags & CU_STREAM_NON_BLOCKING)) wait_for = op.seq;
    }
    return wait_for ? sync_to(l, wait_for) : CUDA_SUCCESS;
}

CUresult bad_range(const std::string& problem) {
    report(problem);
    set_detail(CUDA_ERROR_INVALID_VALUE, problem);
    return CUDA_ERROR_INVALID_VALUE;
}

}  // namespace

const Allocation* find_allocation(uintptr_t ptr, size_t bytes) {
    State& s = state();
    auto it = s.allocations.upper_bound(ptr);
    if (it == s.allocations.begin()) return nullptr;
    --it;
    const Allocation& a = it->second;
    if (ptr >= a.base && ptr - a.base <= a.bytes && bytes <= a.bytes - (ptr - a.base)) return &a;
    return nullptr;
}

const Allocation* allocation_at(uintptr_t ptr) {
    State& s = state();
    auto it = s.allocations.upper_bound(ptr);
    if (it == s.allocations.begin()) return nullptr;
    --it;
    return ptr - it->second.base < it->second.bytes ? &it->second : nullptr;
}

std::string describe_address(uintptr_t address) {
    State& s = state();
    for (const auto* table : {&s.allocations, &s.quarantine}) {
        for (const auto& [base, a] : *table) {
            if (address < a.map_base || address >= a.map_base + a.map_bytes) continue;
            std::string what = (table == &s.quarantine ? "freed " : "") + std::string(a.pinned ? "pinned host" : "device") +
                               " allocation #" + std::to_string(a.id) + " (" + std::to_string(a.bytes) + " bytes at " + hex(a.base) + ")";
            if (address < a.base) return std::to_string(a.base - address) + " bytes before the start of " + what;
            if (address >= a.base + a.bytes) return std::to_string(address - (a.base + a.bytes)) + " bytes past the end of " + what;
            return "offset " + std::to_string(address - a.base) + " of " + what;
        }
    }
    return "not near any device allocation";
}

void release_mapping(const Allocation& a) {
    munmap((void*)a.map_base, a.map_bytes);
}

std::string check_canaries(const std::vector<Range>& ranges) {
    for (const Range& r : ranges) {
        const Allocation* a = allocation_at(r.ptr);
        if (!a) continue;
        std::string p = canary_problem(*a);
        if (!p.empty()) return p + " (by the operation's " + r.role + ")";
    }
    return "";
}

}  // namespace tjemu::drv

namespace tjemu {

std::string check_ranges(const std::vector<Range>& ranges) {
    drv::Lock l(drv::state().lock);
    for (const Range& r : ranges) {
        if (r.bytes == 0) continue;
        if (r.ptr == 0) return r.role + " is a null device pointer";
        if (drv::find_allocation(r.ptr, r.bytes)) continue;
        const drv::Allocation* a = drv::allocation_at(r.ptr);
        if (a) {
            return r.role + " [" + drv::hex(r.ptr) + ", +" + std::to_string(r.bytes) + ") runs " +
                   std::to_string(r.ptr + r.bytes - (a->base + a->bytes)) + " bytes past the end of allocation #" +
                   std::to_string(a->id) + " (" + std::to_string(a->bytes) + " bytes at " + drv::hex(a->base) + ")";
        }
        return r.role + " " + drv::hex(r.ptr) + " is not in any live device allocation (" + drv::describe_address(r.ptr) + ")";
    }
    return "";
}

}  // namespace tjemu

using namespace tjemu;
using namespace tjemu::drv;

TJEMU_API CUresult cuMemAlloc(CUdeviceptr* dptr, size_t bytesize) {
    if (!dptr) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (bytesize == 0) return CUDA_ERROR_INVALID_VALUE;  // "If bytesize is 0, cuMemAlloc() returns CUDA_ERROR_INVALID_VALUE."
    if ((r = capture_forbids("cuMemAlloc")) != CUDA_SUCCESS) return r;
    if (fault("cuMemAlloc") || bytesize > s.total_memory - s.used_memory) {
        set_detail(CUDA_ERROR_OUT_OF_MEMORY, std::to_string(bytesize) + " bytes requested, " +
                   std::to_string(s.total_memory - s.used_memory) + " of " + std::to_string(s.total_memory) + " free");
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    Allocation a;
    if (!map_allocation(bytesize, false, &a)) return CUDA_ERROR_OUT_OF_MEMORY;
    s.allocations[a.base] = a;
    s.used_memory += bytesize;
    *dptr = (CUdeviceptr)a.base;
    trace("cuMemAlloc " + std::to_string(bytesize) + " -> #" + std::to_string(a.id) + " " + hex(a.base));
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuMemFree(CUdeviceptr dptr) {
    State& s = state();
    Lock l(s.lock);
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!current_context || current_context != s.primary) return CUDA_ERROR_INVALID_CONTEXT;
    CUresult r = capture_forbids("cuMemFree");
    if (r != CUDA_SUCCESS) return r;
    auto it = s.allocations.find((uintptr_t)dptr);
    if (it == s.allocations.end() || it->second.pinned) {
        std::string p = "cuMemFree(" + hex(dptr) + "): not the start of a live device allocation (" + describe_address(dptr) + ")";
        report(p);
        set_detail(CUDA_ERROR_INVALID_VALUE, p);
        return CUDA_ERROR_INVALID_VALUE;
    }
    // The real driver synchronises before freeing memory that queued work may still use; so do we.
    r = sync_to(l, last_queued());
    it = s.allocations.find((uintptr_t)dptr);
    if (it == s.allocations.end()) return CUDA_SUCCESS;  // freed with the context while we waited
    Allocation a = it->second;
    std::string canary = canary_problem(a);
    s.allocations.erase(it);
    s.used_memory -= a.bytes;
    unmap_to_quarantine(a);
    if (!canary.empty()) fail_context(CUDA_ERROR_ILLEGAL_ADDRESS, "found at cuMemFree: " + canary);
    return r == CUDA_SUCCESS ? ready() : r;
}

TJEMU_API CUresult cuMemGetInfo(size_t* free, size_t* total) {
    if (!free || !total) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    *free = s.total_memory - s.used_memory;
    *total = s.total_memory;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuMemHostAlloc(void** pp, size_t bytesize, unsigned int Flags) {
    if (!pp) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (Flags & ~(unsigned)(CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP | CU_MEMHOSTALLOC_WRITECOMBINED)) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if ((r = capture_forbids("cuMemHostAlloc")) != CUDA_SUCCESS) return r;
    if (bytesize == 0) bytesize = 1;  // a valid pointer for a zero-byte request
    if (fault("cuMemHostAlloc")) return CUDA_ERROR_OUT_OF_MEMORY;
    Allocation a;
    if (!map_allocation(bytesize, true, &a)) return CUDA_ERROR_OUT_OF_MEMORY;
    s.allocations[a.base] = a;
    *pp = (void*)a.base;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuMemFreeHost(void* p) {
    State& s = state();
    Lock l(s.lock);
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    CUresult r = capture_forbids("cuMemFreeHost");
    if (r != CUDA_SUCCESS) return r;
    auto it = s.allocations.find((uintptr_t)p);
    if (it == s.allocations.end() || !it->second.pinned) {
        std::string m = "cuMemFreeHost(" + hex((uintptr_t)p) + "): not a pinned allocation of cuMemHostAlloc";
        report(m);
        set_detail(CUDA_ERROR_INVALID_VALUE, m);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (s.primary) sync_to(l, last_queued());  // queued async copies may still use it
    it = s.allocations.find((uintptr_t)p);
    if (it == s.allocations.end()) return CUDA_SUCCESS;
    Allocation a = it->second;
    s.allocations.erase(it);
    unmap_to_quarantine(a);
    return CUDA_SUCCESS;
}

// ---- synchronous copies (legacy default stream) --------------------------------------------

TJEMU_API CUresult cuMemcpyHtoD(CUdeviceptr dstDevice, const void* srcHost, size_t ByteCount) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if ((r = capture_forbids("cuMemcpyHtoD")) != CUDA_SUCCESS) return r;
    if (ByteCount == 0) return CUDA_SUCCESS;
    if (!srcHost) return CUDA_ERROR_INVALID_VALUE;
    std::string p = check_ranges({{dstDevice, ByteCount, "cuMemcpyHtoD destination"}});
    if (!p.empty()) return bad_range(p);
    if ((r = legacy_stream_sync(l)) != CUDA_SUCCESS) return r;
    std::memcpy((void*)dstDevice, srcHost, ByteCount);
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuMemcpyDtoH(void* dstHost, CUdeviceptr srcDevice, size_t ByteCount) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if ((r = capture_forbids("cuMemcpyDtoH")) != CUDA_SUCCESS) return r;
    if (ByteCount == 0) return CUDA_SUCCESS;
    if (!dstHost) return CUDA_ERROR_INVALID_VALUE;
    std::string p = check_ranges({{srcDevice, ByteCount, "cuMemcpyDtoH source"}});
    if (!p.empty()) return bad_range(p);
    if ((r = legacy_stream_sync(l)) != CUDA_SUCCESS) return r;
    std::memcpy(dstHost, (const void*)srcDevice, ByteCount);
    return CUDA_SUCCESS;
}

// ---- async copies and memsets --------------------------------------------------------------

TJEMU_API CUresult cuMemcpyHtoDAsync(CUdeviceptr dstDevice, const void* srcHost, size_t ByteCount, CUstream hStream) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (ByteCount == 0) return CUDA_SUCCESS;
    if (!srcHost) return CUDA_ERROR_INVALID_VALUE;
    CUstream st = resolve_stream(hStream);
    if (!st) return CUDA_ERROR_INVALID_HANDLE;
    std::vector<Range> ranges{{dstDevice, ByteCount, "cuMemcpyHtoDAsync destination"}};
    if (is_pinned_host(srcHost, ByteCount)) {
        ranges.push_back({(CUdeviceptr)srcHost, ByteCount, "cuMemcpyHtoDAsync source (pinned)"});
        return queue(st, Work{"cuMemcpyHtoDAsync", ranges, [=] { std::memcpy((void*)dstDevice, srcHost, ByteCount); }});
    }
    if (st->capture) {
        // Pageable memory cannot be part of a graph: the replay could not read the caller's bytes.
        st->capture_invalidated = true;
        st->invalidated_by = "cuMemcpyHtoDAsync from pageable host memory";
        set_detail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, st->invalidated_by + " during stream capture");
        return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    }
    auto bytes = std::make_shared<std::vector<uint8_t>>((const uint8_t*)srcHost, (const uint8_t*)srcHost + ByteCount);
    return queue(st, Work{"cuMemcpyHtoDAsync (pageable, staged)", ranges,
                          [=] { std::memcpy((void*)dstDevice, bytes->data(), ByteCount); }});
}

TJEMU_API CUresult cuMemcpyDtoHAsync(void* dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (ByteCount == 0) return CUDA_SUCCESS;
    if (!dstHost) return CUDA_ERROR_INVALID_VALUE;
    CUstream st = resolve_stream(hStream);
    if (!st) return CUDA_ERROR_INVALID_HANDLE;
    std::vector<Range> ranges{{srcDevice, ByteCount, "cuMemcpyDtoHAsync source"}};
    if (is_pinned_host(dstHost, ByteCount)) {
        ranges.push_back({(CUdeviceptr)dstHost, ByteCount, "cuMemcpyDtoHAsync destination (pinned)"});
        return queue(st, Work{"cuMemcpyDtoHAsync", ranges, [=] { std::memcpy(dstHost, (const void*)srcDevice, ByteCount); }});
    }
    if (st->capture) {
        st->capture_invalidated = true;
        st->invalidated_by = "cuMemcpyDtoHAsync to pageable host memory";
        set_detail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, st->invalidated_by + " during stream capture");
        return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    }
    // To pageable memory the call returns only once the copy is done: run the stream up to here, then copy.
    std::string p = check_ranges(ranges);
    if (!p.empty()) return bad_range(p);
    if ((r = sync_to(l, st->last_seq)) != CUDA_SUCCESS) return r;
    std::memcpy(dstHost, (const void*)srcDevice, ByteCount);
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuMemcpyDtoDAsync(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (ByteCount == 0) return CUDA_SUCCESS;
    CUstream st = resolve_stream(hStream);
    if (!st) return CUDA_ERROR_INVALID_HANDLE;
    std::vector<Range> ranges{{srcDevice, ByteCount, "cuMemcpyDtoDAsync source"},
                              {dstDevice, ByteCount, "cuMemcpyDtoDAsync destination"}};
    return queue(st, Work{"cuMemcpyDtoDAsync", ranges, [=] { std::memmove((void*)dstDevice, (const void*)srcDevice, ByteCount); }});
}

TJEMU_API CUresult cuMemsetD8Async(CUdeviceptr dstDevice, unsigned char uc, size_t N, CUstream hStream) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (N == 0) return CUDA_SUCCESS;
    CUstream st = resolve_stream(hStream);
    if (!st) return CUDA_ERROR_INVALID_HANDLE;
    return queue(st, Work{"cuMemsetD8Async", {{dstDevice, N, "cuMemsetD8Async destination"}},
                          [=] { std::memset((void*)dstDevice, uc, N); }});
}

TJEMU_API CUresult cuMemsetD32Async(CUdeviceptr dstDevice, unsigned int ui, size_t N, CUstream hStream) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (N == 0) return CUDA_SUCCESS;
    if (dstDevice % 4 != 0) {  // "dstDevice ... must be 4-byte aligned" (a misaligned address on the device)
        set_detail(CUDA_ERROR_INVALID_VALUE, "cuMemsetD32Async destination " + hex(dstDevice) + " is not 4-byte aligned");
        return CUDA_ERROR_INVALID_VALUE;
    }
    CUstream st = resolve_stream(hStream);
    if (!st) return CUDA_ERROR_INVALID_HANDLE;
    return queue(st, Work{"cuMemsetD32Async", {{dstDevice, N * 4, "cuMemsetD32Async destination"}}, [=] {
                              uint32_t* p = (uint32_t*)dstDevice;
                              for (size_t i = 0; i < N; ++i) p[i] = ui;
                          }});
}
