package dev.turbojet.verify;

import dev.turbojet.clip.ClipTextModel;
import dev.turbojet.clip.TextEncoders;
import dev.turbojet.io.Variant;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Text-encoder goldens: from the stored {@code input_ids_1/2}, both encoders' hidden states
 * ({@code teN.hidden_states} [layers+1, rows, 77, C] for the first rows, {@code teN.penultimate},
 * {@code teN.last_hidden_state}, {@code teN.pooler_output}, {@code te2.text_embeds}) and SDXL's
 * {@code prompt_embeds} / {@code pooled_prompt_embeds}; {@code fp16w.*} with the fp16 weight files.
 */
public final class TextEncoderSuite implements GoldenSuite {
    @Override
    public String name() {
        return "text encoders";
    }

    @Override
    public boolean accepts(GoldenFile g) {
        return g.has("input_ids_1") && g.has("prompt_embeds");
    }

    @Override
    public void run(VerifyContext ctx, GoldenFile g, VerifyReport report) {
        Ops ops = ctx.ops();
        int[][] ids1 = ids(report, g, "input_ids_1");
        int[][] ids2 = ids(report, g, "input_ids_2");
        report.cover("prompt_index");
        try {
            TextEncoders enc = ctx.textEncoders(Variant.FP32);
            checkEncoder(ctx, g, report, "te1", enc.textEncoder(), ids1);
            checkEncoder(ctx, g, report, "te2", enc.textEncoder2(), ids2);
            TextEncoders.PromptEmbeds pe = enc.encode(ops, ids1, ids2);
            report.check("prompt_embeds", ops.download(pe.promptEmbeds()), ctx.outputTolerance());
            report.check("pooled_prompt_embeds", ops.download(pe.pooledPromptEmbeds()), ctx.outputTolerance());
        } catch (RuntimeException e) {
            report.error("prompt_embeds", e);
        }
        if (g.under("fp16w.").isEmpty()) return;
        if (!ctx.hasVariant("text_encoder", Variant.FP16) || !ctx.hasVariant("text_encoder_2", Variant.FP16)) {
            for (String n : g.under("fp16w.")) report.notSupported("fp16w." + n, "the model folder has no fp16 text-encoder weights");
            return;
        }
        try {
            TextEncoders enc = ctx.textEncoders(Variant.FP16);
            int rows = g.view("fp16w.prompt_embeds").shape().intDim(0);
            int[][] r1 = Arrays.copyOf(ids1, rows), r2 = Arrays.copyOf(ids2, rows);
            TextEncoders.PromptEmbeds pe = enc.encode(ops, r1, r2);
            report.check("fp16w.prompt_embeds", ops.download(pe.promptEmbeds()), ctx.outputTolerance());
            report.check("fp16w.pooled_prompt_embeds", ops.download(pe.pooledPromptEmbeds()), ctx.outputTolerance());
            if (g.has("fp16w.te1.pooler_output")) {
                report.check("fp16w.te1.pooler_output", ops.download(enc.textEncoder().forward(ops, r1).pooled()), ctx.outputTolerance());
            }
        } catch (RuntimeException e) {
            report.error("fp16w.prompt_embeds", e);
        }
    }

    private static void checkEncoder(VerifyContext ctx, GoldenFile g, VerifyReport report, String p, ClipTextModel model, int[][] ids) {
        Ops ops = ctx.ops();
        ClipTextModel.Output out = model.forward(ops, ids);
        report.check(p + ".last_hidden_state", ops.download(out.lastHiddenState()), ctx.outputTolerance());
        report.check(p + ".penultimate", ops.download(out.penultimate()), ctx.outputTolerance());
        if (g.has(p + ".pooler_output")) report.check(p + ".pooler_output", ops.download(out.pooled()), ctx.outputTolerance());
        out.textEmbeds().ifPresent(t -> {
            if (g.has(p + ".text_embeds")) report.check(p + ".text_embeds", ops.download(t), ctx.outputTolerance());
        });
        if (g.has(p + ".hidden_states")) {
            Shape want = g.view(p + ".hidden_states").shape();
            int rows = want.intDim(1);
            report.check(p + ".hidden_states", stackRows(ops, out.hiddenStates(), rows), ctx.outputTolerance());
        }
    }

    /** [layers+1] tensors of [B, T, C] -> [layers+1, rows, T, C] keeping the first {@code rows} prompts. */
    private static HostTensor stackRows(Ops ops, List<Tensor> states, int rows) {
        HostTensor first = ops.download(states.get(0));
        long[] d = first.shape().dims();
        int per = Math.toIntExact(first.shape().numel() / d[0]) * rows;
        float[] out = new float[states.size() * per];
        for (int i = 0; i < states.size(); i++) {
            System.arraycopy(ops.download(states.get(i)).data(), 0, out, i * per, per);
        }
        return new HostTensor(Shape.of(states.size(), rows, d[1], d[2]), out);
    }

    static int[][] ids(VerifyReport report, GoldenFile g, String name) {
        Shape s = g.view(name).shape();
        long[] flat = report.inputLongs(name);
        int b = s.intDim(0), t = s.intDim(1);
        int[][] out = new int[b][t];
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) out[i][j] = Math.toIntExact(flat[i * t + j]);
        return out;
    }
}
