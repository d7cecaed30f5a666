// The emulated device's execution engine: runs a grid of CUDA threads on the host.
//
// Blocks run one after another; the threads of a block run as fibers (user-level contexts on
// their own stacks) that switch only where CUDA threads must meet: __syncthreads (all threads of
// the block) and warp-collective operations (shuffles, votes, __syncwarp, mma.sync: the lanes of
// the mask). That is enough to run any kernel whose correctness does not depend on unsynchronised
// concurrency, and it checks what the CUDA C++ Programming Guide and the PTX ISA require of those
// meeting points: every thread of the block reaches __syncthreads (none has exited), the lanes of a
// mask execute the same operation with the same mask, no lane of a mask has exited, the mask names
// only lanes that exist. A violation, a deadlock, or a memory or arithmetic fault inside the kernel
// (the guard pages around device allocations, integer division by zero) stops the grid with a
// message naming the block and thread.
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <csetjmp>
#include <cstdio>
#include <string>
#include <vector>

#include "fp16.h"
#include "tjemu_device.h"

// ---- context switching (x86-64 System V) -------------------------------------------------------

extern "C" void tjemu_fiber_switch(void** save_sp, void* load_sp);
extern "C" void tjemu_fiber_start();

// Saves the callee-saved registers, the x87 control word and MXCSR on the current stack, stores
// the stack pointer in *save_sp, loads load_sp and restores the same set from there.
asm(R"(
    .text
    .globl tjemu_fiber_switch
    .hidden tjemu_fiber_switch
    .type tjemu_fiber_switch,@function
tjemu_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $16, %rsp
    stmxcsr 8(%rsp)
    fnstcw (%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    fldcw (%rsp)
    ldmxcsr 8(%rsp)
    addq $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size tjemu_fiber_switch, .-tjemu_fiber_switch

    .globl tjemu_fiber_start
    .hidden tjemu_fiber_start
    .type tjemu_fiber_start,@function
tjemu_fiber_start:
    movq %r12, %rdi
    callq *%r13
    ud2
    .size tjemu_fiber_start, .-tjemu_fiber_start
)");

namespace tjemu::dev {

thread_local const Coords* coords = nullptr;

namespace {

constexpr size_t STACK_BYTES = 128 * 1024;

enum class State { READY, AT_BARRIER, AT_WARP, DONE };

struct Fiber {
    void* sp = nullptr;
    char* stack = nullptr;  // STACK_BYTES above a guard page
    Coords c{};
    int linear = 0, lane = 0, warp = 0;
    State state = State::DONE;
};

/** A warp collective in progress. */
struct Pending {
    unsigned arrived = 0, mask = 0;
    int kind = -1;                 // which operation (for the "same operation" check)
    const char* name = "";
    uint64_t in[32][6] = {};       // per lane input (up to 48 bytes: mma's a, b, c)
    uint64_t out[32][2] = {};      // per lane output (up to 16 bytes: mma's d)
};

struct Block {
    const KernelInfo* kernel = nullptr;
    void* const* args = nullptr;
    std::vector<Fiber> fibers;
    int threads = 0, exited = 0, at_barrier = 0;
    std::vector<Pending> warps;
    unsigned exited_lanes[32] = {};  // per warp
    std::string error;
    void* scheduler_sp = nullptr;
    Fiber* current = nullptr;
};

thread_local Block* block = nullptr;

// ---- faults inside kernels --------------------------------------------------------------------

constexpr int MAX_WORKERS = 64;
std::atomic<pid_t> worker_owner[MAX_WORKERS];  // the OS thread a slot belongs to, for good
std::atomic<bool> worker_active[MAX_WORKERS];   // while it runs a grid
sigjmp_buf worker_jump[MAX_WORKERS];
volatile sig_atomic_t worker_signal[MAX_WORKERS];
void* volatile worker_address[MAX_WORKERS];
struct sigaction previous[NSIG];

pid_t gettid_() { return (pid_t)syscall(SYS_gettid); }

void on_signal(int sig, siginfo_t* info, void* uc) {
    const pid_t me = gettid_();
    for (int i = 0; i < MAX_WORKERS; ++i) {
        if (worker_owner[i].load(std::memory_order_relaxed) == me && worker_active[i].load(std::memory_order_relaxed)) {
            worker_signal[i] = sig;
            worker_address[i] = info->si_addr;
            siglongjmp(worker_jump[i], 1);
        }
    }
    // Not ours (the JVM's implicit null checks and safepoints use SIGSEGV): chain.
    const struct sigaction& p = previous[sig];
    if (p.sa_flags & SA_SIGINFO) {
        if (p.sa_sigaction) p.sa_sigaction(sig, info, uc);
        return;
    }
    if (p.sa_handler == SIG_IGN) return;
    if (p.sa_handler == SIG_DFL) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    p.sa_handler(sig);
}

void install_handlers() {
    static std::atomic<bool> done{false};
    bool expected = false;
    if (!done.compare_exchange_strong(expected, true)) return;
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE}) {
        struct sigaction sa {};
        sa.sa_sigaction = on_signal;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        sigaction(sig, &sa, &previous[sig]);
    }
}

/** This OS thread's worker slot (its signal stack and jump buffer), claimed once. */
int worker_slot() {
    static thread_local int slot = -1;
    if (slot >= 0) return slot;
    const pid_t me = gettid_();
    for (int i = 0; i < MAX_WORKERS; ++i) {
        pid_t expected = 0;
        if (worker_owner[i].compare_exchange_strong(expected, me)) {
            slot = i;
            break;
        }
    }
    if (slot < 0) return -1;
    // Faults on a fiber stack (overflow included) need a stack of their own.
    static thread_local std::vector<char> alt(64 * 1024);
    stack_t ss{};
    ss.ss_sp = alt.data();
    ss.ss_size = alt.size();
    sigaltstack(&ss, nullptr);
    return slot;
}

// ---- fibers -------------------------------------------------------------------------------------

void fiber_main(Fiber* f);

char* new_stack() {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void* m = mmap(nullptr, STACK_BYTES + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return nullptr;
    mprotect(m, page, PROT_NONE);  // the guard page below the stack
    return (char*)m + page;
}

void prepare(Fiber& f) {
    // Initial frame read by tjemu_fiber_switch: fcw/mxcsr slot, r15..r12, rbx, rbp, return address.
    uintptr_t top = ((uintptr_t)(f.stack + STACK_BYTES)) & ~(uintptr_t)15;
    uint64_t* sp = (uint64_t*)(top - 88);  // 88 = 16 + 6 * 8 + 8 + 16: the entry call sees an aligned stack
    uint32_t mxcsr;
    uint16_t fcw;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(fcw));
    std::memset(sp, 0, 88);
    std::memcpy((char*)sp, &fcw, 2);
    std::memcpy((char*)sp + 8, &mxcsr, 4);
    sp[2] = 0;                         // r15
    sp[3] = 0;                         // r14
    sp[4] = (uint64_t)&fiber_main;     // r13: called by tjemu_fiber_start
    sp[5] = (uint64_t)&f;              // r12: its argument
    sp[6] = 0;                         // rbx
    sp[7] = 0;                         // rbp
    sp[8] = (uint64_t)&tjemu_fiber_start;
    f.sp = sp;
}

/** Back to the scheduler; returns when this fiber is resumed. */
void yield() {
    Block& b = *block;
    Fiber* f = b.current;
    tjemu_fiber_switch(&f->sp, b.scheduler_sp);
}

[[noreturn]] void abort_grid(const std::string& message) {
    Block& b = *block;
    if (b.error.empty()) b.error = message;
    for (;;) yield();  // the scheduler never resumes a fiber once an error is set
}

std::string where(const Fiber& f) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "block (%u,%u,%u) thread (%u,%u,%u)", f.c.block.x, f.c.block.y, f.c.block.z,
                  f.c.thread.x, f.c.thread.y, f.c.thread.z);
    return buf;
}

void release_barrier(Block& b) {
    for (Fiber& f : b.fibers) {
        if (f.state == State::AT_BARRIER) f.state = State::READY;
    }
    b.at_barrier = 0;
}

void fiber_main(Fiber* f) {
    Block& b = *block;
    b.kernel->thread_main(b.args);
    f->state = State::DONE;
    b.exited++;
    b.exited_lanes[f->warp] |= 1u << f->lane;
    if (b.at_barrier > 0) {
        abort_grid(where(*f) + " exited while " + std::to_string(b.at_barrier) +
                   " threads of its block wait in __syncthreads (every thread of a block must reach it)");
    }
    Pending& w = b.warps[f->warp];
    if (w.arrived && (w.mask >> f->lane & 1u)) {
        abort_grid(where(*f) + " exited while lanes of its warp wait for it in " + w.name + " (mask 0x" +
                   [&] { char h[16]; std::snprintf(h, sizeof h, "%08x", w.mask); return std::string(h); }() + ")");
    }
    for (;;) yield();
}

// Runs one block to completion; false with b.error set on a failure.
bool run_block(Block& b) {
    for (;;) {
        bool progressed = false;
        for (Fiber& f : b.fibers) {
            if (f.state != State::READY) continue;
            b.current = &f;
            coords = &f.c;
            tjemu_fiber_switch(&b.scheduler_sp, f.sp);
            progressed = true;
            if (!b.error.empty()) return false;
        }
        if (b.exited == b.threads) return true;
        if (!progressed) {
            int barrier = 0, warp = 0;
            for (Fiber& f : b.fibers) {
                if (f.state == State::AT_BARRIER) barrier++;
                if (f.state == State::AT_WARP) warp++;
            }
            b.error = "deadlock in block (" + std::to_string(b.fibers[0].c.block.x) + "," + std::to_string(b.fibers[0].c.block.y) +
                      "," + std::to_string(b.fibers[0].c.block.z) + "): " + std::to_string(barrier) + " threads wait in __syncthreads, " +
                      std::to_string(warp) + " in warp operations, " + std::to_string(b.exited) + " have exited";
            return false;
        }
    }
}

struct Runner {
    std::vector<char*> stacks;
    Block block;
};

Runner& runner() {
    static thread_local Runner r;
    return r;
}

/** The warp collective protocol: deposit, wait for the mask, the last lane computes everyone's output. */
template <typename Compute>
void collective(int kind, const char* name, unsigned mask, const void* in, int in_bytes, void* out, int out_bytes,
                Compute compute) {
    Block& b = *block;
    Fiber& f = *b.current;
    Pending& w = b.warps[f.warp];
    const unsigned lane_bit = 1u << f.lane;
    const int warp_threads = std::min(32, b.threads - f.warp * 32);
    const unsigned existing = warp_threads == 32 ? 0xffffffffu : ((1u << warp_threads) - 1u);
    if (!(mask & lane_bit)) abort_grid(where(f) + " calls " + name + " with a mask that does not include its own lane");
    if (mask & ~existing) abort_grid(where(f) + ": " + name + " mask names lanes that do not exist in this block");
    if (mask & b.exited_lanes[f.warp]) abort_grid(where(f) + ": " + name + " mask names lanes that have exited");
    if (w.arrived == 0) {
        w.mask = mask;
        w.kind = kind;
        w.name = name;
    } else if (w.mask != mask || w.kind != kind) {
        abort_grid(where(f) + " calls " + name + " while other lanes of its warp are in " + w.name +
                   (w.mask != mask ? " with a different mask" : "") + " (divergent warp operation)");
    }
    std::memcpy(w.in[f.lane], in, (size_t)in_bytes);
    w.arrived |= lane_bit;
    if (w.arrived == w.mask) {
        compute(w);
        w.arrived = 0;
        for (int l = 0; l < 32; ++l) {
            if ((mask >> l & 1u) && l != f.lane) {
                Fiber& other = b.fibers[(size_t)(f.warp * 32 + l)];
                if (other.state == State::AT_WARP) other.state = State::READY;
            }
        }
    } else {
        f.state = State::AT_WARP;
        yield();
    }
    if (out_bytes) std::memcpy(out, w.out[f.lane], (size_t)out_bytes);
}

}  // namespace

void syncthreads() {
    Block& b = *block;
    Fiber& f = *b.current;
    if (b.exited > 0) {
        abort_grid(where(f) + " reaches __syncthreads after " + std::to_string(b.exited) +
                   " threads of its block exited (every thread of a block must reach it)");
    }
    if (++b.at_barrier == b.threads) {
        release_barrier(b);
        return;  // the last to arrive goes on
    }
    f.state = State::AT_BARRIER;
    yield();
}

void syncwarp(unsigned mask) {
    collective(0, "__syncwarp", mask, nullptr, 0, nullptr, 0, [](Pending&) {});
}

void shuffle(Shuffle mode, unsigned mask, void* value, int bytes, int lane_arg, int width) {
    static const char* names[] = {"__shfl_sync", "__shfl_up_sync", "__shfl_down_sync", "__shfl_xor_sync"};
    Block& b = *block;
    if (width < 1 || width > 32 || (width & (width - 1))) {
        abort_grid(where(*b.current) + ": " + names[(int)mode] + " width " + std::to_string(width) + " is not a power of two up to 32");
    }
    collective(1 + (int)mode, names[(int)mode], mask, value, bytes, value, bytes, [&](Pending& w) {
        // CUDA C++ Programming Guide, "Warp Shuffle Functions": lanes form segments of `width`;
        // a source outside the caller's segment (or, for up/down, past its edge) returns the
        // caller's own value; a source lane not in the mask gives an undefined value (the
        // emulator makes it a failure, since no correct kernel reads one).
        for (int l = 0; l < 32; ++l) {
            if (!(w.mask >> l & 1u)) continue;
            const int seg = l / width * width;
            int src = l;
            switch (mode) {
                case Shuffle::IDX: src = seg + (lane_arg % width + width) % width; break;
                case Shuffle::UP: src = l - lane_arg >= seg ? l - lane_arg : l; break;
                case Shuffle::DOWN: src = l + lane_arg < seg + width ? l + lane_arg : l; break;
                case Shuffle::XOR: src = l ^ lane_arg; if (src >= seg + width || src < seg) src = l; break;
            }
            if (!(w.mask >> src & 1u)) {
                abort_grid(std::string(names[(int)mode]) + ": lane " + std::to_string(l) + " reads lane " + std::to_string(src) +
                           ", which is not in the mask");
            }
            std::memcpy(w.out[l], w.in[src], 8);
        }
    });
}

unsigned vote_ballot(unsigned mask, bool predicate) {
    unsigned result = 0;
    uint32_t p = predicate ? 1u : 0u;
    collective(5, "__ballot_sync", mask, &p, 4, &result, 4, [](Pending& w) {
        unsigned ballot = 0;
        for (int l = 0; l < 32; ++l) {
            if ((w.mask >> l & 1u) && (uint32_t)w.in[l][0]) ballot |= 1u << l;
        }
        for (int l = 0; l < 32; ++l) w.out[l][0] = ballot;
    });
    return result;
}

void fail(const char* message) {
    abort_grid(where(*block->current) + ": " + message);
}

}  // namespace tjemu::dev

// ---- PTX ----------------------------------------------------------------------------------------

namespace tjemu::ptx {

float cvt_f32_f16(unsigned short h) { return tjemu::half_to_float(h); }
unsigned short cvt_rn_f16_f32(float f) { return tjemu::float_to_half(f); }
unsigned short cvt_rn_bf16_f32(float f) { return tjemu::float_to_bf16(f); }

void mma_m16n8k16_f32(float d[4], const unsigned a[4], const unsigned b[2], const float c[4], bool bf16) {
    using namespace tjemu::dev;
    struct In {
        unsigned a[4], b[2];
        float c[4];
    } in;
    std::memcpy(in.a, a, sizeof in.a);
    std::memcpy(in.b, b, sizeof in.b);
    std::memcpy(in.c, c, sizeof in.c);
    float out[4];
    collective(bf16 ? 7 : 6, bf16 ? "mma.sync.m16n8k16.bf16" : "mma.sync.m16n8k16.f16", 0xffffffffu, &in, (int)sizeof in, out,
               (int)sizeof out, [&](Pending& w) {
        // PTX ISA, "Matrix Fragments for mma.m16n8k16 with floating point type":
        //   groupID = laneid >> 2, threadID_in_group = laneid % 4
        //   A (16x16, .f16x2 registers a0..a3 holding elements a0..a7, the lower half first):
        //     row = groupID for a_i with i < 2 or 4 <= i < 6, else groupID + 8
        //     col = threadID_in_group * 2 + (i & 1) for i < 4, else that + 8
        //   B (16x8, registers b0, b1 holding b0..b3): row = threadID_in_group * 2 + (i & 1) (+ 8 for i >= 2),
        //     col = groupID
        //   C, D (16x8 f32, c0..c3): row = groupID for i < 2, else groupID + 8; col = threadID_in_group * 2 + (i & 1)
        float A[16][16], B[16][8], C[16][8];
        auto value = [&](unsigned reg, int half) {
            const unsigned short bits = (unsigned short)(half ? reg >> 16 : reg & 0xffffu);
            return bf16 ? tjemu::bf16_to_float(bits) : tjemu::half_to_float(bits);
        };
        for (int lane = 0; lane < 32; ++lane) {
            In x;
            std::memcpy(&x, w.in[lane], sizeof x);
            const int g = lane >> 2, t = lane % 4;
            for (int i = 0; i < 8; ++i) {
                const int row = (i < 2 || (i >= 4 && i < 6)) ? g : g + 8;
                const int col = t * 2 + (i & 1) + (i >= 4 ? 8 : 0);
                A[row][col] = value(x.a[i / 2], i & 1);
            }
            for (int i = 0; i < 4; ++i) {
                const int row = t * 2 + (i & 1) + (i >= 2 ? 8 : 0);
                B[row][g] = value(x.b[i / 2], i & 1);
            }
            for (int i = 0; i < 4; ++i) C[i < 2 ? g : g + 8][t * 2 + (i & 1)] = x.c[i];
        }
        for (int lane = 0; lane < 32; ++lane) {
            const int g = lane >> 2, t = lane % 4;
            float r[4];
            for (int i = 0; i < 4; ++i) {
                const int row = i < 2 ? g : g + 8, col = t * 2 + (i & 1);
                float acc = C[row][col];
                for (int k = 0; k < 16; ++k) acc += A[row][k] * B[k][col];  // products of 16-bit values are exact in f32
                r[i] = acc;
            }
            std::memcpy(w.out[lane], r, sizeof r);
        }
    });
    std::memcpy(d, out, sizeof out);
}

}  // namespace tjemu::ptx

// ---- the grid -----------------------------------------------------------------------------------

namespace tjemu {

int run_grid(const KernelInfo* kernel, Dim3 grid, Dim3 blockDim_, size_t dynamic_shared, void* const* args,
             GridFault* fault) {
    using namespace tjemu::dev;
    std::memset(fault, 0, sizeof *fault);
    if (dynamic_shared > 0) {
        fault->kind = GridFault::OTHER;
        std::snprintf(fault->message, sizeof fault->message,
                      "kernel %s launched with %zu bytes of dynamic shared memory, which the emulator does not support",
                      kernel->name, dynamic_shared);
        return 1;
    }
    install_handlers();
    const int slot = worker_slot();
    if (slot < 0) {
        fault->kind = GridFault::OTHER;
        std::snprintf(fault->message, sizeof fault->message, "too many emulator worker threads");
        return 1;
    }
    Runner& r = runner();
    Block& b = r.block;
    const int threads = (int)(blockDim_.x * blockDim_.y * blockDim_.z);
    while ((int)r.stacks.size() < threads) {
        char* s = new_stack();
        if (!s) {
            fault->kind = GridFault::OTHER;
            std::snprintf(fault->message, sizeof fault->message, "cannot map fiber stacks for %d threads", threads);
            return 1;
        }
        r.stacks.push_back(s);
    }
    b.fibers.assign((size_t)threads, Fiber{});
    b.warps.assign((size_t)((threads + 31) / 32), Pending{});
    b.kernel = kernel;
    b.args = args;
    b.threads = threads;

    Block* saved_block = dev::block;
    const Coords* saved_coords = coords;
    dev::block = &b;
    volatile unsigned bx = 0, by = 0, bz = 0;
    worker_active[slot].store(true);
    if (sigsetjmp(worker_jump[slot], 1) != 0) {
        worker_active[slot].store(false);
        const Fiber* f = b.current;
        fault->kind = worker_signal[slot] == SIGFPE ? GridFault::ARITHMETIC : GridFault::MEMORY;
        fault->address = (uintptr_t)worker_address[slot];
        if (f) {
            fault->block = {f->c.block.x, f->c.block.y, f->c.block.z};
            fault->thread = {f->c.thread.x, f->c.thread.y, f->c.thread.z};
        }
        std::snprintf(fault->message, sizeof fault->message, "%s in kernel %s, %s",
                      worker_signal[slot] == SIGFPE ? "arithmetic fault (integer division by zero?)" : "memory fault",
                      kernel->name, f ? where(*f).c_str() : "?");
        dev::block = saved_block;
        coords = saved_coords;
        return 1;
    }
    int status = 0;
    for (bz = 0; bz < grid.z && !status; bz = bz + 1) {
        for (by = 0; by < grid.y && !status; by = by + 1) {
            for (bx = 0; bx < grid.x && !status; bx = bx + 1) {
                b.exited = 0;
                b.at_barrier = 0;
                b.error.clear();
                std::memset(b.exited_lanes, 0, sizeof b.exited_lanes);
                for (Pending& w : b.warps) w.arrived = 0;
                for (int i = 0; i < threads; ++i) {
                    Fiber& f = b.fibers[(size_t)i];
                    f.stack = r.stacks[(size_t)i];
                    f.linear = i;
                    f.lane = i % 32;
                    f.warp = i / 32;
                    f.c.thread = {(unsigned)i % blockDim_.x, (unsigned)i / blockDim_.x % blockDim_.y,
                                  (unsigned)i / (blockDim_.x * blockDim_.y)};
                    f.c.block = {bx, by, bz};
                    f.c.block_dim = {blockDim_.x, blockDim_.y, blockDim_.z};
                    f.c.grid_dim = {grid.x, grid.y, grid.z};
                    f.state = State::READY;
                    prepare(f);
                }
                if (!run_block(b)) {
                    status = 1;
                    fault->kind = GridFault::SYNC;
                    fault->block = {bx, by, bz};
                    std::snprintf(fault->message, sizeof fault->message, "kernel %s: %s", kernel->name, b.error.c_str());
                }
            }
        }
    }
    worker_active[slot].store(false);
    dev::block = saved_block;
    coords = saved_coords;
    return status;
}

}  // namespace tjemu
