package dev.turbojet.verify;

import dev.turbojet.io.Variant;
import dev.turbojet.pipeline.GeneratedImage;
import dev.turbojet.pipeline.GenerationListener;
import dev.turbojet.pipeline.GenerationRequest;
import dev.turbojet.pipeline.PipelineOptions;
import dev.turbojet.pipeline.SdxlPipeline;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.vae.VaeTiling;

import java.util.ArrayList;
import java.util.List;

/**
 * Whole-pipeline goldens (diffusers' {@code StableDiffusionXLPipeline.__call__}): every case
 * {@code <case>.initial_noise} is re-run from its prompts ({@code prompt_index} rows of the prompts
 * JSON), size (from {@code image}), steps (from {@code timesteps}) and {@code generator_seed}, and
 * every recorded intermediate is compared: conditioning, noise, per-step UNet input, noise
 * prediction, step noise and latents, final latents, image and uint8 image; {@code fp16w.*} with
 * the fp16 weight files.
 */
public final class PipelineSuite implements GoldenSuite {
    @Override
    public String name() {
        return "pipeline";
    }

    @Override
    public boolean accepts(GoldenFile g) {
        return !g.cases(".initial_noise").isEmpty();
    }

    @Override
    public void run(VerifyContext ctx, GoldenFile g, VerifyReport report) {
        var prompts = g.prompts();
        for (String c : g.cases(".initial_noise")) {
            if (prompts.isEmpty()) {
                report.notSupported(c + ".final_latents", "no prompts JSON beside " + g.fileName());
                continue;
            }
            try {
                runCase(ctx, g, report, c, prompts.get(), Variant.FP32, "");
                if (g.has(c + ".fp16w.final_latents")) {
                    if (ctx.hasVariant("unet", Variant.FP16) && ctx.hasVariant("vae", Variant.FP16)
                            && ctx.hasVariant("text_encoder", Variant.FP16) && ctx.hasVariant("text_encoder_2", Variant.FP16)) {
                        runCase(ctx, g, report, c, prompts.get(), Variant.FP16, "fp16w.");
                    } else {
                        for (String n : g.under(c + ".fp16w.")) {
                            report.notSupported(c + ".fp16w." + n, "the model folder has no fp16 weights for every component");
                        }
                    }
                }
            } catch (RuntimeException e) {
                report.error(c + ".final_latents", e);
            }
        }
    }

    private static void runCase(VerifyContext ctx, GoldenFile g, VerifyReport report, String c, List<String> texts,
                                Variant variant, String tag) {
        long[] index = report.inputLongs(c + ".prompt_index");
        List<String> prompts = new ArrayList<>();
        for (long i : index) prompts.add(texts.get(Math.toIntExact(i)));
        Shape image = g.view(c + ".image").shape();
        int steps = g.view(c + ".timesteps").shape().intDim(0);
        long seed = report.inputLongs(c + ".generator_seed")[0];
        SdxlPipeline pipeline = ctx.cached("pipeline/" + variant,
                () -> SdxlPipeline.load(ctx.model(), ctx.ops(), PipelineOptions.defaults().withVariants(List.of(variant))
                        .withVaeOps(ctx.vaeOps())
                        // the goldens are diffusers' untiled decodes, at any size
                        .withVaeTiling(VaeTiling.Mode.OFF)));

        Recorder rec = new Recorder();
        GenerationRequest req = GenerationRequest.builder(prompts).steps(steps)
                .size(image.intDim(3), image.intDim(2)).seed(seed).listener(rec).build();
        List<GeneratedImage> out = pipeline.generate(req);

        Tolerance tol = ctx.outputTolerance();
        String p = c + "." + tag;
        if (tag.isEmpty()) {
            report.check(p + "prompt_embeds", rec.promptEmbeds, tol);
            report.check(p + "pooled_prompt_embeds", rec.pooled, tol);
            report.check(p + "add_time_ids", rec.timeIds, Tolerance.EXACT);
            report.check(p + "initial_noise", rec.noise, Tolerance.EXACT);
            report.check(p + "timesteps", SchedulerSuite.vector(rec.timesteps), Tolerance.EXACT);
            report.check(p + "unet_input", stack(rec.unetInput), tol);
            report.check(p + "step_noise", stack(rec.stepNoise), Tolerance.EXACT);
            report.check(p + "latents_after_step", stack(rec.latents), tol);
        }
        report.check(p + "noise_pred", stack(rec.noisePred), tol);
        report.check(p + "final_latents", batch(out.stream().map(GeneratedImage::latents).toList()), tol);
        Tolerance imageTol = ctx.imageTolerance();  // decoded on the VAE's backend
        report.check(p + "image", batch(out.stream().map(GeneratedImage::pixels).toList()), imageTol);
        byte[] rgb = new byte[out.stream().mapToInt(o -> o.image().rgb().length).sum()];
        int at = 0;
        for (GeneratedImage o : out) {
            System.arraycopy(o.image().rgb(), 0, rgb, at, o.image().rgb().length);
            at += o.image().rgb().length;
        }
        Uint8Check.check(report, p + "image_uint8", rgb, ctx.exactImages(), imageTol);
    }

    /** Per-step tensors [B, ...] stacked to [steps, B, ...]. */
    private static HostTensor stack(List<HostTensor> steps) {
        HostTensor first = steps.get(0);
        int n = first.data().length;
        float[] out = new float[n * steps.size()];
        for (int i = 0; i < steps.size(); i++) System.arraycopy(steps.get(i).data(), 0, out, i * n, n);
        return new HostTensor(Shape.of(SchedulerSuite.prepend(steps.size(), first.shape().dims())), out);
    }

    /** Per-image tensors [1, ...] or [...] joined into [B, ...]. */
    private static HostTensor batch(List<HostTensor> images) {
        HostTensor first = images.get(0);
        long[] d = first.shape().dims();
        long[] inner = d.length == 4 && d[0] == 1 ? java.util.Arrays.copyOfRange(d, 1, 4) : d;
        int n = first.data().length;
        float[] out = new float[n * images.size()];
        for (int i = 0; i < images.size(); i++) System.arraycopy(images.get(i).data(), 0, out, i * n, n);
        return new HostTensor(Shape.of(SchedulerSuite.prepend(images.size(), inner)), out);
    }

    /** Captures what the pipeline reports while it runs. */
    private static final class Recorder implements GenerationListener {
        HostTensor promptEmbeds, pooled, timeIds, noise;
        float[] timesteps;
        final List<HostTensor> unetInput = new ArrayList<>(), noisePred = new ArrayList<>(),
                stepNoise = new ArrayList<>(), latents = new ArrayList<>();

        @Override
        public void onConditioning(HostTensor promptEmbeds, HostTensor pooled, HostTensor timeIds) {
            this.promptEmbeds = promptEmbeds;
            this.pooled = pooled;
            this.timeIds = timeIds;
        }

        @Override
        public void onStart(HostTensor noise, HostTensor latents, float[] timesteps) {
            this.noise = noise;
            this.timesteps = timesteps;
        }

        @Override
        public void onStep(StepProgress s) {
            unetInput.add(s.unetInput());
            noisePred.add(s.noisePred());
            stepNoise.add(s.noise());
            latents.add(s.latents());
        }
    }
}
