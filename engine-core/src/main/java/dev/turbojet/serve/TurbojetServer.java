package dev.turbojet.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turbojet.image.PngWriter;
import dev.turbojet.pipeline.GeneratedImage;
import dev.turbojet.pipeline.GenerationRequest;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@code turbojet serve}: listens at once (GET /health answers 503 until {@link #ready}), then serves
 * OpenAI's Images API, AUTOMATIC1111's txt2img / img2img, the real-time page and its endpoint, and
 * Prometheus metrics, in front of one {@link GenerationQueue}. Request threads (virtual) parse,
 * queue and wait on a future with the request timeout; only the queue's worker touches the engine.
 * A request whose client goes away is cancelled. {@link #close} is graceful: no new work, queued and
 * running work finishes within the grace period or is refused, then the HTTP server stops.
 */
public final class TurbojetServer implements AutoCloseable {
    static final String HEALTH = "/health";
    static final String METRICS = "/metrics";
    static final String PAGE = "/";
    static final String REALTIME = "/realtime";
    private static final Set<String> ROUTES = Set.of(HEALTH, METRICS, PAGE, REALTIME, OpenAiImages.ROUTE,
            Automatic1111.TXT2IMG, Automatic1111.IMG2IMG, Automatic1111.MODELS, Automatic1111.OPTIONS);
    private static final int MAX_CLIENT_ID = 128;

    private final ServeOptions options;
    private final Consumer<String> log;
    private final GenerationQueue queue;
    private final Metrics metrics;
    private final byte[] page;
    private final Javalin app;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile String modelName = "";

    private TurbojetServer(ServeOptions options, Consumer<String> log) {
        this.options = options;
        this.log = log;
        this.metrics = new Metrics(this::queueDepth);
        this.queue = new GenerationQueue(options.queueCapacity(), metrics::generation);
        this.page = resource("index.html");
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = options.maxRequestBytes();
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            // stopping waits for the answers still being written (Javalin's StatisticsHandler makes it graceful)
            config.jetty.modifyServer(server -> server.setStopTimeout(10_000));
            config.requestLogger.http((ctx, ms) -> metrics.request(ROUTES.contains(ctx.path()) ? ctx.path() : "other", ctx.statusCode()));
            config.routes.before(this::authorize);
            config.routes.get(HEALTH, this::health);
            config.routes.get(METRICS, ctx -> ctx.contentType(Metrics.CONTENT_TYPE).result(metrics.render()));
            config.routes.get(PAGE, ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
            config.routes.post(OpenAiImages.ROUTE, this::openAi);
            config.routes.post(Automatic1111.TXT2IMG, ctx -> automatic1111(ctx, false));
            config.routes.post(Automatic1111.IMG2IMG, ctx -> automatic1111(ctx, true));
            config.routes.get(Automatic1111.MODELS, ctx -> json(ctx, 200, Automatic1111.models(requireModel())));
            config.routes.get(Automatic1111.OPTIONS, ctx -> json(ctx, 200, Automatic1111.options(requireModel())));
            config.routes.post(REALTIME, this::realtime);
            config.routes.exception(ApiError.class, (e, ctx) -> answer(ctx, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> answer(ctx, new ApiError(e.getStatus(),
                    e.getStatus() < 500 ? ApiError.INVALID_REQUEST : "server_error", Optional.empty(),
                    e.getStatus() == 413 ? "the request body is over the " + options.maxRequestBytes() + "-byte limit" : e.getMessage(),
                    java.util.OptionalInt.empty())));
            config.routes.exception(Exception.class, this::fault);
        });
    }

    /** Starts listening; generation routes answer 503 until {@link #ready}. */
    public static TurbojetServer start(ServeOptions options, Consumer<String> log) {
        TurbojetServer server = new TurbojetServer(options, log);
        server.app.start();
        return server;
    }

    /** The port listened on (the ephemeral one chosen for port 0). */
    public int port() {
        return app.port();
    }

    /** Starts generating with {@code engine}; images and /sdapi/v1/sd-models name the model {@code modelName}. */
    public void ready(String modelName, Engine engine) {
        this.modelName = modelName;
        queue.start(engine);
    }

    /**
     * Graceful stop: /health and new generations answer 503, queued and running work has the grace
     * period to finish (what is left is refused with 503), then the HTTP server stops. Idempotent.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitClosed();
            return;
        }
        try {
            queue.shutdown(options.shutdownGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            app.stop();
            closed.countDown();
        }
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitClosed() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int queueDepth() {
        return queue.depth();
    }

    // ---- routes

    private void authorize(Context ctx) {
        if (options.apiKey().isEmpty() || ctx.path().equals(HEALTH) || ctx.path().equals(PAGE)) return;
        String header = Optional.ofNullable(ctx.header("Authorization")).orElse("");
        byte[] given = header.getBytes(StandardCharsets.UTF_8);
        byte[] want = ("Bearer " + options.apiKey().get()).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, want)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiError(401, "authentication_error", Optional.empty(),
                    header.isEmpty() ? "an API key is required: send the header \"Authorization: Bearer <key>\""
                            : "wrong API key", java.util.OptionalInt.empty());
        }
    }

    private void health(Context ctx) {
        ObjectNode body = JsonFields.JSON.createObjectNode();
        String status = closing.get() ? "shutting down" : queue.started() ? "ok" : "loading";
        body.put("status", status);
        if (queue.started()) body.put("model", modelName);
        body.put("queue_depth", queue.depth());
        json(ctx, status.equals("ok") ? 200 : 503, body);
    }

    private void openAi(Context ctx) {
        GenerationRequest request = OpenAiImages.parse(JsonFields.parse(ctx.bodyAsBytes()));
        List<GeneratedImage> images = generate(ctx, List.of(request), Optional.empty());
        json(ctx, 200, OpenAiImages.response(images, Instant.now().getEpochSecond()));
    }

    private void automatic1111(Context ctx, boolean img2img) {
        Automatic1111.Parsed parsed = Automatic1111.parse(JsonFields.parse(ctx.bodyAsBytes()), img2img);
        List<GeneratedImage> images = generate(ctx, parsed.requests(), Optional.empty());
        json(ctx, 200, Automatic1111.response(parsed, images, modelName));
    }

    /**
     * The page's endpoint: {client, prompt, seed, steps, width, height} to one PNG, with the seed and
     * the generation's milliseconds in headers. A newer request from the same client replaces its
     * request still waiting, which is answered 409.
     */
    private void realtime(Context ctx) {
        JsonFields f = JsonFields.parse(ctx.bodyAsBytes());
        String client = f.requiredString("client");
        if (client.isEmpty() || client.length() > MAX_CLIENT_ID) {
            throw ApiError.invalid("client", "must be 1 to " + MAX_CLIENT_ID + " characters, got " + client.length());
        }
        GenerationRequest request = Limits.build(GenerationRequest.builder(f.string("prompt").orElse(""))
                .seed(Limits.seed("seed", f.integer("seed"), java.util.OptionalLong.empty()))
                .steps(Limits.steps(f, "steps"))
                .size(Limits.side("width", "width", f.integer("width").orElse(512)),
                        Limits.side("height", "height", f.integer("height").orElse(512))));
        GeneratedImage image = generate(ctx, List.of(request), Optional.of(client)).getFirst();
        ctx.header("X-Turbojet-Seed", Long.toString(image.seed()));
        ctx.header("X-Turbojet-Generation-Ms", Long.toString(image.timings().total().toMillis()));
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("image/png").result(PngWriter.toBytes(image.image(), image.info().toText()));
    }

    private String requireModel() {
        if (!queue.started()) throw ApiError.unavailable("the model is still loading", 5);
        return modelName;
    }

    /** Queues the job, cancels it when the client goes away, waits for its images up to the timeout. */
    private List<GeneratedImage> generate(Context ctx, List<GenerationRequest> requests, Optional<String> slot) {
        if (closing.get()) throw ApiError.unavailable("the server is shutting down", 5);
        requireModel();
        GenerationQueue.Job job;
        try {
            job = queue.submit(requests, slot);
        } catch (GenerationQueue.RefusedException e) {
            metrics.refused(e.refusal);
            throw ApiError.unavailable(e.getMessage() + "; retry later", retryAfterSeconds());
        }
        Runnable stopWatching = onClientGone(ctx, job::cancel);
        try {
            return GenerationQueue.await(job, options.timeout());
        } catch (TimeoutException e) {
            throw new ApiError(504, "timeout", Optional.empty(), "no images within the request timeout of "
                    + options.timeout().toSeconds() + " s (the job is cancelled)", java.util.OptionalInt.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("interrupted while waiting for the engine", 1);
        } catch (GenerationQueue.RefusedException e) {
            metrics.refused(e.refusal);
            throw switch (e.refusal) {
                case SUPERSEDED -> new ApiError(409, "superseded", Optional.empty(), e.getMessage(), java.util.OptionalInt.empty());
                case CANCELLED -> new ApiError(499, "cancelled", Optional.empty(), e.getMessage(), java.util.OptionalInt.empty());
                case QUEUE_FULL, SHUTTING_DOWN -> ApiError.unavailable(e.getMessage(), retryAfterSeconds());
            };
        } finally {
            stopWatching.run();
        }
    }

    /** Seconds until the queue has likely room again: its depth times the mean generation time, at least 1. */
    private int retryAfterSeconds() {
        return (int) Math.min(3600, Math.ceil((queue.depth() + 1) * Math.max(metrics.meanLatencySeconds(), 0.1)));
    }

    /**
     * Runs {@code gone} when the client closes its connection while its request waits; the returned
     * action stops watching. HTTP/1.1 gives no signal for that (Jetty does not read a connection while
     * its request is handled), so this asks the connection's end point to say when it turns readable:
     * its next read is then the end of the stream (the client went away), or bytes of a request the
     * client pipelined behind this one, which cannot be put back: the connection is then closed after
     * this answer (HTTP/1.1 clients retry what a closed connection left unanswered).
     */
    private static Runnable onClientGone(Context ctx, Runnable gone) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request == null || !(request.getConnectionMetaData().getConnection().getEndPoint() instanceof AbstractEndPoint end)) {
            return () -> { };
        }
        AtomicBoolean watching = new AtomicBoolean(true);
        Callback readable = new Callback() {
            @Override
            public void succeeded() {
                if (!watching.get()) return;
                try {
                    ByteBuffer probe = BufferUtil.allocate(256);
                    int n = end.fill(probe);
                    if (n < 0) gone.run();
                    else if (n > 0) ctx.header("Connection", "close");         // pipelined bytes: see above
                    else end.tryFillInterested(this);
                } catch (IOException e) {
                    gone.run();
                }
            }

            @Override
            public void failed(Throwable x) {
                if (watching.get()) gone.run();
            }
        };
        end.tryFillInterested(readable);
        return () -> {
            watching.set(false);
            end.getFillInterest().onFail(new CancellationException("answered"));   // the connection reads again after the answer
        };
    }

    // ---- answers

    private static void json(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status).contentType("application/json").result(JsonFields.JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An error in the shape of the route's API: A1111's under /sdapi, OpenAI's elsewhere. */
    private static void answer(Context ctx, ApiError e) {
        e.retryAfter.ifPresent(s -> ctx.header("Retry-After", Integer.toString(s)));
        String param = e.param.orElse(null);
        json(ctx, e.status, ctx.path().startsWith("/sdapi/") ? Automatic1111.error(e.getMessage(), e.type, param)
                : OpenAiImages.error(e.getMessage(), e.type, param));
    }

    /** A server fault: logged with its stack trace; the client gets a 500 naming it, without the trace. */
    private void fault(Exception e, Context ctx) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        log.accept("error: " + ctx.method() + " " + ctx.path() + " failed: " + trace);
        answer(ctx, new ApiError(500, "server_error", Optional.empty(), "internal error: " + e, java.util.OptionalInt.empty()));
    }

    private static byte[] resource(String name) {
        try (InputStream in = TurbojetServer.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource dev/turbojet/serve/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
