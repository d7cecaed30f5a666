package dev.turbojet.verify;

import dev.turbojet.io.Variant;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.TracingOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.vae.AutoencoderKL;
import dev.turbojet.vae.LatentDistribution;
import dev.turbojet.vae.VaeImages;

import java.util.Map;

/**
 * VAE goldens. Decoder cases ({@code <case>.decoder_input}): decoded, image, image_uint8 and the
 * {@code hook.*} intermediates, also with the fp16 weights ({@code fp16w.decoded}). Encoder cases
 * ({@code <case>.sample_noise}): posterior mean, logvar, std, the sample with the stored noise,
 * init_latents and hooks.
 */
public final class VaeSuite implements GoldenSuite {
    @Override
    public String name() {
        return "vae";
    }

    @Override
    public boolean accepts(GoldenFile g) {
        return !g.cases(".decoder_input").isEmpty() || !g.cases(".sample_noise").isEmpty();
    }

    @Override
    public void run(VerifyContext ctx, GoldenFile g, VerifyReport report) {
        for (String c : g.cases(".decoder_input")) {
            try {
                decodeCase(ctx, g, report, c);
            } catch (RuntimeException e) {
                report.error(c + ".decoded", e);
            }
        }
        for (String c : g.cases(".sample_noise")) {
            try {
                encodeCase(ctx, g, report, c);
            } catch (RuntimeException e) {
                report.error(c + ".mean", e);
            }
        }
    }

    private static void decodeCase(VerifyContext ctx, GoldenFile g, VerifyReport report, String c) {
        TracingOps ops = new TracingOps(ctx.vaeOps());
        AutoencoderKL vae = ctx.vae(Variant.FP32);
        HostTensor input = report.input(c + ".decoder_input");
        if (g.has(c + ".latents")) {
            HostTensor latents = report.input(c + ".latents");
            report.check(c + ".decoder_input", scale(latents, 1f / vae.config().scalingFactor()), ctx.vaeOutputTolerance());
        }
        HostTensor decoded = ops.download(vae.decode(ops, ops.upload(input)));
        report.check(c + ".decoded", decoded, ctx.vaeOutputTolerance());
        HostTensor image = VaeImages.toUnitRange(decoded);
        if (g.has(c + ".image")) report.check(c + ".image", image, ctx.vaeOutputTolerance());
        if (g.has(c + ".image_uint8")) {
            Uint8Check.check(report, c + ".image_uint8", VaeImages.toUint8Nhwc(image), ctx.exactImages(), ctx.vaeOutputTolerance());
        }
        checkHooks(ctx, g, report, c, ops.traced(), ops, vae);
        if (g.has(c + ".fp16w.decoded")) {
            if (!ctx.hasVariant("vae", Variant.FP16)) {
                report.notSupported(c + ".fp16w.decoded", "the model folder has no fp16 VAE weights");
            } else {
                AutoencoderKL half = ctx.vae(Variant.FP16);
                Ops vaeOps = ctx.vaeOps();
                report.check(c + ".fp16w.decoded", vaeOps.download(half.decode(vaeOps, vaeOps.upload(input))), ctx.vaeOutputTolerance());
            }
        }
    }

    private static void encodeCase(VerifyContext ctx, GoldenFile g, VerifyReport report, String c) {
        TracingOps ops = new TracingOps(ctx.vaeOps());
        AutoencoderKL vae = ctx.vae(Variant.FP32);
        LatentDistribution dist = vae.encode(ops, ops.upload(report.input(c + ".image")));
        report.check(c + ".mean", dist.mean(), ctx.vaeOutputTolerance());
        report.check(c + ".logvar", dist.logvar(), ctx.vaeOutputTolerance());
        report.check(c + ".std", dist.std(), ctx.vaeOutputTolerance());
        report.cover(c + ".sample_generator_seed");
        HostTensor sample = dist.sample(report.input(c + ".sample_noise"));
        report.check(c + ".sample", sample, ctx.vaeOutputTolerance());
        if (g.has(c + ".init_latents")) {
            report.check(c + ".init_latents", scale(sample, vae.config().scalingFactor()), ctx.vaeOutputTolerance());
        }
        checkHooks(ctx, g, report, c, ops.traced(), ops, vae);
    }

    /**
     * Every {@code <case>.hook.<path>} against the activation the model marked at that path. The
     * {@code conv_norm_out} hooks are the GroupNorm alone, which the engine fuses with its SiLU:
     * they are recomputed from the marked input of that norm with the model's own weights.
     */
    private static void checkHooks(VerifyContext ctx, GoldenFile g, VerifyReport report, String c,
                                   Map<String, HostTensor> traced, Ops ops, AutoencoderKL vae) {
        String prefix = c + ".hook.";
        for (String path : g.under(prefix)) {
            HostTensor actual = traced.get(path);
            if (actual == null && path.equals("decoder.conv_norm_out")) {
                HostTensor in = traced.get("decoder.up_blocks." + (vae.decoder().upBlocks().size() - 1));
                if (in != null) actual = ops.download(vae.decoder().convNormOut().forward(ops, ops.upload(in)));
            } else if (actual == null && path.equals("encoder.conv_norm_out")) {
                HostTensor in = traced.get("encoder.mid_block");
                if (in != null) actual = ops.download(vae.encoder().convNormOut().forward(ops, ops.upload(in)));
            }
            if (actual == null) {
                report.notSupported(prefix + path, "the model marks no activation at " + path);
            } else {
                report.check(prefix + path, actual, ctx.vaeHookTolerance());
            }
        }
    }

    static HostTensor scale(HostTensor t, float s) {
        float[] out = t.data().clone();
        for (int i = 0; i < out.length; i++) out[i] *= s;
        return new HostTensor(t.shape(), out);
    }

}
