package dev.turbojet.serve;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link TurbojetServer} listens and what it accepts.
 *
 * @param host           the address to bind: 127.0.0.1 unless told otherwise (0.0.0.0 for every interface)
 * @param port           the port, 0 for an ephemeral one
 * @param apiKey         when present, every route but /health and the page needs "Authorization: Bearer KEY"
 * @param queueCapacity  generation jobs that may wait behind the running one; more get 503 with Retry-After
 * @param timeout        how long a request waits for its images, queueing included; then 504
 * @param maxRequestBytes the largest request body accepted (413 above it)
 * @param shutdownGrace  on close, how long queued and running work may take to finish before it is refused
 */
public record ServeOptions(String host, int port, Optional<String> apiKey, int queueCapacity, Duration timeout,
                           long maxRequestBytes, Duration shutdownGrace) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7860;
    public static final int DEFAULT_QUEUE = 16;
    public static final int DEFAULT_TIMEOUT_SECONDS = 300;
    public static final int DEFAULT_MAX_REQUEST_MIB = 32;
    public static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;

    public ServeOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(apiKey, "apiKey");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        if (apiKey.isPresent() && apiKey.get().isBlank()) throw new IllegalArgumentException("the API key must not be blank");
        if (queueCapacity < 1) throw new IllegalArgumentException("the queue must hold at least 1 job, got " + queueCapacity);
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("the request timeout must be positive, got " + timeout);
        if (maxRequestBytes < 1024) throw new IllegalArgumentException("the request size limit must be at least 1 KiB, got " + maxRequestBytes);
        if (shutdownGrace.isNegative()) throw new IllegalArgumentException("the shutdown grace must not be negative, got " + shutdownGrace);
    }

    public static ServeOptions defaults() {
        return new ServeOptions(DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), DEFAULT_QUEUE,
                Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS), (long) DEFAULT_MAX_REQUEST_MIB << 20,
                Duration.ofSeconds(DEFAULT_SHUTDOWN_GRACE_SECONDS));
    }

    public ServeOptions withAddress(String host, int port) {
        return new ServeOptions(host, port, apiKey, queueCapacity, timeout, maxRequestBytes, shutdownGrace);
    }

    public ServeOptions withApiKey(Optional<String> key) {
        return new ServeOptions(host, port, key, queueCapacity, timeout, maxRequestBytes, shutdownGrace);
    }

    public ServeOptions withQueueCapacity(int jobs) {
        return new ServeOptions(host, port, apiKey, jobs, timeout, maxRequestBytes, shutdownGrace);
    }

    public ServeOptions withTimeout(Duration t) {
        return new ServeOptions(host, port, apiKey, queueCapacity, t, maxRequestBytes, shutdownGrace);
    }

    public ServeOptions withMaxRequestBytes(long bytes) {
        return new ServeOptions(host, port, apiKey, queueCapacity, timeout, bytes, shutdownGrace);
    }

    public ServeOptions withShutdownGrace(Duration grace) {
        return new ServeOptions(host, port, apiKey, queueCapacity, timeout, maxRequestBytes, grace);
    }
}
