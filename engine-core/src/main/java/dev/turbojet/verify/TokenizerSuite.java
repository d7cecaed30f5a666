package dev.turbojet.verify;

import dev.turbojet.clip.ClipTokenizer;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;

import java.util.List;

/**
 * Tokenizer goldens: {@code input_ids_N} / {@code attention_mask_N} [prompts, 77] for tokenizer N
 * (1 = {@code tokenizer}, 2 = {@code tokenizer_2}) and {@code untruncated_length}, for the prompts
 * of the accompanying prompts JSON, row by row. Exact.
 */
public final class TokenizerSuite implements GoldenSuite {
    @Override
    public String name() {
        return "tokenizer";
    }

    @Override
    public boolean accepts(GoldenFile g) {
        return g.has("input_ids_1") && g.has("attention_mask_1");
    }

    @Override
    public void run(VerifyContext ctx, GoldenFile g, VerifyReport report) {
        var prompts = g.prompts();
        if (prompts.isEmpty()) {
            report.notSupported("input_ids_1", "no prompts JSON beside " + g.fileName());
            return;
        }
        List<String> texts = prompts.get();
        for (int n = 1; g.has("input_ids_" + n); n++) {
            String component = n == 1 ? "tokenizer" : "tokenizer_" + n;
            String ids = "input_ids_" + n;
            try {
                ClipTokenizer tok = ctx.tokenizer(component);
                Shape shape = g.view(ids).shape();
                int rows = shape.intDim(0), len = shape.intDim(1);
                if (rows != texts.size()) {
                    report.error(ids, new IllegalStateException(rows + " rows but " + texts.size() + " prompts"));
                    continue;
                }
                float[] idOut = new float[rows * len], maskOut = new float[rows * len], lengths = new float[rows];
                for (int r = 0; r < rows; r++) {
                    ClipTokenizer.Encoding e = tok.encode(texts.get(r));
                    for (int i = 0; i < len && i < e.ids().length; i++) {
                        idOut[r * len + i] = e.ids()[i];
                        maskOut[r * len + i] = e.attentionMask()[i];
                    }
                    lengths[r] = e.untruncatedLength();
                }
                report.check(ids, new HostTensor(shape, idOut), Tolerance.EXACT);
                if (g.has("attention_mask_" + n)) {
                    report.check("attention_mask_" + n, new HostTensor(shape, maskOut), Tolerance.EXACT);
                }
                // untruncated_length is tokenizer 1's count (tokenizer_2 splits '!' as its pad token).
                if (n == 1 && g.has("untruncated_length")) {
                    report.check("untruncated_length", new HostTensor(Shape.of(rows), lengths), Tolerance.EXACT);
                }
            } catch (RuntimeException e) {
                report.error(ids, e);
            }
        }
    }
}
