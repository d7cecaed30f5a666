package dev.turbojet.verify;

import dev.turbojet.io.Variant;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.TracingOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.unet.UNet2DCondition;

/**
 * UNet goldens: every case {@code <case>.in.sample} (with its timestep, encoder_hidden_states,
 * text_embeds and time_ids) runs one forward; {@code <case>.out} and every {@code <case>.hook.<path>}
 * are compared with the activation the model marked at that path; {@code <case>.fp16w.out} with
 * the fp16 weight files.
 */
public final class UNetSuite implements GoldenSuite {
    @Override
    public String name() {
        return "unet";
    }

    @Override
    public boolean accepts(GoldenFile g) {
        return !g.cases(".in.sample").isEmpty();
    }

    @Override
    public void run(VerifyContext ctx, GoldenFile g, VerifyReport report) {
        for (String c : g.cases(".in.sample")) {
            try {
                runCase(ctx, g, report, c);
            } catch (RuntimeException e) {
                report.error(c + ".out", e);
            }
        }
    }

    private static void runCase(VerifyContext ctx, GoldenFile g, VerifyReport report, String c) {
        HostTensor sample = report.input(c + ".in.sample");
        HostTensor context = report.input(c + ".in.encoder_hidden_states");
        HostTensor textEmbeds = report.input(c + ".in.text_embeds");
        HostTensor timeIds = report.input(c + ".in.time_ids");
        float t = report.input(c + ".in.timestep").data()[0];

        TracingOps ops = new TracingOps(ctx.ops());
        HostTensor out = forward(ops, ctx.unet(Variant.FP32), sample, t, context, textEmbeds, timeIds);
        report.check(c + ".out", out, ctx.outputTolerance());
        String prefix = c + ".hook.";
        for (String path : g.under(prefix)) {
            HostTensor actual = ops.traced().get(path);
            if (actual == null) report.notSupported(prefix + path, "the model marks no activation at " + path);
            else report.check(prefix + path, actual, ctx.hookTolerance());
        }
        if (g.has(c + ".fp16w.out")) {
            if (!ctx.hasVariant("unet", Variant.FP16)) {
                report.notSupported(c + ".fp16w.out", "the model folder has no fp16 UNet weights");
            } else {
                HostTensor half = forward(ctx.ops(), ctx.unet(Variant.FP16), sample, t, context, textEmbeds, timeIds);
                report.check(c + ".fp16w.out", half, ctx.outputTolerance());
            }
        }
    }

    static HostTensor forward(Ops ops, UNet2DCondition unet, HostTensor sample, float t, HostTensor context,
                              HostTensor textEmbeds, HostTensor timeIds) {
        return ops.download(unet.forward(ops, ops.upload(sample), t, ops.upload(context), ops.upload(textEmbeds), timeIds));
    }
}
