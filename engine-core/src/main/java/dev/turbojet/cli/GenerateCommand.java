package dev.turbojet.cli;

import dev.turbojet.image.PngReader;
import dev.turbojet.image.RgbImage;
import dev.turbojet.hub.ConsoleProgress;
import dev.turbojet.hub.HubClient;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.HfCache;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.Variant;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.pipeline.GeneratedImage;
import dev.turbojet.pipeline.GenerationListener;
import dev.turbojet.pipeline.GenerationRequest;
import dev.turbojet.pipeline.PipelineOptions;
import dev.turbojet.pipeline.SdxlPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code turbojet generate}: text (or an image plus text) to PNG files. */
@Command(name = "generate",
        description = {
                "Generate images from a prompt with an SDXL-architecture model (SDXL Turbo by default).",
                "Every random number comes from a torch-compatible generator: the same seed, size, steps and",
                "prompt give the same image as diffusers with torch.Generator(\"cpu\").manual_seed(seed).",
                "The words of PROMPT are joined with spaces, so quotes are optional."},
        footer = {"", "Examples:",
                "  turbojet generate a cinematic photo of a racoon in a priest robe",
                "  turbojet generate \"a lighthouse at dusk\" --seed 42 --steps 2 --out lighthouse.png",
                "  turbojet generate a cat --batch 4 --out 'cats/cat-{i}.png'",
                "  turbojet generate a watercolor city --init-image photo.png --strength 0.5 --steps 2",
                "  turbojet generate a red car --model ./sdxl-base --guidance 5 --negative blurry --steps 25 --width 1024 --height 1024",
                "",
                "--model takes a local diffusers folder or a Hugging Face repository id. A repository is read from",
                "the Hugging Face cache (HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub) and, when it is",
                "not there, downloaded into it (not with --offline or HF_HUB_OFFLINE=1; HF_TOKEN for gated models)."},
        mixinStandardHelpOptions = true)
final class GenerateCommand implements Callable<Integer> {
    static final String DEFAULT_MODEL = "stabilityai/sdxl-turbo";

    @Parameters(arity = "1..*", paramLabel = "PROMPT", description = "What to draw.")
    List<String> prompt;

    @Option(names = "--model", paramLabel = "PATH_OR_REPO_ID", defaultValue = DEFAULT_MODEL,
            description = "A diffusers model folder or a repository id in the hub cache. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--revision", paramLabel = "REV", description = "Branch, tag or commit of a repository id (default: main).")
    String revision;

    @Option(names = "--offline", description = "Never download: use only local folders and the hub cache.")
    boolean offline;

    @Option(names = "--variant", paramLabel = "VARIANT", defaultValue = "any",
            description = "Weight files: fp32, fp16, any (fp32, else fp16) or a preference list like fp16,fp32. Default: ${DEFAULT-VALUE}.")
    String variant;

    @Option(names = "--steps", defaultValue = "1", description = "Denoising steps (1 to 4 suit SDXL Turbo). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--seed", description = "Random seed (default: a random one, printed).")
    Long seed;

    @Option(names = "--width", defaultValue = "512", description = "Width in pixels, a multiple of 8. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--height", defaultValue = "512", description = "Height in pixels, a multiple of 8. Default: ${DEFAULT-VALUE}.")
    int height;

    @Option(names = "--guidance", defaultValue = "0",
            description = "Classifier-free guidance scale: 0 for SDXL Turbo; above 1 runs the negative prompt too. Default: ${DEFAULT-VALUE}.")
    double guidance;

    @Option(names = "--negative", paramLabel = "TEXT", defaultValue = "", description = "Negative prompt (used when --guidance > 1).")
    String negative;

    @Option(names = "--batch", defaultValue = "1", description = "Images to make from the prompt in one run. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "turbojet-{seed}.png",
            description = "Output PNG; {seed} and {i} (image index) are replaced; with --batch > 1 and no {i}, "
                    + "-{i} goes before the extension. Default: ${DEFAULT-VALUE}.")
    String out;

    @Option(names = "--backend", defaultValue = "auto",
            description = "cpu, cuda, or auto (cuda when available, else cpu). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--init-image", paramLabel = "PNG", description = "Start from this image (img2img); it is scaled to cover the size and centre-cropped.")
    Path initImage;

    @Option(names = "--strength", defaultValue = "0.5",
            description = "img2img: how much of the image to redo, in (0, 1]; the run takes max(1, floor(steps x strength)) steps. Default: ${DEFAULT-VALUE}.")
    double strength;

    @Spec
    CommandSpec spec;

    enum Backend { CPU, CUDA, AUTO }

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        String name = spec.qualifiedName();

        // everything the user typed is checked before the model loads
        Backend chosen = parseBackend(backend);
        List<Variant> preference = Variant.parsePreference(variant);
        if (batch < 1 || batch > GenerationRequest.MAX_BATCH) {
            throw new IllegalArgumentException("--batch must be in 1.." + GenerationRequest.MAX_BATCH + ", got " + batch);
        }
        long actualSeed = seed != null ? seed : GenerationRequest.randomSeed();
        String text = String.join(" ", prompt);
        GenerationRequest.Builder builder = GenerationRequest.builder(Collections.nCopies(batch, text))
                .negativePrompt(negative).guidanceScale(guidance).steps(steps).size(width, height).seed(actualSeed);
        if (initImage != null) builder.initImage(readImage(initImage), strength);
        else if (spec.commandLine().getParseResult().hasMatchedOption("--strength")) {
            throw new IllegalArgumentException("--strength applies only with --init-image");
        }
        builder.build();                                                      // validates size, steps, strength

        Ops ops = switch (chosen) {
            case CPU -> new CpuOps();
            case CUDA -> throw new IllegalArgumentException(
                    "the CUDA backend is not available in this build of turbojet (only cpu is); use --backend cpu");
            case AUTO -> {
                stderr.println(name + ": no CUDA backend in this build; running on the CPU (slow for full-size models)");
                yield new CpuOps();
            }
        };

        ModelFolder folder = resolveModel(stderr, name);
        PipelineOptions options = PipelineOptions.defaults().withVariants(preference).withModelName(model)
                .withWarnings(w -> stderr.println(name + ": warning: " + w));
        long loadStart = System.nanoTime();
        SdxlPipeline pipeline = SdxlPipeline.load(folder, ops, options);
        stdout.printf(Locale.ROOT, "loaded %s in %.1f s (%s)%n", folder.root(), (System.nanoTime() - loadStart) / 1e9, pipeline.describe());
        stdout.println("seed " + actualSeed);
        stdout.flush();

        GenerationListener progress = p -> {
            stdout.printf(Locale.ROOT, "step %d/%d  t=%.0f  %.2f s%n", p.step() + 1, p.total(), p.timestep(),
                    p.elapsed().toNanos() / 1e9);
            stdout.flush();
        };
        GenerationRequest req = builder.listener(progress).build();
        List<GeneratedImage> images = pipeline.generate(req);
        for (int i = 0; i < images.size(); i++) {
            Path file = outputPath(out, actualSeed, i, images.size());
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            images.get(i).writePng(file);
            stdout.println("wrote " + file);
        }
        stdout.println("time: " + images.getFirst().timings().summary());
        stdout.flush();
        return 0;
    }

    /**
     * A local folder, else the repository's snapshot in the hub cache, else (unless offline) the
     * repository downloaded from the hub into that cache, with progress on stderr.
     */
    private ModelFolder resolveModel(PrintWriter stderr, String name) {
        try {
            return ModelFolder.resolve(model, Optional.ofNullable(revision));
        } catch (CheckpointException notFound) {
            if (offline || Files.exists(Path.of(model)) || !HfCache.isRepoId(model)) throw notFound;
            stderr.println(name + ": " + model + " is not in the hub cache; downloading it");
            stderr.flush();
            Path snapshot = HubClient.fromEnvironment().download(model, revision == null ? "main" : revision,
                    ConsoleProgress.stderr());
            return ModelFolder.open(snapshot);
        }
    }

    static Backend parseBackend(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "cpu" -> Backend.CPU;
            case "cuda" -> Backend.CUDA;
            case "auto" -> Backend.AUTO;
            default -> throw new IllegalArgumentException("unknown backend '" + text + "': use cpu, cuda or auto");
        };
    }

    private static RgbImage readImage(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--init-image " + file + ": no such file");
        return PngReader.read(file).image();
    }

    /** {@code pattern} with {seed} and {i} filled in; a batch without {i} gets "-i" before the extension. */
    static Path outputPath(String pattern, long seed, int index, int count) {
        String p = pattern.replace("{seed}", Long.toString(seed));
        if (count > 1 && !p.contains("{i}")) {
            int dot = p.lastIndexOf('.');
            int slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
            p = dot > slash ? p.substring(0, dot) + "-{i}" + p.substring(dot) : p + "-{i}";
        }
        return Path.of(p.replace("{i}", Integer.toString(index)));
    }
}
