package dev.turbojet.pipeline;

import dev.turbojet.clip.ClipTokenizer;
import dev.turbojet.clip.TextEncoders;
import dev.turbojet.clip.TextEncoders.PromptEmbeds;
import dev.turbojet.image.GenerationInfo;
import dev.turbojet.image.ImageResize;
import dev.turbojet.image.RgbImage;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.singlefile.Component;
import dev.turbojet.ops.Backend;
import dev.turbojet.ops.CheckedOps;
import dev.turbojet.ops.Ops;
import dev.turbojet.schedule.EulerAncestral;
import dev.turbojet.schedule.Schedule;
import dev.turbojet.schedule.SchedulerConfig;
import dev.turbojet.schedule.TorchGenerator;
import dev.turbojet.taesd.LatentPreviewer;
import dev.turbojet.taesd.TaesdDecoder;
import dev.turbojet.taesd.TaesdPreviewer;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.unet.UNet2DCondition;
import dev.turbojet.unet.UNetConfig;
import dev.turbojet.vae.AutoencoderKL;
import dev.turbojet.vae.LatentDistribution;
import dev.turbojet.vae.VaeImages;
import dev.turbojet.vae.VaeTiling;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.locks.ReentrantLock;

/**
 * SDXL text-to-image and image-to-image with diffusers 0.25 semantics ({@code StableDiffusionXLPipeline}
 * and {@code StableDiffusionXLImg2ImgPipeline}, Euler Ancestral): tokenize twice, encode with both
 * CLIP text encoders, draw the starting latents from a torch-compatible generator, denoise with the
 * UNet, decode with the VAE (or TAESD, {@link PipelineOptions#withTaesdDecoder}). Every model loads
 * once, from a diffusers folder or a single-file checkpoint ({@link ModelSource}); {@link #generate}
 * may then be called any number of times.
 *
 * <p><b>Threads.</b> A pipeline may be shared between threads. Concurrent {@link #generate} calls
 * are serialised: each runs alone, in the order the threads acquire the pipeline's fair lock, and
 * gives exactly the images it gives when run by itself (every random draw comes from the request's
 * own seed). A call waits while another runs; the backend already uses every core it was given for
 * one generation, so running two at once would not be faster. Listeners are called on the thread
 * that called {@code generate}.
 *
 * <p>The pipeline runs on the {@link Ops} backend it is given; nothing picks or falls back to another.
 * One exception, for the VAE only: the SDXL VAE overflows in fp16, so where the given backend stores
 * fp16 on a GPU and {@link PipelineOptions#vaeOps()} names none, the VAE (and TAESD) run on a bf16
 * backend on the same device ({@link Backend#vaeBackendFor}) that the pipeline opens, owns and
 * closes in {@link #close()}; {@link #describe()} says so. The caller's backends stay open.
 */
public final class SdxlPipeline implements AutoCloseable {
    /** Name of the scheduler in image metadata. */
    public static final String SCHEDULER = SchedulerConfig.CLASS_NAME;

    private final Ops ops;
    private final Ops vaeOps;
    private final PipelineOptions options;
    private final String modelName;
    private final ModelConfig config;
    private final TextEncoders textEncoders;
    private final UNet2DCondition unet;
    private final AutoencoderKL vae;
    /** The tiles the VAE decodes by where {@link PipelineOptions#vaeTiling} says so (checked against the VAE at load). */
    private final VaeTiling vaeTiles;
    private final EulerAncestral scheduler;
    private final Optional<TaesdDecoder> taesd;
    /** One generation at a time (see the class comment); fair, so waiting callers run in arrival order. */
    private final ReentrantLock generating = new ReentrantLock(true);
    /** The UNet's denoise prepared per input shapes, with {@link PipelineOptions#graphs} (used under {@code generating}). */
    private final Map<List<Shape>, Ops.Replayable> denoisers = new HashMap<>();
    /** The VAE's backend when the pipeline opened it itself ({@link Backend#vaeBackendFor}); closed with the pipeline. */
    private final Optional<Ops> ownVaeBackend;
    /** Set by {@link #close()} (under {@code generating}). */
    private boolean closed;

    private SdxlPipeline(Ops ops, Ops vaeOps, Optional<Ops> ownVaeBackend, PipelineOptions options, String modelName,
                         ModelConfig config, TextEncoders textEncoders, UNet2DCondition unet, AutoencoderKL vae,
                         VaeTiling vaeTiles, Optional<TaesdDecoder> taesd) {
        this.ops = ops;
        this.vaeOps = vaeOps;
        this.ownVaeBackend = ownVaeBackend;
        this.options = options;
        this.modelName = modelName;
        this.config = config;
        this.textEncoders = textEncoders;
        this.unet = unet;
        this.vae = vae;
        this.vaeTiles = vaeTiles;
        this.scheduler = new EulerAncestral(config.scheduler());
        this.taesd = taesd;
    }

    /**
     * Loads the diffusers folder {@code folder}, the weights of each component from the first variant
     * in {@code opts.variants()} it has, bound by {@code ops}.
     */
    public static SdxlPipeline load(ModelFolder folder, Ops ops, PipelineOptions opts) {
        try (ModelSource src = ModelSource.folder(folder, opts.variants())) {
            return load(src, ops, opts);
        }
    }

    /**
     * Loads the model at {@code path}: a diffusers folder, or a single-file checkpoint read with the
     * bundled SDXL Turbo configs ({@link ModelSource#open}; {@link ModelSource#singleFile} takes
     * configs from a folder).
     */
    public static SdxlPipeline load(Path path, Ops ops, PipelineOptions opts) {
        try (ModelSource src = ModelSource.open(path, Optional.empty(), opts.variants())) {
            return load(src, ops, opts);
        }
    }

    /**
     * Loads the model {@code modelOrRepoId} names, as {@code from_pretrained} does in diffusers: a
     * diffusers folder, a single-file checkpoint, or a Hugging Face repository id such as
     * "stabilityai/sdxl-turbo" read from the hub cache and downloaded into it when missing
     * ({@link ModelSource#resolve} with {@link ResolveOptions#defaults()}). Images name the model
     * {@code modelOrRepoId} unless {@code opts.modelName()} says otherwise.
     */
    public static SdxlPipeline load(String modelOrRepoId, Ops ops, PipelineOptions opts) {
        return load(modelOrRepoId, ResolveOptions.defaults(), ops, opts);
    }

    /**
     * {@link #load(String, Ops, PipelineOptions)} with a revision, offline mode, another cache, a
     * download progress listener or a single file's config folder ({@code where}).
     */
    public static SdxlPipeline load(String modelOrRepoId, ResolveOptions where, Ops ops, PipelineOptions opts) {
        PipelineOptions named = opts.modelName().isPresent() ? opts : opts.withModelName(modelOrRepoId);
        try (ModelSource src = ModelSource.resolve(modelOrRepoId, opts.variants(), where)) {
            return load(src, ops, named);
        }
    }

    /**
     * Loads the tokenizers, text encoders, UNet, VAE and scheduler config of {@code src}, its weights
     * bound by {@code ops} (the VAE and TAESD by {@code opts.vaeOps()} when given, else by a bf16
     * backend of the pipeline's own where {@code ops} stores fp16 on a GPU: see the class comment).
     * The source may be closed once this returns.
     */
    public static SdxlPipeline load(ModelSource src, Ops backend, PipelineOptions opts) {
        // the SDXL VAE overflows in fp16: an fp16 GPU backend gets a bf16 one beside it for the VAE
        Optional<Ops> own = opts.vaeOps().isPresent() ? Optional.empty() : Backend.vaeBackendFor(backend);
        try {
            return load(src, backend, opts.vaeOps().or(() -> own), own, opts);
        } catch (RuntimeException e) {
            own.ifPresent(o -> {
                try {
                    closeBackend(o);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            });
            throw e;
        }
    }

    private static SdxlPipeline load(ModelSource src, Ops backend, Optional<Ops> vaeBackend, Optional<Ops> own,
                                     PipelineOptions opts) {
        // every model runs through a CheckedOps: a backend failure names the op that failed
        Ops ops = new CheckedOps(backend, opts.checkEachOp());
        Ops vaeOps = vaeBackend.filter(v -> v != backend).<Ops>map(v -> new CheckedOps(v, opts.checkEachOp())).orElse(ops);
        ModelConfig cfg = src.config();
        if (cfg.vae().forceUpcast() && vaeOps.storageType() == DType.F16) {
            // diffusers' force_upcast: this VAE overflows in fp16 and would decode to NaN or black
            throw new IllegalArgumentException(src.description() + ": the VAE's config sets force_upcast (it overflows in fp16), "
                    + "but it would run on " + vaeOps.describe() + "; give it a bf16 or fp32 backend (PipelineOptions.withVaeOps)");
        }
        VaeTiling tiles = vaeTiles(src, cfg, opts);
        TensorSource text1 = loading(opts, "text_encoder", src.weights(Component.TEXT_ENCODER));
        TensorSource text2 = loading(opts, "text_encoder_2", src.weights(Component.TEXT_ENCODER_2));
        TextEncoders encoders = TextEncoders.load(ops, text1, cfg.textEncoder(), text2, cfg.textEncoder2());
        UNet2DCondition unet = UNet2DCondition.load(loading(opts, "unet", src.weights(Component.UNET)), ops, cfg.unet());
        AutoencoderKL vae = AutoencoderKL.load(loading(opts, "vae", src.weights(Component.VAE)), vaeOps, cfg.vae());
        if (encoders.promptEmbedDim() != unet.config().crossAttentionDim()) {
            throw new CheckpointException(src.description() + ": text encoders give " + encoders.promptEmbedDim()
                    + "-wide prompt embeddings, the UNet's cross_attention_dim is " + unet.config().crossAttentionDim());
        }
        if (vae.config().latentChannels() != unet.config().inChannels()) {
            throw new CheckpointException(src.description() + ": the VAE has " + vae.config().latentChannels()
                    + " latent channels, the UNet takes " + unet.config().inChannels());
        }
        Optional<TaesdDecoder> taesd = opts.taesdDecoder().map(file -> TaesdDecoder.load(file, vaeOps));
        if (taesd.isPresent() && taesd.get().config().latentChannels() != unet.config().inChannels()) {
            throw new CheckpointException(opts.taesdDecoder().get() + ": the TAESD decoder takes "
                    + taesd.get().config().latentChannels() + " latent channels, the UNet makes " + unet.config().inChannels());
        }
        String name = opts.modelName().orElse(src.name());
        return new SdxlPipeline(ops, vaeOps, own, opts, name, cfg, encoders, unet, vae, tiles, taesd);
    }

    /** The options' tiles, else diffusers' for this VAE; checked against the VAE before any weight loads, unless tiling is off. */
    private static VaeTiling vaeTiles(ModelSource src, ModelConfig cfg, PipelineOptions opts) {
        VaeTiling tiles = opts.vaeTiles().orElseGet(() -> VaeTiling.defaults(cfg.vae()));
        if (opts.vaeTiling() == VaeTiling.Mode.OFF) return tiles;
        try {
            tiles.latentTile(cfg.vae().downscale());
        } catch (IllegalArgumentException e) {
            if (opts.vaeTiles().isPresent()) throw e;                     // the caller's own tiles: the message names them
            throw new IllegalArgumentException(src.description() + ": the VAE's sample_size " + cfg.vae().sampleSize()
                    + " gives no tiling diffusers would use (" + e.getMessage() + "); give tiles that fit "
                    + "(PipelineOptions.withVaeTiles) or turn tiling off", e);
        }
        return tiles;
    }

    /** {@code weights}, after telling the options' progress listener that {@code component} loads from it. */
    private static TensorSource loading(PipelineOptions opts, String component, TensorSource weights) {
        opts.progress().accept(component + " from " + weights.description());
        return weights;
    }

    /**
     * Closes what the pipeline opened itself: its recorded denoise graphs and the VAE backend it
     * chose ({@link Backend#vaeBackendFor}); the backends it was given stay open. Waits for a running
     * {@link #generate}; later calls fail. Closing twice does nothing.
     */
    @Override
    public void close() {
        generating.lock();
        try {
            if (closed) return;
            closed = true;
            denoisers.values().forEach(Ops.Replayable::close);
            denoisers.clear();
            ownVaeBackend.ifPresent(SdxlPipeline::closeBackend);
        } finally {
            generating.unlock();
        }
    }

    private static void closeBackend(Ops backend) {
        if (!(backend instanceof AutoCloseable closeable)) return;
        try {
            closeable.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot close " + backend.describe() + ": " + e.getMessage(), e);
        }
    }

    /** Which backends run what: "unet + text encoders: cpu fp32, 2 threads; vae: same". */
    public String describe() {
        return "unet + text encoders: " + ops.describe() + "; vae: " + (vaeOps == ops ? "same" : vaeOps.describe())
                + (taesd.isPresent() ? "; final decode: taesd" : "");
    }

    /**
     * A previewer decoding with this pipeline's TAESD decoder on the VAE's backend, when it has one
     * ({@link PipelineOptions#withTaesdDecoder}): for per-step previews from a {@link GenerationListener}.
     */
    public Optional<LatentPreviewer> previewer() {
        return taesd.map(d -> new TaesdPreviewer(d, vaeOps));
    }

    /** How images name the model in their metadata. */
    public String modelName() {
        return modelName;
    }

    /** The tokenizers and configs the pipeline was loaded with. */
    public ModelConfig config() {
        return config;
    }

    /** The UNet's config (latent channels, cross-attention width, ...). */
    public UNetConfig unetConfig() {
        return unet.config();
    }

    /** One image of {@code prompt} with SDXL Turbo's defaults (1 step, 512 x 512, guidance 0). */
    public GeneratedImage generate(String prompt, long seed) {
        return generate(GenerationRequest.builder(prompt).seed(seed).build()).getFirst();
    }

    /**
     * Runs {@code req}; one image per prompt, in order. Waits while another thread's call runs (see
     * the class comment).
     */
    public List<GeneratedImage> generate(GenerationRequest req) {
        generating.lock();
        try {
            if (closed) throw new IllegalStateException("this pipeline is closed");
            return run(req);
        } finally {
            generating.unlock();
        }
    }

    private List<GeneratedImage> run(GenerationRequest req) {
        long start = System.nanoTime();
        Denoised d;
        // one pass for conditioning and denoising: backends that allocate from an arena release its activations
        // at the end, before the decode, which runs in passes of its own (one per tile when it is tiled)
        try (Ops.Pass pass = ops.pass(); Ops.Pass vaePass = vaeOps == ops ? null : vaeOps.pass()) {
            d = denoise(req, start);
        }
        HostTensor latents = d.latents();

        // 4. decode: vae.decode(latents / scaling_factor), (x / 2 + 0.5).clamp(0, 1), round(x * 255);
        //    or TAESD: its decoder takes the UNet's latents as they are and gives [0, 1] directly
        long decodeStart = System.nanoTime();
        HostTensor pixels;
        if (taesd.isPresent()) {
            try (Ops.Pass pass = vaeOps.pass()) {
                pixels = HostMath.clampUnit(vaeOps.download(taesd.get().decode(vaeOps, vaeOps.upload(latents))));
            }
        } else {
            HostTensor z = HostMath.divide(latents, vae.config().scalingFactor());
            pixels = VaeImages.toUnitRange(vae.decode(vaeOps, z, options.vaeTiling(), vaeTiles));
        }
        requireFinite(pixels);
        byte[] rgb = VaeImages.toUint8Nhwc(pixels);
        Duration decode = Duration.ofNanos(System.nanoTime() - decodeStart);

        int batch = req.batch();
        boolean cfg = req.classifierFreeGuidance();
        StageTimings timings = new StageTimings(d.encode(), d.vaeEncode(), d.stepTimes(), decode);
        List<GeneratedImage> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            GenerationInfo info = new GenerationInfo(req.prompts().get(b), cfg ? req.negativePrompt(b) : "",
                    req.seed(), req.steps(), req.width(), req.height(), req.guidanceScale(), modelName, SCHEDULER,
                    software(), batch, b);
            out.add(new GeneratedImage(RgbImage.fromBatch(rgb, b, req.height(), req.width()), HostMath.row(pixels, b),
                    HostMath.row(latents, b), info, timings));
        }
        return out;
    }

    /** What the denoising loop leaves for the decode: the final latents and the time each stage took. */
    private record Denoised(HostTensor latents, Duration encode, Duration vaeEncode, List<Duration> stepTimes) {
    }

    /** Steps 1 to 3 of a generation, in the pass {@link #run} opened. */
    private Denoised denoise(GenerationRequest req, long start) {
        int batch = req.batch();
        boolean cfg = req.classifierFreeGuidance();
        GenerationListener listener = req.listener();
        boolean tracing = listener != GenerationListener.NONE;

        // 1. text conditioning: [uncond, cond] under guidance, as diffusers concatenates them
        Conditioning c = encode(req);
        HostTensor timeIds = timeIds(cfg ? 2 * batch : batch, req.height(), req.width());   // stays on the host
        if (tracing) listener.onConditioning(ops.download(c.embeds), ops.download(c.pooled), timeIds);
        Duration encode = Duration.ofNanos(System.nanoTime() - start);

        // 2. starting latents, every random draw from one generator in diffusers' order
        long vaeStart = System.nanoTime();
        TorchGenerator generator = new TorchGenerator(req.seed());
        Shape latentShape = Shape.of(batch, unet.config().inChannels(), req.height() / 8, req.width() / 8);
        Schedule schedule;
        HostTensor noise;
        HostTensor latents;
        Duration vaeEncode = Duration.ZERO;
        if (req.initImage().isPresent()) {
            schedule = scheduler.img2img(req.steps(), req.strength());
            HostTensor encoded = encodeInitImage(req.initImage().get(), req.width(), req.height(), generator);
            HostTensor init = HostMath.repeatBatch(encoded, batch);
            noise = generator.randn(latentShape);
            latents = schedule.addNoise(init, noise, 0);
            vaeEncode = Duration.ofNanos(System.nanoTime() - vaeStart);
        } else {
            schedule = scheduler.schedule(req.steps());
            noise = req.initialNoise().orElseGet(() -> generator.randn(latentShape));
            latents = HostMath.scale(noise, schedule.initNoiseSigma());
        }
        if (tracing) listener.onStart(noise, latents, schedule.timesteps());

        // 3. denoising loop
        List<Duration> stepTimes = new ArrayList<>();
        int total = schedule.steps();
        for (int i = 0; i < total; i++) {
            long stepStart = System.nanoTime();
            float t = schedule.timestep(i);
            HostTensor input = schedule.scaleModelInput(latents, i);
            Tensor x = ops.upload(input);
            if (cfg) x = ops.concat(0, x, x);
            HostTensor eps = ops.download(predictNoise(x, t, c, timeIds));
            if (cfg) eps = HostMath.guide(eps, (float) req.guidanceScale());
            HostTensor stepNoise = generator.randn(latents.shape());
            Schedule.StepResult result = schedule.step(i, eps, latents, stepNoise);
            latents = result.prevSample();
            stepTimes.add(Duration.ofNanos(System.nanoTime() - stepStart));
            listener.onStep(new GenerationListener.StepProgress(i, total, t, input, eps, stepNoise, latents,
                    result.predOriginalSample(), Duration.ofNanos(System.nanoTime() - start)));
        }

        return new Denoised(latents, encode, vaeEncode, stepTimes);
    }

    /** The UNet's noise prediction for one step: eager, or its denoise replayed ({@link PipelineOptions#graphs}). */
    private Tensor predictNoise(Tensor x, float t, Conditioning c, HostTensor timeIds) {
        if (!options.graphs() || options.checkEachOp()) return unet.forward(ops, x, t, c.embeds, c.pooled, timeIds);
        Tensor emb = unet.embed(ops, t, c.pooled, timeIds);
        List<Tensor> inputs = List.of(x, emb, c.embeds);
        List<Shape> key = inputs.stream().map(Tensor::shape).toList();
        Ops.Replayable denoise = denoisers.get(key);
        if (denoise == null) {
            denoise = ops.prepare("UNet denoise " + key, inputs, in -> unet.denoise(ops, in.get(0), in.get(1), in.get(2)));
            denoisers.put(key, denoise);
        }
        return denoise.run(inputs);
    }

    /** A NaN or infinity in the decoded image is an error, never a silently black or noisy picture. */
    private void requireFinite(HostTensor pixels) {
        float[] p = pixels.data();
        for (int i = 0; i < p.length; i++) {
            if (!Float.isFinite(p[i])) {
                throw new IllegalStateException("the decoded image has a non-finite value at element " + i + " (decoder on "
                        + vaeOps.describe() + "): a numeric overflow, most likely; try a bf16 or fp32 backend for the VAE"
                        + (options.checkEachOp() ? "" : ", or check each op (PipelineOptions.withEachOpChecked, --check-each-op)"
                        + " to find the first op that makes a NaN or infinity"));
            }
        }
    }

    /** The UNet's conditioning on the pipeline's backend. */
    private record Conditioning(Tensor embeds, Tensor pooled) {
    }

    private Conditioning encode(GenerationRequest req) {
        PromptEmbeds cond = encodePrompts(req.prompts(), "prompt");
        if (!req.classifierFreeGuidance()) {
            if (req.negativePrompts().stream().anyMatch(n -> !n.isEmpty())) {
                options.warnings().accept("negative prompt ignored: it takes effect only with guidance scale > 1 (given "
                        + req.guidanceScale() + ")");
            }
            return new Conditioning(cond.promptEmbeds(), cond.pooledPromptEmbeds());
        }
        List<String> negatives = new ArrayList<>();
        for (int i = 0; i < req.batch(); i++) negatives.add(req.negativePrompt(i));
        Tensor negEmbeds, negPooled;
        if (config.forceZerosForEmptyPrompt() && negatives.stream().allMatch(String::isEmpty)) {
            // diffusers: no negative prompt and force_zeros_for_empty_prompt -> zero embeddings
            negEmbeds = ops.upload(HostTensor.zeros(cond.promptEmbeds().shape()));
            negPooled = ops.upload(HostTensor.zeros(cond.pooledPromptEmbeds().shape()));
        } else {
            PromptEmbeds neg = encodePrompts(negatives, "negative prompt");
            negEmbeds = neg.promptEmbeds();
            negPooled = neg.pooledPromptEmbeds();
        }
        return new Conditioning(ops.concat(0, negEmbeds, cond.promptEmbeds()),
                ops.concat(0, negPooled, cond.pooledPromptEmbeds()));
    }

    private PromptEmbeds encodePrompts(List<String> prompts, String what) {
        int[][] ids1 = new int[prompts.size()][];
        int[][] ids2 = new int[prompts.size()][];
        for (int i = 0; i < prompts.size(); i++) {
            ClipTokenizer.Encoding e1 = config.tokenizer().encode(prompts.get(i));
            ids1[i] = e1.ids();
            ids2[i] = config.tokenizer2().encode(prompts.get(i)).ids();
            Matcher weighted = WEIGHTED.matcher(prompts.get(i));
            if (weighted.find() && prompts.indexOf(prompts.get(i)) == i) {
                options.warnings().accept("prompt weighting such as '" + weighted.group() + "' is not supported; the "
                        + what + " is encoded as written, brackets and numbers included");
            }
            if (e1.truncated()) {
                options.warnings().accept(what + " " + (i + 1) + " has " + e1.untruncatedLength() + " tokens; CLIP reads "
                        + config.tokenizer().modelMaxLength() + ", the rest is ignored: \"" + abbreviate(prompts.get(i)) + "\"");
            }
        }
        return textEncoders.encode(ops, ids1, ids2);
    }

    /** AUTOMATIC1111's and Compel's weighting syntax: "(red:1.5)", "[red:0.8]", "(red)1.2", "red++". */
    private static final Pattern WEIGHTED = Pattern.compile("[(\\[][^()\\[\\]]*:\\s*-?\\d*\\.?\\d+\\s*[)\\]]|\\)[0-9.]+|\\w[+-]{2,}");

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** time_ids = (original_size, crops_coords_top_left, target_size) = (H, W, 0, 0, H, W) per row. */
    static HostTensor timeIds(int rows, int height, int width) {
        float[] one = {height, width, 0, 0, height, width};
        float[] data = new float[rows * one.length];
        for (int r = 0; r < rows; r++) System.arraycopy(one, 0, data, r * one.length, one.length);
        return new HostTensor(Shape.of(rows, UNetConfig.TIME_IDS), data);
    }

    /** img2img: resize and crop, to [-1, 1] NCHW, encode, sample the posterior, times scaling_factor -> [1, 4, h, w]. */
    private HostTensor encodeInitImage(RgbImage image, int width, int height, TorchGenerator generator) {
        RgbImage fitted = ImageResize.coverAndCenterCrop(image, width, height);
        float[] data = new float[3 * width * height];
        byte[] rgb = fitted.rgb();
        int plane = width * height;
        for (int p = 0; p < plane; p++) {
            for (int ch = 0; ch < 3; ch++) {
                float unit = (rgb[p * 3 + ch] & 0xff) / 255f;                 // VaeImageProcessor: x / 255, then 2x - 1
                data[ch * plane + p] = 2f * unit - 1f;
            }
        }
        HostTensor pixels = new HostTensor(Shape.of(1, 3, height, width), data);
        LatentDistribution dist = vae.encode(vaeOps, vaeOps.upload(pixels));
        HostTensor sample = dist.sample(generator.randn(dist.mean().shape()));   // latent_dist.sample(generator)
        return HostMath.scale(sample, vae.config().scalingFactor());
    }

    /** "turbojet 0.1.0" from the jar manifest, "turbojet (development build)" from classes. */
    public static String software() {
        String v = SdxlPipeline.class.getPackage().getImplementationVersion();
        return "turbojet " + (v == null ? "(development build)" : v);
    }
}
