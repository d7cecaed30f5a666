// The emulated driver's state: one device, its primary context, memory, streams, events, modules,
// graphs and the queue of device work. One lock guards it all (api calls are short; device work
// runs on the device thread without the lock, see exec.cpp).
//
// The opaque handle structs of cuda.h (CUctx_st, CUstream_st, ...) are defined here: a handle is a
// pointer to one of them, and every API call checks that the handle is live before using it.
#pragma once

#include <cuda.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kernel_abi.h"
#include "tjemu.h"

struct CUctx_st {
    int device;
    int refcount;  // primary context retains
};

struct CUgraph_st;

struct CUstream_st {
    unsigned flags;       // CU_STREAM_DEFAULT or CU_STREAM_NON_BLOCKING
    uint64_t last_seq;    // the last queued operation
    CUgraph_st* capture;  // non-null while capturing
    CUstreamCaptureMode capture_mode;
    std::thread::id capture_thread;
    bool capture_invalidated;
    std::string invalidated_by;
};

struct CUevent_st {
    uint64_t id;              // distinguishes an event from a later one at the same address
    unsigned flags;
    uint64_t record_seq;      // 0: never recorded (or recorded only inside a capture)
    bool recorded_in_capture;
    bool has_time;
    double time_ms;           // host clock when the record ran
};

struct CUmod_st {
    std::vector<const tjemu::KernelInfo*> kernels;  // what the image names and a host library provides
    std::vector<std::string> missing;               // names in the image with no host build
    std::set<CUfunction> functions;
};

struct CUfunc_st {
    CUmod_st* module;
    const tjemu::KernelInfo* info;
    const tjemu::KernelLibrary* library;
    int max_dynamic_shared;
    int registers;      // per thread, from ptxas for the emulated architecture (-1: unknown)
    int static_shared;  // bytes
};

struct CUgraph_st {
    std::vector<tjemu::Work> nodes;  // captured in order (one stream: a chain)
};

struct CUgraphExec_st {
    std::vector<tjemu::Work> nodes;
};

namespace tjemu::drv {

/** A device allocation (cuMemAlloc) or pinned host allocation (cuMemHostAlloc). */
struct Allocation {
    uintptr_t base;
    size_t bytes;
    uintptr_t map_base;  // the mapping, guard pages included
    size_t map_bytes;
    uint64_t id;
    bool pinned;
};

/** One operation in the device queue. */
struct Op {
    uint64_t seq;
    CUstream stream;
    Work work;
};

struct State {
    std::recursive_mutex lock;
    std::condition_variable_any done_changed;   // done_seq advanced
    std::condition_variable_any work_available; // queue or target changed

    bool initialized = false;
    bool eager = false;            // TJEMU_SCHEDULE=eager: run work as soon as queued
    size_t total_memory = 0;
    size_t used_memory = 0;
    int cc_major = 9, cc_minor = 0, sm_count = 132;
    std::string device_name;

    CUctx_st* primary = nullptr;   // live while retained
    CUresult sticky = CUDA_SUCCESS;
    std::string sticky_message;

    std::map<uintptr_t, Allocation> allocations;  // by base
    std::map<uintptr_t, Allocation> quarantine;   // freed device memory, kept inaccessible
    size_t quarantined_bytes = 0;
    uint64_t next_allocation_id = 1;

    std::set<CUstream> streams;
    std::set<CUevent> events;
    uint64_t next_event_id = 1;
    std::set<CUmodule> modules;
    std::set<CUfunction> functions;
    std::set<CUgraph> graphs;
    std::set<CUgraphExec> execs;
    CUstream_st legacy{};          // the NULL / legacy default stream

    std::deque<Op> queue;
    uint64_t next_seq = 1;
    uint64_t done_seq = 0;
    uint64_t target_seq = 0;       // the device thread runs work up to here
    bool device_busy = false;
    bool device_thread_started = false;

    std::vector<const KernelLibrary*> libraries;
    // ptxas's resource use of each kernel: kernel name -> arch ("sm_90a") -> {registers, static shared bytes}
    std::map<std::string, std::map<std::string, std::pair<int, int>>> resources;
    std::vector<std::string> library_problems;
    bool libraries_loaded = false;
};

State& state();
using Lock = std::unique_lock<std::recursive_mutex>;

extern thread_local CUcontext current_context;

/** Maps the three special stream handles to the legacy stream; null for a dead handle. */
CUstream resolve_stream(CUstream s);

/** CUDA_ERROR_NOT_INITIALIZED / INVALID_CONTEXT / the sticky error, or CUDA_SUCCESS. */
CUresult ready();

/** Records a failure on the context: sticky codes poison it; prints `message`. */
void fail_context(CUresult code, const std::string& message);

/** Whether `code` leaves the context unusable (as launch failures and illegal addresses do on a GPU). */
bool is_sticky(CUresult code);

/**
 * Runs queued work up to `seq` (the device thread does it) and waits. Returns the sticky error if any.
 * `lock` must be the only hold of the state lock on this thread (a condition wait releases one level).
 */
CUresult sync_to(Lock& lock, uint64_t seq);

/** The last queued operation of any stream. */
uint64_t last_queued();

/** Queues work on a resolved stream (or records it during capture). */
CUresult queue_work(CUstream stream, Work work, std::string* problem);

/**
 * Unsafe-during-capture check (cuStreamBeginCapture's GLOBAL / THREAD_LOCAL modes): returns
 * CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED and invalidates the captures it conflicts with, or CUDA_SUCCESS.
 */
CUresult capture_forbids(const char* call);

/** The allocation containing [ptr, ptr + bytes), or null. */
const Allocation* find_allocation(uintptr_t ptr, size_t bytes);
/** The allocation containing ptr (any size), or null. */
const Allocation* allocation_at(uintptr_t ptr);
/** What `address` is: inside/near which allocation, freed, guard page, ... (for fault messages). */
std::string describe_address(uintptr_t address);
/** Unmaps an allocation for good (its context is gone). */
void release_mapping(const Allocation& a);
/** Checks the canary bytes after every allocation the work touches; "" or the overrun found. */
std::string check_canaries(const std::vector<Range>& ranges);

void load_kernel_libraries();
void start_device_thread();
/** Drains the queue and frees everything the context owned (the primary context's last release). */
void destroy_context_resources(Lock& l);
double now_ms();
std::string hex(uint64_t v);

/** Sets the per-thread detail that cuGetErrorString appends for `code`. */
void set_detail(CUresult code, const std::string& detail);

/** Logs an API call when TJEMU_VERBOSE is set. */
void trace(const std::string& line);

}  // namespace tjemu::drv

#define TJEMU_API extern "C" __attribute__((visibility("default")))
