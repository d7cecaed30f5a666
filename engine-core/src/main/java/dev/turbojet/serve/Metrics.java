package dev.turbojet.serve;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The server's counters in Prometheus' text exposition format (version 0.0.4): requests by route and
 * status, the queue's depth, a histogram of generation latency (from the worker taking a job to its
 * images), images generated.
 */
final class Metrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Upper bounds of the latency buckets, seconds: 1-step 64² on a CPU up to many-step 1024² ones. */
    static final double[] BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

    private final Map<String, LongAdder> requests = new ConcurrentSkipListMap<>();
    private final LongAdder[] bucketCounts = new LongAdder[BUCKETS.length];
    private final LongAdder latencyCount = new LongAdder();
    private final AtomicLong latencySumNanos = new AtomicLong();
    private final LongAdder images = new LongAdder();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
    private final IntSupplier queueDepth;

    Metrics(IntSupplier queueDepth) {
        this.queueDepth = queueDepth;
        for (int i = 0; i < BUCKETS.length; i++) bucketCounts[i] = new LongAdder();
    }

    void request(String route, int status) {
        requests.computeIfAbsent(labels("route", route, "status", Integer.toString(status)), k -> new LongAdder()).increment();
    }

    void generation(long nanos, int imageCount) {
        double seconds = nanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) bucketCounts[i].increment();
        latencyCount.increment();
        latencySumNanos.addAndGet(nanos);
        images.add(imageCount);
    }

    void refused(GenerationQueue.Refusal why) {
        refused.computeIfAbsent(why.name().toLowerCase(Locale.ROOT), k -> new LongAdder()).increment();
    }

    /** Mean generation latency so far, seconds (0 before the first). */
    double meanLatencySeconds() {
        long n = latencyCount.sum();
        return n == 0 ? 0 : latencySumNanos.get() / 1e9 / n;
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append("# HELP turbojet_http_requests_total HTTP requests answered, by route and status.\n");
        out.append("# TYPE turbojet_http_requests_total counter\n");
        requests.forEach((labels, n) -> out.append("turbojet_http_requests_total").append(labels).append(' ').append(n.sum()).append('\n'));
        out.append("# HELP turbojet_queue_depth Generation jobs waiting for the engine (not counting the one running).\n");
        out.append("# TYPE turbojet_queue_depth gauge\n");
        out.append("turbojet_queue_depth ").append(queueDepth.getAsInt()).append('\n');
        out.append("# HELP turbojet_generation_seconds Time from the engine taking a job to its images.\n");
        out.append("# TYPE turbojet_generation_seconds histogram\n");
        for (int i = 0; i < BUCKETS.length; i++) {
            out.append("turbojet_generation_seconds_bucket{le=\"").append(number(BUCKETS[i])).append("\"} ")
                    .append(bucketCounts[i].sum()).append('\n');
        }
        long count = latencyCount.sum();
        out.append("turbojet_generation_seconds_bucket{le=\"+Inf\"} ").append(count).append('\n');
        out.append("turbojet_generation_seconds_sum ").append(number(latencySumNanos.get() / 1e9)).append('\n');
        out.append("turbojet_generation_seconds_count ").append(count).append('\n');
        out.append("# HELP turbojet_images_generated_total Images the engine made.\n");
        out.append("# TYPE turbojet_images_generated_total counter\n");
        out.append("turbojet_images_generated_total ").append(images.sum()).append('\n');
        out.append("# HELP turbojet_jobs_refused_total Jobs that ended without images: queue full, superseded, cancelled, shutting down.\n");
        out.append("# TYPE turbojet_jobs_refused_total counter\n");
        for (GenerationQueue.Refusal r : GenerationQueue.Refusal.values()) {
            String name = r.name().toLowerCase(Locale.ROOT);
            LongAdder n = refused.get(name);
            out.append("turbojet_jobs_refused_total").append(labels("reason", name)).append(' ').append(n == null ? 0 : n.sum()).append('\n');
        }
        return out.toString();
    }

    private static String labels(String... kv) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) b.append(',');
            b.append(kv[i]).append("=\"").append(kv[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return b.append('}').toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) + ".0" : Double.toString(v);
    }
}
