package dev.turbojet.clip;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
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
