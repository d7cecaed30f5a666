package dev.turbojet.cli;

import dev.turbojet.ops.Ops;
import dev.turbojet.pipeline.SdxlPipeline;
import dev.turbojet.serve.ServeOptions;
import dev.turbojet.serve.TurbojetServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code turbojet serve}: loads the model once and serves it over HTTP until stopped (SIGTERM or
 * Ctrl-C: a graceful stop). Only {@link #call} names the serve package, so the command line still
 * loads where the HTTP server's classes were left out (the GPU device payload).
 */
@Command(name = "serve",
        description = {
                "Serve the model over HTTP: OpenAI and AUTOMATIC1111 APIs, a real-time page, health, metrics.",
                "The model loads once. OpenAI's Images API (POST /v1/images/generations), AUTOMATIC1111's API",
                "(POST /sdapi/v1/txt2img, /sdapi/v1/img2img; GET /sdapi/v1/sd-models), a real-time page at / whose",
                "image follows the prompt as you type, GET /health (503 until the model is loaded) and GET /metrics",
                "(Prometheus). Generations run one at a time; a bounded queue stands in front of them."},
        footer = {"", "Examples:",
                "  turbojet serve",
                "  turbojet serve --backend cuda --vae taesd --port 8080",
                "  turbojet serve --host 0.0.0.0 --api-key \"$(cat key.txt)\" --queue 32 --timeout 60",
                "  curl -s localhost:7860/v1/images/generations -H 'Content-Type: application/json' \\",
                "       -d '{\"prompt\": \"a red fox\", \"size\": \"512x512\"}'",
                "",
                "The model options are generate's (--model, --variant, --offline, --backend, --precision, --vae, --taesd)."},
        mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--host", defaultValue = ServeOptions.DEFAULT_HOST,
            description = "Address to listen on; 0.0.0.0 for every interface. Default: ${DEFAULT-VALUE} (this machine only).")
    String host;

    @Option(names = "--port", defaultValue = "" + ServeOptions.DEFAULT_PORT, description = "Port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:TURBOJET_API_KEY}",
            description = "Require \"Authorization: Bearer KEY\" on every route but /health and the page. Default: $TURBOJET_API_KEY, else none.")
    String apiKey;

    @Option(names = "--queue", paramLabel = "JOBS", defaultValue = "" + ServeOptions.DEFAULT_QUEUE,
            description = "Requests that may wait behind the running one; more are answered 503 with Retry-After. Default: ${DEFAULT-VALUE}.")
    int queue;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "" + ServeOptions.DEFAULT_TIMEOUT_SECONDS,
            description = "How long a request may wait for its images, queueing included (then 504). Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    @Option(names = "--max-request-mb", paramLabel = "MIB", defaultValue = "" + ServeOptions.DEFAULT_MAX_REQUEST_MIB,
            description = "Largest request body (init images included); larger ones are answered 413. Default: ${DEFAULT-VALUE}.")
    int maxRequestMib;

    @Option(names = "--shutdown-grace", paramLabel = "SECONDS", defaultValue = "" + ServeOptions.DEFAULT_SHUTDOWN_GRACE_SECONDS,
            description = "On stop, how long queued and running requests may take to finish before they are refused. Default: ${DEFAULT-VALUE}.")
    int graceSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        if (ServeCommand.class.getClassLoader().getResource("dev/turbojet/serve/TurbojetServer.class") == null) {
            throw new IllegalStateException("this build of turbojet has no HTTP server (the GPU device payload leaves it"
                    + " out): run serve from the full turbojet.jar");
        }
        modelOptions.chosenBackend();                                         // checked before anything starts
        modelOptions.preference();
        modelOptions.vaeTiling();
        modelOptions.decoder();
        if (maxRequestMib < 1) throw new IllegalArgumentException("--max-request-mb must be at least 1, got " + maxRequestMib);
        ServeOptions options = ServeOptions.defaults().withAddress(host, port)
                .withApiKey(Optional.ofNullable(apiKey).filter(k -> !k.isEmpty())).withQueueCapacity(queue)
                .withTimeout(Duration.ofSeconds(timeoutSeconds)).withMaxRequestBytes((long) maxRequestMib << 20)
                .withShutdownGrace(Duration.ofSeconds(graceSeconds));

        Ops ops = modelOptions.openBackend(notice -> stderr.println(name + ": " + notice));
        TurbojetServer server = TurbojetServer.start(options, line -> {
            stderr.println(name + ": " + line);
            stderr.flush();
        });
        Thread stopper = new Thread(server::close, "turbojet-serve-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        stdout.println("listening on http://" + host + ":" + server.port() + "/ (GET /health answers 503 until the model is loaded)");
        stdout.flush();
        SdxlPipeline pipeline;
        try {
            pipeline = modelOptions.load(ops, false, stdout, stderr).pipeline();
        } catch (RuntimeException | Error e) {
            Runtime.getRuntime().removeShutdownHook(stopper);
            server.close();
            throw e;
        }
        try (pipeline) {
            server.ready(pipeline.modelName(), pipeline::generate);
            stdout.println("ready: " + pipeline.describe() + "; Ctrl-C stops (queued work gets " + graceSeconds + " s to finish)");
            stdout.flush();
            server.awaitClosed();
        }
        return 0;
    }
}
