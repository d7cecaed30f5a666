package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.cuda.CudaStreams;
import dev.turbojet.ffi.cuda.Event;
import dev.turbojet.ffi.cuda.Stream;
import dev.turbojet.ops.OpTimer;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@link OpTimer} of CUDA events: a timing event recorded on the stream at each begin and end, and
 * at the drain, once the last one has completed, the milliseconds between each pair. Events are
 * created per op and destroyed at the drain (a profile run, not the hot path).
 */
final class CudaEventTimer implements OpTimer {
    private final Stream stream;
    private final List<Event> events = new ArrayList<>();

    CudaEventTimer(Stream stream) {
        this.stream = stream;
    }

    @Override
    public void begin() {
        mark();
    }

    @Override
    public void end() {
        mark();
    }

    private void mark() {
        Event e = CudaStreams.createEvent(true);
        events.add(e);
        CudaStreams.record(e, stream);
    }

    @Override
    public double[] drain() {
        if (events.size() % 2 != 0) throw new IllegalStateException("drain between an op's begin and end");
        double[] ms = new double[events.size() / 2];
        if (!events.isEmpty()) CudaStreams.synchronize(events.getLast());
        for (int i = 0; i < ms.length; i++) ms[i] = CudaStreams.elapsedMillis(events.get(2 * i), events.get(2 * i + 1));
        events.forEach(CudaStreams::destroy);
        events.clear();
        return ms;
    }
}
