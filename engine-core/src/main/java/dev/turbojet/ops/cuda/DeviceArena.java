package dev.turbojet.ops.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Bookkeeping of the activation arena: a bump allocator over one device allocation
 * {@code [base, base + capacity)}. It never touches the device itself (so it is tested without one).
 *
 * <p>A pass ({@link #beginPass} .. {@link #endPass}) rewinds the arena to where it began when it ends,
 * so one forward's temporaries cost nothing to free; tensors allocated in the pass become stale, and
 * using one afterwards is an error rather than a read of reused memory. Allocations outside a pass
 * stay until {@link #reset}. Every allocation is {@value #ALIGNMENT}-byte aligned (cuDNN and
 * cuBLASLt want 16, bias pointers included) and, for the same sequence of requests, lands at the same
 * address: the pass summary's {@code signature} lets a later CUDA-graph capture per (batch, H, W)
 * confirm that a replayed pass allocates exactly what the captured one did.
 */
final class DeviceArena {
    static final int ALIGNMENT = 256;

    /** One allocation: its address and size, and the pass and reset generation it belongs to. */
    record Slot(long address, long bytes, long pass, long generation) {}

    private final long base;
    private final long capacity;
    private long top;
    private long peak;
    private long generation;
    private long passCount;
    private long openPass = -1;
    private long passStart;
    private final List<Long> requests = new ArrayList<>();

    DeviceArena(long base, long capacity) {
        if (capacity <= 0 || Long.remainderUnsigned(base, ALIGNMENT) != 0) {
            throw new IllegalArgumentException("arena needs a positive capacity and a " + ALIGNMENT + "-byte aligned base, got "
                    + capacity + " bytes at 0x" + Long.toHexString(base));
        }
        this.base = base;
        this.capacity = capacity;
    }

    /** Reserves {@code bytes} (rounded up to the alignment) for {@code what} (the op, for the error message). */
    Slot allocate(long bytes, String what) {
        if (bytes < 0) throw new IllegalArgumentException(what + ": negative allocation " + bytes);
        long rounded = (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        if (rounded > capacity - top) {
            throw new IllegalStateException("CUDA activation arena exhausted: " + what + " requested " + bytes + " bytes ("
                    + mib(bytes) + "), " + (capacity - top) + " bytes (" + mib(capacity - top) + ") of " + capacity + " ("
                    + mib(capacity) + ") are free" + (openPass < 0
                    ? "; run each forward inside beginPass()/endPass() so its temporaries are released"
                    : "; give the backend a larger arena"));
        }
        Slot s = new Slot(base + top, bytes, openPass, generation);
        top += rounded;
        peak = Math.max(peak, top);
        if (openPass >= 0) requests.add(bytes);
        return s;
    }

    /** Whether the memory of {@code s} still belongs to it. */
    boolean isLive(Slot s) {
        return s.generation() == generation && (s.pass() < 0 || s.pass() == openPass);
    }

    void beginPass() {
        if (openPass >= 0) throw new IllegalStateException("a pass is already open: end it before beginning another");
        openPass = passCount++;
        passStart = top;
        requests.clear();
    }

    PassSummary endPass() {
        if (openPass < 0) throw new IllegalStateException("no pass is open");
        long signature = 17;
        long passPeak = 0, at = 0;
        for (long r : requests) {
            signature = signature * 31 + r;
            at += (r + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
            passPeak = Math.max(passPeak, at);
        }
        PassSummary summary = new PassSummary(requests.size(), passPeak, signature);
        top = passStart;
        openPass = -1;
        requests.clear();
        return summary;
    }

    /** Releases everything, inside or outside passes; every earlier slot goes stale. */
    void reset() {
        if (openPass >= 0) throw new IllegalStateException("cannot reset the arena during a pass");
        top = 0;
        generation++;
    }

    boolean inPass() {
        return openPass >= 0;
    }

    long base() {
        return base;
    }

    long capacity() {
        return capacity;
    }

    long used() {
        return top;
    }

    long peak() {
        return peak;
    }

    long available() {
        return capacity - top;
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
