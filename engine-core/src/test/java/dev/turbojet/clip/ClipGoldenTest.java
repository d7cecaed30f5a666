package dev.turbojet.clip;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.Goldens;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** tiny-sdxl text encoders (CpuOps, fp32) against transformers' float64 goldens, all 10 prompts. */
class ClipGoldenTest {
    static final double TOL = Goldens.OUTPUT_TOL;
    static Ops ops;
    static Goldens g;
    static ClipTextModel te1, te2;
    static int[][] ids1, ids2;

    @BeforeAll
    static void load() {
        ops = new CpuOps(2);
        g = new Goldens(ReferenceKit.golden("text_encoders.safetensors"));
        te1 = load("text_encoder");
        te2 = load("text_encoder_2");
        ids1 = g.ids("input_ids_1");
        ids2 = g.ids("input_ids_2");
    }

    static ClipTextModel load(String component) {
        try (SafetensorsFile f = SafetensorsFile.open(ReferenceKit.tiny(component + "/model.safetensors"))) {
            return ClipTextModel.load(f, ops, ClipTextConfig.read(ReferenceKit.tiny(component + "/config.json")));
        }
    }

    @AfterAll
    static void close() {
        g.printWorst();
        g.close();
    }

    @Test
    void textEncoder1() {
        ClipTextModel.Output out = te1.forward(ops, ids1);
        checkHiddenStates("te1", out.hiddenStates());
        g.check("te1", "te1.penultimate", ops, out.penultimate(), TOL);
        g.check("te1", "te1.last_hidden_state", ops, out.lastHiddenState(), TOL);
        g.check("te1", "te1.pooler_output", ops, out.pooled(), TOL);
        // the shortcut that skips the last layer gives the same penultimate state
        assertArrayEquals(ops.download(out.penultimate()).data(), ops.download(te1.penultimate(ops, ids1)).data());
        assertEquals(0, out.textEmbeds().stream().count());
    }

    @Test
    void textEncoder2() {
        ClipTextModel.Output out = te2.forward(ops, ids2);
        checkHiddenStates("te2", out.hiddenStates());
        g.check("te2", "te2.penultimate", ops, out.penultimate(), TOL);
        g.check("te2", "te2.last_hidden_state", ops, out.lastHiddenState(), TOL);
        g.check("te2", "te2.text_embeds", ops, out.textEmbeds().orElseThrow(), TOL);
    }

    @Test
    void sdxlPromptEmbeds() {
        TextEncoders encoders = new TextEncoders(te1, te2);
        assertEquals(72, encoders.promptEmbedDim());
        TextEncoders.PromptEmbeds pe = encoders.encode(ops, ids1, ids2);
        g.check("encode_prompt", "prompt_embeds", ops, pe.promptEmbeds(), TOL);
        g.check("encode_prompt", "pooled_prompt_embeds", ops, pe.pooledPromptEmbeds(), TOL);
    }

    /** fp16w.*: the *.fp16.safetensors weights (fp32 weights rounded to fp16) upcast, first 3 prompts. */
    @Test
    void fp16Weights() {
        ClipTextModel h1, h2;
        try (SafetensorsFile f1 = SafetensorsFile.open(ReferenceKit.tiny("text_encoder/model.safetensors"));
             SafetensorsFile f2 = SafetensorsFile.open(ReferenceKit.tiny("text_encoder_2/model.safetensors"))) {
            h1 = ClipTextModel.load(ReferenceKit.roundedToFp16(f1), ops, te1.config());
            h2 = ClipTextModel.load(ReferenceKit.roundedToFp16(f2), ops, te2.config());
        }
        int[][] a = Arrays.copyOf(ids1, 3), b = Arrays.copyOf(ids2, 3);
        g.check("fp16w", "fp16w.te1.pooler_output", ops, h1.forward(ops, a).pooled(), TOL);
        TextEncoders.PromptEmbeds pe = new TextEncoders(h1, h2).encode(ops, a, b);
        g.check("fp16w", "fp16w.prompt_embeds", ops, pe.promptEmbeds(), TOL);
        g.check("fp16w", "fp16w.pooled_prompt_embeds", ops, pe.pooledPromptEmbeds(), TOL);
    }

    /** The pipeline goldens' prompt_embeds, from the tokenizer goldens' ids of the prompts each call used. */
    @Test
    void pipelinePromptEmbeds() {
        TextEncoders encoders = new TextEncoders(te1, te2);
        try (Goldens tok = new Goldens(ReferenceKit.golden("tokenizer.safetensors"));
             Goldens pipe = new Goldens(ReferenceKit.golden("pipeline.safetensors"))) {
            int[][] all1 = tok.ids("input_ids_1"), all2 = tok.ids("input_ids_2");
            for (String c : List.of("p64x64_s1", "p64x96_s1")) {
                long[] index = pipe.longs(c + ".prompt_index");
                int[][] a = new int[index.length][], b = new int[index.length][];
                for (int i = 0; i < index.length; i++) {
                    a[i] = all1[(int) index[i]];
                    b[i] = all2[(int) index[i]];
                }
                TextEncoders.PromptEmbeds pe = encoders.encode(ops, a, b);
                g.check("pipeline", c + ".prompt_embeds", ops.download(pe.promptEmbeds()), pipe.get(c + ".prompt_embeds"), TOL);
                g.check("pipeline", c + ".pooled_prompt_embeds", ops.download(pe.pooledPromptEmbeds()),
                        pipe.get(c + ".pooled_prompt_embeds"), TOL);
            }
        }
    }

    @Test
    void poolingPositions() {
        // te1 pads with <|endoftext|> (49407): argmax finds the first one; te2 pads with 0
        for (int b = 0; b < ids1.length; b++) {
            int first = Arrays.stream(ids1[b]).boxed().toList().indexOf(49407);
            assertEquals(first, te1.eosPositions(ids1)[b]);
            assertEquals(Arrays.stream(ids2[b]).boxed().toList().indexOf(49407), te2.eosPositions(ids2)[b]);
        }
        // hiddenState(index) counts like Python: 0 embeddings, -1 the last layer
        assertEquals(Shape.of(10, 77, 32), te1.hiddenState(ops, ids1, 0).shape());
    }

    /** hidden_states [L+1, 3, 77, C] golden: the first 3 prompts. */
    private void checkHiddenStates(String te, List<dev.turbojet.tensor.Tensor> hidden) {
        HostTensor all = g.get(te + ".hidden_states");
        assertEquals(all.shape().dim(0), hidden.size());
        for (int i = 0; i < hidden.size(); i++) {
            HostTensor actual = Goldens.rows(ops.download(hidden.get(i)), 0, 3);
            g.check(te + ".hidden_states", te + ".hidden_states[" + i + "]", actual, all.get(i), TOL);
        }
    }
}
