// Emulated CUDA driver: the device thread, streams, events, stream capture and graphs.
//
// Semantics from the CUDA Driver API reference, modules "Stream Management", "Event Management",
// "Graph Management" and cuStreamBeginCapture's description of capture modes.
//
// Execution model: all queued work of all streams forms one FIFO in the order the host queued it
// (which respects stream order, event waits and the legacy stream's implicit synchronisation). The
// device thread runs it only when the host waits for it (a synchronisation, a blocking copy,
// cuEventQuery ...), unless TJEMU_SCHEDULE=eager. Work therefore runs as late as CUDA allows:
// a host buffer reused before its async copy ran, or a result read without a synchronisation,
// shows up as wrong data instead of passing by luck.
#include <algorithm>
#include <cstring>

#include "state.h"

namespace tjemu::drv {

namespace {

void device_loop() {
    State& s = state();
    Lock l(s.lock);
    for (;;) {
        s.work_available.wait(l, [&] { return !s.queue.empty() && (s.eager || s.queue.front().seq <= s.target_seq); });
        Op op = std::move(s.queue.front());
        s.queue.pop_front();
        if (s.sticky == CUDA_SUCCESS) {
            // Re-check what it touches: memory may have been freed since it was queued.
            std::string problem = check_ranges(op.work.ranges);
            CUresult code = CUDA_SUCCESS;
            std::string message;
            if (!problem.empty()) {
                code = CUDA_ERROR_ILLEGAL_ADDRESS;
                message = op.work.what + " when it ran: " + problem;
            } else {
                s.device_busy = true;
                l.unlock();
                try {
                    op.work.run();
                } catch (const DeviceFault& f) {
                    code = f.code;
                    message = f.message;
                } catch (const std::exception& e) {
                    code = CUDA_ERROR_LAUNCH_FAILED;
                    message = op.work.what + ": " + e.what();
                }
                l.lock();
                s.device_busy = false;
                if (code == CUDA_SUCCESS) {
                    std::string canary = check_canaries(op.work.ranges);
                    if (!canary.empty()) {
                        code = CUDA_ERROR_ILLEGAL_ADDRESS;
                        message = op.work.what + ": " + canary;
                    }
                }
            }
            if (code != CUDA_SUCCESS) {
                if (!is_sticky(code)) code = CUDA_ERROR_LAUNCH_FAILED;  // a fault while running is never recoverable
                fail_context(code, message);
            }
        }
        s.done_seq = op.seq;
        s.done_changed.notify_all();
    }
}

CUresult bad_handle(const std::string& what) {
    set_detail(CUDA_ERROR_INVALID_HANDLE, what);
    return CUDA_ERROR_INVALID_HANDLE;
}

}  // namespace

void start_device_thread() {
    State& s = state();
    if (s.device_thread_started) return;
    s.device_thread_started = true;
    std::thread(device_loop).detach();
}

CUstream resolve_stream(CUstream h) {
    State& s = state();
    if (h == nullptr || h == CU_STREAM_LEGACY || h == CU_STREAM_PER_THREAD) return &s.legacy;
    return s.streams.count(h) ? h : nullptr;
}

uint64_t last_queued() {
    return state().next_seq - 1;
}

CUresult sync_to(Lock& l, uint64_t seq) {
    State& s = state();
    if (seq > s.done_seq) {
        s.target_seq = std::max(s.target_seq, seq);
        s.work_available.notify_all();
        s.done_changed.wait(l, [&] { return s.done_seq >= seq; });
    }
    if (s.sticky != CUDA_SUCCESS) {
        set_detail(s.sticky, s.sticky_message);
        return s.sticky;
    }
    return CUDA_SUCCESS;
}

CUresult queue_work(CUstream st, Work work, std::string* problem) {
    State& s = state();
    std::string p = check_ranges(work.ranges);
    if (!p.empty()) {
        if (problem) *problem = work.what + ": " + p;
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (st->capture) {
        if (st->capture_invalidated) return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
        trace("captured " + work.what);
        st->capture->nodes.push_back(std::move(work));
        return CUDA_SUCCESS;
    }
    uint64_t seq = s.next_seq++;
    trace("queued #" + std::to_string(seq) + " " + work.what);
    s.queue.push_back(Op{seq, st, std::move(work)});
    st->last_seq = seq;
    if (s.eager) s.work_available.notify_all();
    return CUDA_SUCCESS;
}

CUresult capture_forbids(const char* call) {
    State& s = state();
    const std::thread::id me = std::this_thread::get_id();
    bool forbidden = false;
    for (CUstream st : s.streams) {
        if (!st->capture || st->capture_mode == CU_STREAM_CAPTURE_MODE_RELAXED) continue;
        bool mine = st->capture_thread == me;
        if (mine || st->capture_mode == CU_STREAM_CAPTURE_MODE_GLOBAL) {
            forbidden = true;
            st->capture_invalidated = true;
            st->invalidated_by = call;
        }
    }
    if (!forbidden) return CUDA_SUCCESS;
    std::string m = std::string(call) + " is not permitted while a stream is capturing (it invalidates the capture)";
    report(m);
    set_detail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, m);
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
}

void destroy_context_resources(Lock& l) {
    State& s = state();
    sync_to(l, last_queued());
    for (auto it = s.allocations.begin(); it != s.allocations.end();) {
        if (!it->second.pinned) s.used_memory -= it->second.bytes;
        release_mapping(it->second);
        it = s.allocations.erase(it);
    }
    s.streams.clear();  // handles die with the context; the structs are kept (queued ops may name them)
    s.events.clear();
    s.modules.clear();
    s.functions.clear();
    s.graphs.clear();
    s.execs.clear();
}

}  // namespace tjemu::drv

namespace tjemu {

CUresult enqueue(CUstream stream, Work work, std::string* problem) {
    drv::State& s = drv::state();
    drv::Lock l(s.lock);
    CUresult r = drv::ready();
    if (r != CUDA_SUCCESS) return r;
    CUstream st = drv::resolve_stream(stream);
    if (!st) {
        if (problem) *problem = work.what + ": stream " + drv::hex((uintptr_t)stream) + " is not a live stream";
        return CUDA_ERROR_INVALID_HANDLE;
    }
    return drv::queue_work(st, std::move(work), problem);
}

}  // namespace tjemu

using namespace tjemu;
using namespace tjemu::drv;

// ---- streams ---------------------------------------------------------------------------------

TJEMU_API CUresult cuStreamCreate(CUstream* phStream, unsigned int Flags) {
    if (!phStream) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (Flags != CU_STREAM_DEFAULT && Flags != CU_STREAM_NON_BLOCKING) return CUDA_ERROR_INVALID_VALUE;
    CUstream st = new CUstream_st{};
    st->flags = Flags;
    s.streams.insert(st);
    *phStream = st;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuStreamDestroy(CUstream hStream) {
    State& s = state();
    Lock l(s.lock);
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!s.streams.count(hStream)) return bad_handle("cuStreamDestroy: " + hex((uintptr_t)hStream) + " is not a live stream");
    if (hStream->capture) {
        // Destroying a capturing stream ends nothing cleanly; the strict reading: refuse.
        set_detail(CUDA_ERROR_ILLEGAL_STATE, "cuStreamDestroy of a stream that is capturing");
        return CUDA_ERROR_ILLEGAL_STATE;
    }
    // "returns immediately; resources are released once the device has completed all work in hStream"
    s.streams.erase(hStream);
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuStreamSynchronize(CUstream hStream) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    CUstream st = resolve_stream(hStream);
    if (!st) return bad_handle("cuStreamSynchronize: " + hex((uintptr_t)hStream) + " is not a live stream");
    if (st->capture) {
        st->capture_invalidated = true;
        st->invalidated_by = "cuStreamSynchronize";
        std::string m = "cuStreamSynchronize on a capturing stream (it invalidates the capture)";
        report(m);
        set_detail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, m);
        return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    }
    if (st == &s.legacy && (r = capture_forbids("cuStreamSynchronize(legacy stream)")) != CUDA_SUCCESS) return r;
    // The legacy stream waits for every blocking stream; the global FIFO order makes that its last op.
    return sync_to(l, st == &s.legacy ? last_queued() : st->last_seq);
}

TJEMU_API CUresult cuStreamQuery(CUstream hStream) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    CUstream st = resolve_stream(hStream);
    if (!st) return bad_handle("cuStreamQuery: not a live stream");
    if (st->capture) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    // A query lets the device make progress (a host spinning on it must not wait forever).
    return sync_to(l, st->last_seq);
}

TJEMU_API CUresult cuStreamWaitEvent(CUstream hStream, CUevent hEvent, unsigned int Flags) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    CUstream st = resolve_stream(hStream);
    if (!st) return bad_handle("cuStreamWaitEvent: not a live stream");
    if (!s.events.count(hEvent)) return bad_handle("cuStreamWaitEvent: not a live event");
    if (Flags != CU_EVENT_WAIT_DEFAULT && Flags != CU_EVENT_WAIT_EXTERNAL) return CUDA_ERROR_INVALID_VALUE;
    if (st->capture && !hEvent->recorded_in_capture && hEvent->record_seq != 0) {
        set_detail(CUDA_ERROR_STREAM_CAPTURE_ISOLATION, "a capturing stream waits for an event recorded outside the capture");
        return CUDA_ERROR_STREAM_CAPTURE_ISOLATION;
    }
    if (!st->capture && hEvent->recorded_in_capture) {
        set_detail(CUDA_ERROR_NOT_SUPPORTED, "joining a capture from another stream (multi-stream capture) is not emulated");
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    // Work runs in the order it was queued, so the recorded work already precedes anything queued now.
    return CUDA_SUCCESS;
}

// ---- events ----------------------------------------------------------------------------------

TJEMU_API CUresult cuEventCreate(CUevent* phEvent, unsigned int Flags) {
    if (!phEvent) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    const unsigned known = CU_EVENT_BLOCKING_SYNC | CU_EVENT_DISABLE_TIMING | CU_EVENT_INTERPROCESS;
    if (Flags & ~known) return CUDA_ERROR_INVALID_VALUE;
    if ((Flags & CU_EVENT_INTERPROCESS) && !(Flags & CU_EVENT_DISABLE_TIMING)) return CUDA_ERROR_INVALID_VALUE;
    CUevent e = new CUevent_st{};
    e->id = s.next_event_id++;
    e->flags = Flags;
    s.events.insert(e);
    *phEvent = e;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuEventDestroy(CUevent hEvent) {
    State& s = state();
    Lock l(s.lock);
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!s.events.count(hEvent)) return bad_handle("cuEventDestroy: not a live event");
    s.events.erase(hEvent);  // a pending record finds it gone and writes nothing
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuEventRecord(CUevent hEvent, CUstream hStream) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (!s.events.count(hEvent)) return bad_handle("cuEventRecord: not a live event");
    CUstream st = resolve_stream(hStream);
    if (!st) return bad_handle("cuEventRecord: not a live stream");
    if (st->capture) {
        // Inside a capture a record only marks a point for dependencies within the capture.
        hEvent->recorded_in_capture = true;
        hEvent->record_seq = 0;
        hEvent->has_time = false;
        return st->capture_invalidated ? CUDA_ERROR_STREAM_CAPTURE_INVALIDATED : CUDA_SUCCESS;
    }
    CUevent e = hEvent;
    const uint64_t id = e->id;
    Work w{"cuEventRecord", {}, [e, id] {
               State& st2 = state();
               Lock l2(st2.lock);
               if (st2.events.count(e) && e->id == id) {
                   e->has_time = true;
                   e->time_ms = now_ms();
               }
           }};
    r = queue_work(st, std::move(w), nullptr);
    if (r != CUDA_SUCCESS) return r;
    e->recorded_in_capture = false;
    e->record_seq = st->last_seq;
    e->has_time = false;
    return CUDA_SUCCESS;
}

static CUresult event_progress(Lock& l, CUevent e) {
    if (e->recorded_in_capture) {
        set_detail(CUDA_ERROR_CAPTURED_EVENT, "the event was last recorded in a capturing stream");
        return CUDA_ERROR_CAPTURED_EVENT;
    }
    if (e->record_seq == 0) return CUDA_SUCCESS;  // never recorded: nothing to wait for
    return sync_to(l, e->record_seq);
}

TJEMU_API CUresult cuEventSynchronize(CUevent hEvent) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (!s.events.count(hEvent)) return bad_handle("cuEventSynchronize: not a live event");
    return event_progress(l, hEvent);
}

TJEMU_API CUresult cuEventQuery(CUevent hEvent) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (!s.events.count(hEvent)) return bad_handle("cuEventQuery: not a live event");
    return event_progress(l, hEvent);  // lets the device reach the event (see cuStreamQuery)
}

static CUresult elapsed(float* pMilliseconds, CUevent hStart, CUevent hEnd) {
    if (!pMilliseconds) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (!s.events.count(hStart) || !s.events.count(hEnd)) return bad_handle("cuEventElapsedTime: not a live event");
    for (CUevent e : {hStart, hEnd}) {
        if (e->flags & CU_EVENT_DISABLE_TIMING) return bad_handle("cuEventElapsedTime: an event was created with CU_EVENT_DISABLE_TIMING");
        if (e->recorded_in_capture) return CUDA_ERROR_CAPTURED_EVENT;
        if (e->record_seq == 0) return bad_handle("cuEventElapsedTime: an event was never recorded");
        if (s.done_seq < e->record_seq || !e->has_time) {
            set_detail(CUDA_ERROR_NOT_READY, "cuEventElapsedTime: an event has not completed yet (synchronize on it first)");
            return CUDA_ERROR_NOT_READY;
        }
    }
    *pMilliseconds = (float)(hEnd->time_ms - hStart->time_ms);
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuEventElapsedTime(float* pMilliseconds, CUevent hStart, CUevent hEnd) {  // cuEventElapsedTime_v2
    return elapsed(pMilliseconds, hStart, hEnd);
}

#undef cuEventElapsedTime
/** The pre-12.8 entry point, still exported by CUDA 13 drivers. */
TJEMU_API CUresult cuEventElapsedTime(float* pMilliseconds, CUevent hStart, CUevent hEnd) {
    return elapsed(pMilliseconds, hStart, hEnd);
}

// ---- stream capture and graphs ---------------------------------------------------------------

TJEMU_API CUresult cuStreamBeginCapture(CUstream hStream, CUstreamCaptureMode mode) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    CUstream st = resolve_stream(hStream);
    if (!st) return bad_handle("cuStreamBeginCapture: not a live stream");
    if (st == &s.legacy) {
        set_detail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "the legacy (NULL) stream cannot be captured");
        return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    }
    if (mode != CU_STREAM_CAPTURE_MODE_GLOBAL && mode != CU_STREAM_CAPTURE_MODE_THREAD_LOCAL &&
        mode != CU_STREAM_CAPTURE_MODE_RELAXED) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (st->capture) {
        set_detail(CUDA_ERROR_ILLEGAL_STATE, "the stream is already capturing");
        return CUDA_ERROR_ILLEGAL_STATE;
    }
    st->capture = new CUgraph_st{};
    st->capture_mode = mode;
    st->capture_thread = std::this_thread::get_id();
    st->capture_invalidated = false;
    st->invalidated_by.clear();
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuStreamEndCapture(CUstream hStream, CUgraph* phGraph) {
    if (!phGraph) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    if (!s.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    CUstream st = resolve_stream(hStream);
    if (!st) return bad_handle("cuStreamEndCapture: not a live stream");
    if (!st->capture) {
        set_detail(CUDA_ERROR_ILLEGAL_STATE, "the stream is not capturing");
        return CUDA_ERROR_ILLEGAL_STATE;
    }
    if (st->capture_mode != CU_STREAM_CAPTURE_MODE_RELAXED && st->capture_thread != std::this_thread::get_id()) {
        return CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD;
    }
    CUgraph g = st->capture;
    st->capture = nullptr;
    if (st->capture_invalidated) {
        delete g;
        *phGraph = nullptr;
        set_detail(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "the capture was invalidated by " + st->invalidated_by);
        return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
    }
    s.graphs.insert(g);
    *phGraph = g;
    trace("cuStreamEndCapture: " + std::to_string(g->nodes.size()) + " nodes");
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuStreamIsCapturing(CUstream hStream, CUstreamCaptureStatus* captureStatus) {
    if (!captureStatus) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    CUstream st = resolve_stream(hStream);
    if (!st) return bad_handle("cuStreamIsCapturing: not a live stream");
    *captureStatus = !st->capture ? CU_STREAM_CAPTURE_STATUS_NONE
                   : st->capture_invalidated ? CU_STREAM_CAPTURE_STATUS_INVALIDATED : CU_STREAM_CAPTURE_STATUS_ACTIVE;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuGraphInstantiateWithFlags(CUgraphExec* phGraphExec, CUgraph hGraph, unsigned long long flags) {
    if (!phGraphExec) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (!s.graphs.count(hGraph)) return bad_handle("cuGraphInstantiateWithFlags: not a live graph");
    const unsigned long long known = CUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH | CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD |
                                     CUDA_GRAPH_INSTANTIATE_FLAG_DEVICE_LAUNCH | CUDA_GRAPH_INSTANTIATE_FLAG_USE_NODE_PRIORITY;
    if (flags & ~known) return CUDA_ERROR_INVALID_VALUE;
    CUgraphExec e = new CUgraphExec_st{hGraph->nodes};  // the exec is independent of the graph from now on
    s.execs.insert(e);
    *phGraphExec = e;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuGraphLaunch(CUgraphExec hGraphExec, CUstream hStream) {
    State& s = state();
    Lock l(s.lock);
    CUresult r = ready();
    if (r != CUDA_SUCCESS) return r;
    if (!s.execs.count(hGraphExec)) return bad_handle("cuGraphLaunch: not a live executable graph");
    CUstream st = resolve_stream(hStream);
    if (!st) return bad_handle("cuGraphLaunch: not a live stream");
    if (st->capture) {
        set_detail(CUDA_ERROR_NOT_SUPPORTED, "capturing a graph launch (child graphs) is not emulated");
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    for (const Work& node : hGraphExec->nodes) {
        std::string problem;
        Work copy = node;
        copy.what = "graph node " + node.what;
        if ((r = queue_work(st, std::move(copy), &problem)) != CUDA_SUCCESS) {
            report("cuGraphLaunch: " + problem);
            set_detail(r, problem);
            return r;
        }
    }
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuGraphExecDestroy(CUgraphExec hGraphExec) {
    State& s = state();
    Lock l(s.lock);
    if (!s.execs.count(hGraphExec)) return bad_handle("cuGraphExecDestroy: not a live executable graph");
    s.execs.erase(hGraphExec);  // queued launches hold copies of the nodes
    delete hGraphExec;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuGraphDestroy(CUgraph hGraph) {
    State& s = state();
    Lock l(s.lock);
    if (!s.graphs.count(hGraph)) return bad_handle("cuGraphDestroy: not a live graph");
    s.graphs.erase(hGraph);
    delete hGraph;
    return CUDA_SUCCESS;
}

TJEMU_API CUresult cuGraphGetNodes(CUgraph hGraph, CUgraphNode* nodes, size_t* numNodes) {
    if (!numNodes) return CUDA_ERROR_INVALID_VALUE;
    State& s = state();
    Lock l(s.lock);
    if (!s.graphs.count(hGraph)) return bad_handle("cuGraphGetNodes: not a live graph");
    if (nodes) return CUDA_ERROR_NOT_SUPPORTED;  // only the count is emulated
    *numNodes = hGraph->nodes.size();
    return CUDA_SUCCESS;
}
