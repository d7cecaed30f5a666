package dev.turbojet.cli;

import dev.turbojet.image.ImageFiles;
import dev.turbojet.image.RgbImage;
import dev.turbojet.ops.Ops;
import dev.turbojet.pipeline.GeneratedImage;
import dev.turbojet.pipeline.GenerationListener;
import dev.turbojet.pipeline.GenerationRequest;
import dev.turbojet.pipeline.SdxlPipeline;
import dev.turbojet.image.PngWriter;
import dev.turbojet.taesd.LatentPreviewer;
import dev.turbojet.taesd.TaesdDecoder;
import dev.turbojet.taesd.TaesdFiles;
import dev.turbojet.taesd.TaesdPreviewer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
                "  turbojet generate a fox --model ~/models/sd_xl_turbo_1.0_fp16.safetensors",
                "  turbojet generate a fox --model my_sdxl_finetune.safetensors --config-from ./sdxl-base --steps 25 --guidance 5",
                "  turbojet generate a fox --vae taesd --taesd ~/taesd/ --preview previews/ --steps 4",
                "",
                "--model takes a local diffusers folder, a single-file SDXL checkpoint (.safetensors in the original",
                "Stability layout; read with the bundled SDXL Turbo configs and tokenizers unless --config-from",
                "names a diffusers folder to take them from) or a Hugging Face repository id. A repository is read",
                "from the Hugging Face cache (HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub) and, when it",
                "is not there, downloaded into it (not with --offline or HF_HUB_OFFLINE=1; HF_TOKEN for gated models).",
                "",
                "img2img: the --init-image PNG may have any size. It is scaled uniformly, keeping its aspect ratio, to",
                "the smallest size that covers --width x --height (antialiased bilinear, like PIL's resize), then the",
                "centre is cropped out; nothing is stretched. --strength S redoes the last S of the schedule.",
                "",
                "TAESD (--vae taesd, --preview) needs madebyollin's " + TaesdFiles.DECODER + " (github.com/madebyollin/taesd):",
                "given by --taesd (the file, or a folder holding it), else looked for in the model folder's taesd/",
                "subfolder and the model folder itself (for a single file: the folder it is in, and its taesd/)."},
        mixinStandardHelpOptions = true)
final class GenerateCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "PROMPT", description = "What to draw.")
    List<String> prompt;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--steps", defaultValue = "1", description = "Denoising steps, 1 to " + GenerationRequest.MAX_STEPS + " (1 to 4 suit SDXL Turbo). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--seed", description = "Random seed (default: a random one, printed).")
    Long seed;

    @Option(names = "--width", defaultValue = "512", description = "Width in pixels, a multiple of 8 from 8 to " + GenerationRequest.MAX_SIDE + ". Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--height", defaultValue = "512", description = "Height in pixels, a multiple of 8 from 8 to " + GenerationRequest.MAX_SIDE + ". Default: ${DEFAULT-VALUE}.")
    int height;

    @Option(names = "--guidance", defaultValue = "0",
            description = "Classifier-free guidance scale: 0 for SDXL Turbo; above 1 runs the negative prompt too. Default: ${DEFAULT-VALUE}.")
    double guidance;

    @Option(names = "--negative", paramLabel = "TEXT", defaultValue = "", description = "Negative prompt (used when --guidance > 1).")
    String negative;

    @Option(names = "--batch", defaultValue = "1", description = "Images to make from the prompt in one run, 1 to " + GenerationRequest.MAX_BATCH + ". The whole batch's noise"
                    + " comes from one generator seeded with --seed (as in diffusers), so image i is reproduced by the same seed,"
                    + " batch size and position; each PNG records them (Seed, Batch size, Batch pos). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "turbojet-{seed}.png",
            description = "Output PNG; {seed} and {i} (image index) are replaced; with --batch > 1 and no {i}, "
                    + "-{i} goes before the extension.%nDefault: ${DEFAULT-VALUE}.")
    String out;

    @Option(names = "--init-image", paramLabel = "IMAGE",
            description = "Start from this PNG or JPEG (img2img), any size up to 8192x8192 pixels: scaled, aspect kept, to cover --width x --height, then centre-cropped.")
    Path initImage;

    @Option(names = "--strength", defaultValue = "0.5",
            description = "img2img: how much of the image to redo, in (0, 1]; the run takes max(1, floor(steps x strength)) steps. Default: ${DEFAULT-VALUE}.")
    double strength;

    @Option(names = "--preview", paramLabel = "DIR",
            description = "Write a TAESD preview of every step's denoised prediction to DIR/step-{step}.png (-{i} per batch image).")
    Path preview;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        String name = spec.qualifiedName();

        // everything the user typed is checked before the model loads
        modelOptions.chosenBackend();                                         // --backend, --variant: parsed to check them
        modelOptions.preference();
        modelOptions.vaeTiling();
        ModelOptions.Decoder decoder = modelOptions.decoder();
        if (batch < 1 || batch > GenerationRequest.MAX_BATCH) {
            throw new IllegalArgumentException("--batch must be in 1.." + GenerationRequest.MAX_BATCH + ", got " + batch);
        }
        if (modelOptions.taesdPath != null && decoder != ModelOptions.Decoder.TAESD && preview == null) {
            throw new IllegalArgumentException("--taesd applies only with --vae taesd or --preview");
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
        List<Path> outputs = new java.util.ArrayList<>();
        for (int i = 0; i < batch; i++) outputs.add(outputPath(out, actualSeed, i, batch));
        OutputPaths.requireWritablePngs("--out", outputs);
        if (preview != null) OutputPaths.requireWritableDir("--preview", preview);

        Ops ops = modelOptions.openBackend(notice -> stderr.println(name + ": " + notice));
        long loadStart = System.nanoTime();
        ModelOptions.Loaded loaded = modelOptions.load(ops, preview != null, stdout, stderr);
        SdxlPipeline pipeline = loaded.pipeline();
        Optional<Path> taesdFile = loaded.taesdFile();
        try (pipeline) {
            return generate(pipeline, ops, builder, actualSeed, taesdFile, loadStart, stdout);
        }
    }

    private int generate(SdxlPipeline pipeline, Ops ops, GenerationRequest.Builder builder, long actualSeed,
                         Optional<Path> taesdFile, long loadStart, PrintWriter stdout) throws IOException {
        Optional<LatentPreviewer> previews = preview == null ? Optional.empty() : Optional.of(pipeline.previewer()
                .orElseGet(() -> new TaesdPreviewer(TaesdDecoder.load(taesdFile.orElseThrow(), ops), ops)));
        stdout.printf(Locale.ROOT, "loaded in %.1f s (%s)%n", (System.nanoTime() - loadStart) / 1e9, pipeline.describe());
        stdout.println("seed " + actualSeed);
        stdout.flush();

        GenerationListener progress = p -> {
            stdout.printf(Locale.ROOT, "step %d/%d  timestep %.0f  %.2f s since the start%n", p.step() + 1, p.total(), p.timestep(),
                    p.elapsed().toNanos() / 1e9);
            stdout.flush();
            if (previews.isPresent()) writePreviews(previews.get(), p, stdout);
        };
        GenerationRequest req = builder.listener(progress).build();
        List<GeneratedImage> images = pipeline.generate(req);
        for (int i = 0; i < images.size(); i++) {
            Path file = outputPath(out, actualSeed, i, images.size());
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            boolean replaced = Files.exists(file);
            images.get(i).writePng(file);
            stdout.println("wrote " + file + (replaced ? " (replacing the file that was there)" : ""));
        }
        stdout.println("time: " + images.getFirst().timings().summary());
        stdout.flush();
        return 0;
    }

    /** One preview PNG per batch image of the step's denoised prediction (x0). */
    private void writePreviews(LatentPreviewer previewer, GenerationListener.StepProgress p, PrintWriter stdout) {
        List<RgbImage> shown = previewer.previewAll(p.denoised());
        try {
            Files.createDirectories(preview);
            for (int i = 0; i < shown.size(); i++) {
                String file = "step-" + (p.step() + 1) + (shown.size() > 1 ? "-" + i : "") + ".png";
                PngWriter.write(shown.get(i), Map.of("preview", "step " + (p.step() + 1) + " of " + p.total()),
                        preview.resolve(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("--preview " + preview + ": cannot write: " + e.getMessage(), e);
        }
        String first = "step-" + (p.step() + 1) + (shown.size() > 1 ? "-0" : "") + ".png";
        stdout.println("preview " + preview.resolve(first) + (shown.size() > 1 ? " (and -1 to -" + (shown.size() - 1) + ")" : ""));
        stdout.flush();
    }

    private static RgbImage readImage(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--init-image " + file + ": no such file");
        return ImageFiles.read(file);
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
