package dev.turbojet.serve;

import dev.turbojet.pipeline.GeneratedImage;
import dev.turbojet.pipeline.GenerationRequest;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's single consumer: one worker thread takes jobs from a bounded queue and runs them one
 * at a time; request threads only submit and wait on a job's future. A job submitted for a slot (one
 * client of the real-time page) replaces that slot's job still waiting in the queue, which then ends
 * {@link Refusal#SUPERSEDED}: the newest request wins and stale work is dropped, not queued.
 * Cancelling a job removes it from the queue, or stops it after its current step when it runs.
 */
final class GenerationQueue {
    /** Why a job ended without images. */
    enum Refusal { QUEUE_FULL, SUPERSEDED, CANCELLED, SHUTTING_DOWN }

    /** A job that ended without images, for {@code refusal}. */
    static final class RefusedException extends RuntimeException {
        final Refusal refusal;

        RefusedException(Refusal refusal, String message) {
            super(message, null, false, false);
            this.refusal = refusal;
        }
    }

    /** One or more requests run back to back on the worker; their images in order. */
    final class Job {
        final List<GenerationRequest> requests;
        final Optional<String> slot;
        final CompletableFuture<List<GeneratedImage>> result = new CompletableFuture<>();
        private volatile boolean cancelled;

        private Job(List<GenerationRequest> requests, Optional<String> slot) {
            this.requests = List.copyOf(requests);
            this.slot = slot;
        }

        /** Drops the job if it still waits, stops it after its current step if it runs; idempotent. */
        void cancel() {
            cancelled = true;
            boolean removed;
            lock.lock();
            try {
                removed = queue.remove(this);
                if (removed) forgetSlot(this);
            } finally {
                lock.unlock();
            }
            if (removed) refuse(this, Refusal.CANCELLED, "cancelled before it ran");
        }
    }

    /** Hears of each job the worker ran: how long it took, how many images it gave (0 when it failed or was cancelled). */
    @FunctionalInterface
    interface Observer {
        void ran(long nanos, int images);
    }

    private final int capacity;
    private final Observer onFinished;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final Map<String, Job> queuedBySlot = new HashMap<>();
    private final Thread worker;
    private volatile Engine engine;
    private Job running;
    private boolean accepting = true;

    /**
     * @param capacity   jobs that may wait (not counting the one running)
     * @param onFinished called on the worker after each job that ran, images or not (metrics)
     */
    GenerationQueue(int capacity, Observer onFinished) {
        if (capacity < 1) throw new IllegalArgumentException("queue capacity must be at least 1, got " + capacity);
        this.capacity = capacity;
        this.onFinished = onFinished;
        this.worker = Thread.ofPlatform().name("turbojet-generate").daemon(true).unstarted(this::work);
    }

    /** Starts the worker on {@code engine}: from now on jobs run. */
    void start(Engine engine) {
        this.engine = engine;
        worker.start();
    }

    boolean started() {
        return engine != null;
    }

    /**
     * Queues {@code requests} as one job; with a slot, replaces the job of that slot still waiting.
     *
     * @throws RefusedException {@link Refusal#QUEUE_FULL} or {@link Refusal#SHUTTING_DOWN}
     */
    Job submit(List<GenerationRequest> requests, Optional<String> slot) {
        Job job = new Job(requests, slot);
        Job replaced = null;
        lock.lock();
        try {
            if (!accepting) throw new RefusedException(Refusal.SHUTTING_DOWN, "the server is shutting down");
            if (slot.isPresent()) replaced = queuedBySlot.get(slot.get());
            if (replaced != null) {
                queue.remove(replaced);
            } else if (queue.size() >= capacity) {
                throw new RefusedException(Refusal.QUEUE_FULL, "the queue is full (" + capacity + " waiting)");
            }
            queue.addLast(job);
            slot.ifPresent(s -> queuedBySlot.put(s, job));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (replaced != null) refuse(replaced, Refusal.SUPERSEDED, "superseded by a newer request from the same client");
        return job;
    }

    /** Jobs waiting, not counting the one running. */
    int depth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting jobs, lets the queued and running ones finish for up to {@code grace}, then
     * refuses those still waiting ({@link Refusal#SHUTTING_DOWN}) and stops the running one after its
     * step. Returns once the worker has stopped (or, if it is stuck in a step, after {@code grace} more).
     */
    void shutdown(Duration grace) throws InterruptedException {
        List<Job> left;
        lock.lock();
        try {
            accepting = false;
            changed.signalAll();
            long deadline = System.nanoTime() + grace.toNanos();
            while (started() && (!queue.isEmpty() || running != null)) {
                long wait = deadline - System.nanoTime();
                if (wait <= 0) break;
                changed.awaitNanos(wait);
            }
            left = new ArrayList<>(queue);
            queue.clear();
            queuedBySlot.clear();
            if (running != null) {
                running.cancelled = true;                              // stops after its step; its answer goes now
                left.add(running);
            }
        } finally {
            lock.unlock();
        }
        for (Job j : left) refuse(j, Refusal.SHUTTING_DOWN, "the server shut down before this request finished");
        if (started()) worker.join(grace.toMillis() + 1);
    }

    private void work() {
        while (true) {
            Job job;
            lock.lock();
            try {
                while (queue.isEmpty() && accepting) changed.awaitUninterruptibly();
                job = queue.pollFirst();
                if (job == null) return;                               // not accepting and drained
                forgetSlot(job);
                running = job;
            } finally {
                lock.unlock();
            }
            try {
                if (!job.cancelled) run(job);
                else refuse(job, Refusal.CANCELLED, "cancelled before it ran");
            } finally {
                lock.lock();
                try {
                    running = null;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void run(Job job) {
        long start = System.nanoTime();
        int made = 0;
        try {
            List<GeneratedImage> images = new ArrayList<>();
            for (GenerationRequest r : job.requests) {
                // the listener stops a cancelled job after its current step
                images.addAll(engine.generate(r.toBuilder().listener(step -> {
                    r.listener().onStep(step);
                    if (job.cancelled) throw new CancellationException("cancelled");
                }).build()));
            }
            made = images.size();
            job.result.complete(images);
        } catch (CancellationException e) {
            refuse(job, Refusal.CANCELLED, "cancelled while it ran");
        } catch (RuntimeException | OutOfMemoryError e) {
            job.result.completeExceptionally(e);
        }
        onFinished.ran(System.nanoTime() - start, made);
    }

    private void forgetSlot(Job job) {
        job.slot.ifPresent(s -> queuedBySlot.remove(s, job));
    }

    private static void refuse(Job job, Refusal why, String message) {
        job.result.completeExceptionally(new RefusedException(why, message));
    }

    /** Waits for {@code job}'s images up to {@code timeout}; cancels it when the wait ends otherwise. */
    static List<GeneratedImage> await(Job job, Duration timeout) throws InterruptedException, java.util.concurrent.TimeoutException {
        try {
            return job.result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException | InterruptedException e) {
            job.cancel();
            throw e;
        }
    }
}
