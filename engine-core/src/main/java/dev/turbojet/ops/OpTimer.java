package dev.turbojet.ops;

/**
 * Times the ops {@link ProfilingOps} issues: {@link #begin} just before an op, {@link #end} just
 * after, {@link #drain} once the pass is over. On the CPU ops run synchronously and the wall clock
 * is the measure ({@link #wallClock}); on a GPU the backend records events on its stream around each
 * op and reads their elapsed times at the drain ({@link Ops#timer()}).
 */
public interface OpTimer {
    void begin();

    void end();

    /** Milliseconds of every begin/end pair since the previous drain, in order (waits for pending device work). */
    double[] drain();

    /** System.nanoTime around each call: right for backends that finish an op before returning. */
    static OpTimer wallClock() {
        return new OpTimer() {
            private long started;
            private double[] ms = new double[256];
            private int n;

            @Override
            public void begin() {
                started = System.nanoTime();
            }

            @Override
            public void end() {
                if (n == ms.length) ms = java.util.Arrays.copyOf(ms, 2 * n);
                ms[n++] = (System.nanoTime() - started) / 1e6;
            }

            @Override
            public double[] drain() {
                double[] out = java.util.Arrays.copyOf(ms, n);
                n = 0;
                return out;
            }
        };
    }
}
