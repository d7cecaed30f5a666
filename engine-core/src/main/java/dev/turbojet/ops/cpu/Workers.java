package dev.turbojet.ops.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * A fixed set of worker threads (a {@link ForkJoinPool} of daemon threads) that runs index ranges
 * in parallel. Calls made from inside a running range do not nest: they run on the calling thread.
 */
final class Workers {
    /** The body of a parallel loop: handles indices [start, end). */
    @FunctionalInterface
    interface Range {
        void run(int start, int end);
    }

    /**
     * The least work worth a task of its own, in elements touched (about 10 us of streaming): smaller
     * ops run on the calling thread, since forking and joining costs microseconds per task.
     */
    static final int MIN_ELEMENTS = 1 << 15;

    private final int threads;
    private final ForkJoinPool pool;
    private volatile boolean closed;

    Workers(int threads) {
        if (threads < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over [0, n) split into contiguous chunks of at least {@code grain} indices
     * (about four chunks per thread, for balance).
     */
    void forRange(int n, int grain, Range body) {
        if (n <= 0) return;
        int chunks = Math.min(threads * 4, Math.max(1, n / Math.max(1, grain)));
        if (pool == null || chunks == 1 || closed || insidePool()) {
            body.run(0, n);
            return;
        }
        List<RecursiveAction> tasks = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int start = (int) ((long) n * c / chunks);
            int end = (int) ((long) n * (c + 1) / chunks);
            tasks.add(new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(start, end);
                }
            });
        }
        pool.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                invokeAll(tasks);
            }
        });
    }

    /** Stops the worker threads once their tasks are done; later calls run on the calling thread. */
    void close() {
        closed = true;
        if (pool == null) return;
        pool.shutdown();
        try {
            pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean insidePool() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == pool;
    }

    /** Runs {@code body} once per index in [0, n), in parallel. */
    void forEach(int n, java.util.function.IntConsumer body) {
        forRange(n, 1, (s, e) -> {
            for (int i = s; i < e; i++) body.accept(i);
        });
    }
}
