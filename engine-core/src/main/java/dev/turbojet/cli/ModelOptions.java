package dev.turbojet.cli;

import dev.turbojet.hub.ConsoleProgress;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.Variant;
import dev.turbojet.ops.Backend;
import dev.turbojet.ops.Ops;
import dev.turbojet.pipeline.ModelSource;
import dev.turbojet.pipeline.PipelineOptions;
import dev.turbojet.pipeline.ResolveOptions;
import dev.turbojet.pipeline.SdxlPipeline;
import dev.turbojet.taesd.TaesdFiles;
import dev.turbojet.vae.VaeTiling;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The options that say which model to load and how, shared by the commands that load one
 * ({@code generate}, {@code serve}): --model and where it is looked for, --backend and
 * --precision, the final decoder and its tiling, per-op checks.
 */
final class ModelOptions {
    static final String DEFAULT_MODEL = "stabilityai/sdxl-turbo";

    @Option(names = "--model", paramLabel = "PATH_OR_REPO_ID", defaultValue = DEFAULT_MODEL,
            description = "A diffusers model folder, a single-file checkpoint (safetensors) or a repository id. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--config-from", paramLabel = "DIR",
            description = "For a single-file --model: the diffusers folder whose configs and tokenizers describe it "
                    + "(its weights are not read). Default: the bundled SDXL Turbo configs.")
    Path configFrom;

    @Option(names = "--revision", paramLabel = "REV", description = "Branch, tag or commit of a repository id (default: main).")
    String revision;

    @Option(names = "--offline", description = "Never download: use only local folders and the hub cache.")
    boolean offline;

    @Option(names = "--variant", paramLabel = "VARIANT", defaultValue = "any",
            description = "Weight files: fp32, fp16, any (fp32, else fp16) or a preference list like fp16,fp32. Default: ${DEFAULT-VALUE}.")
    String variant;

    @Option(names = "--backend", defaultValue = "auto",
            description = "cpu, cuda, or auto (cuda when available, else cpu). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--vae", paramLabel = "DECODER", defaultValue = "full",
            description = "Final decode: full (the model's VAE) or taesd (the tiny TAESD decoder: much faster, slightly softer). Default: ${DEFAULT-VALUE}.")
    String vae;

    @Option(names = "--taesd", paramLabel = "PATH", description = "The TAESD decoder: " + TaesdFiles.DECODER + " or a folder holding it.")
    Path taesdPath;

    @Option(names = "--vae-tiling", paramLabel = "WHEN", defaultValue = "auto",
            description = "The VAE decodes by overlapping tiles of its sample_size (512 px for SDXL Turbo), blended over a"
                    + " quarter of a tile, as diffusers' enable_tiling() has it, so large images decode in bounded memory: auto"
                    + " (when the image is larger than one tile), on (always) or off. A tiled image differs slightly from an"
                    + " untiled one; TAESD never tiles. Default: ${DEFAULT-VALUE}.")
    String vaeTiling;

    @Option(names = "--check-each-op", description = "Wait for every op and check its output for NaN and infinity, so a GPU"
            + " fault or the first non-finite value names the op that caused it (slow).")
    boolean checkEachOp;

    @Mixin
    PrecisionOption precisionOption;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    enum Decoder { FULL, TAESD }

    /** A loaded model and, when one was asked for, the TAESD decoder file found for it. */
    record Loaded(SdxlPipeline pipeline, Optional<Path> taesdFile) {
    }

    Backend chosenBackend() {
        return Backend.parse(backend);
    }

    Decoder decoder() {
        return parseDecoder(vae);
    }

    VaeTiling.Mode vaeTiling() {
        return VaeTiling.Mode.parse(vaeTiling);
    }

    List<Variant> preference() {
        return Variant.parsePreference(variant);
    }

    /** --backend in --precision; {@code notice} hears why auto chose what it chose. */
    Ops openBackend(Consumer<String> notice) {
        Backend chosen = chosenBackend();
        return chosen.create(precisionOption.resolve(chosen), notice);
    }

    /**
     * Resolves --model (downloading it unless --offline), finds the TAESD decoder when --vae taesd
     * or {@code taesdFileWanted} needs it, and loads the model on {@code ops}; "loading ..." goes to
     * {@code stdout}, notices and warnings to {@code stderr}.
     */
    Loaded load(Ops ops, boolean taesdFileWanted, PrintWriter stdout, PrintWriter stderr) {
        String name = command.qualifiedName();
        checkModelOptions();
        List<Variant> preference = preference();
        PipelineOptions options = PipelineOptions.defaults().withVariants(preference).withModelName(model)
                .withWarnings(w -> stderr.println(name + ": warning: " + w)).withEachOpChecked(checkEachOp)
                .withVaeTiling(vaeTiling());
        boolean taesd = decoder() == Decoder.TAESD;
        try (ModelSource source = ModelSource.resolve(model, preference, resolveOptions(stderr, name))) {
            Optional<Path> taesdFile = taesd || taesdFileWanted ? Optional.of(findTaesd(source)) : Optional.empty();
            if (taesd) options = options.withTaesdDecoder(taesdFile.orElseThrow());
            stdout.println("loading " + source.description());
            stdout.flush();
            return new Loaded(SdxlPipeline.load(source, ops, options.withProgress(line -> {
                stdout.println("  " + line);
                stdout.flush();
            })), taesdFile);
        }
    }

    /** The --model options that apply only to some kinds of model, checked before anything is read. */
    void checkModelOptions() {
        if (Files.isRegularFile(Path.of(model))) {
            if (command.commandLine().getParseResult().hasMatchedOption("--variant")) {
                throw new IllegalArgumentException("--variant picks weight files in a diffusers folder; the single file "
                        + model + " has one set of weights");
            }
            if (configFrom != null && !ModelFolder.isModelFolder(configFrom)) {
                throw new IllegalArgumentException("--config-from " + configFrom + ": not a diffusers folder (no "
                        + ModelFolder.INDEX + ")");
            }
        } else if (configFrom != null) {
            throw new IllegalArgumentException("--config-from applies only to a single-file --model (" + model
                    + " is not a file)");
        }
    }

    /** --revision, --offline, --config-from; a download's progress and its notice on stderr. */
    private ResolveOptions resolveOptions(PrintWriter stderr, String name) {
        ResolveOptions where = ResolveOptions.defaults().withOffline(offline).withProgress(ConsoleProgress.to(stderr))
                .withNotices(notice -> {
                    stderr.println(name + ": " + notice);
                    stderr.flush();
                });
        if (revision != null) where = where.withRevision(revision);
        if (configFrom != null) where = where.withConfigFolder(configFrom);
        return where;
    }

    /** --taesd as given (the file, or a folder holding it), else the decoder beside the model. */
    private Path findTaesd(ModelSource source) {
        if (taesdPath == null) return source.taesdDecoder(Optional.empty());
        return TaesdFiles.decoderAt(taesdPath).orElseThrow(() -> new IllegalArgumentException(
                "--taesd " + taesdPath + ": no such file, and no folder holding " + TaesdFiles.DECODER));
    }

    static Decoder parseDecoder(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "full", "vae" -> Decoder.FULL;
            case "taesd" -> Decoder.TAESD;
            default -> throw new IllegalArgumentException("unknown --vae '" + text + "': use full or taesd");
        };
    }
}
