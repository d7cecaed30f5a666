package dev.turbojet.clip;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.ops.Act;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTextConfigTest {
    @Test
    void realSdxlTurboTextEncoders() {
        ClipTextConfig te1 = ClipTextConfig.read(ReferenceKit.realConfig("text_encoder/config.json"));
        assertEquals(new ClipTextConfig(768, 3072, 12, 12, 77, 49408, Act.QUICK_GELU, 1e-5f, 768, 0, 2, 1, false), te1);
        assertEquals(64, te1.headDim());
        ClipTextConfig te2 = ClipTextConfig.read(ReferenceKit.realConfig("text_encoder_2/config.json"));
        assertEquals(new ClipTextConfig(1280, 5120, 32, 20, 77, 49408, Act.GELU, 1e-5f, 1280, 0, 2, 1, true), te2);
    }

    @Test
    void tinyTextEncoders() {
        ClipTextConfig te1 = ClipTextConfig.read(ReferenceKit.tiny("text_encoder/config.json"));
        assertEquals(new ClipTextConfig(32, 128, 3, 4, 77, 49408, Act.QUICK_GELU, 1e-5f, 32, 0, 2, 1, false), te1);
        ClipTextConfig te2 = ClipTextConfig.read(ReferenceKit.tiny("text_encoder_2/config.json"));
        assertEquals(40, te2.hiddenSize());
        assertEquals(32, te2.projectionDim());
        assertEquals(Act.GELU, te2.hiddenAct());
        assertTrue(te2.withProjection());
        assertFalse(te1.withProjection());
    }

    @Test
    void badValuesNameTheKey() throws IOException {
        String good = Files.readString(ReferenceKit.tiny("text_encoder/config.json"));
        assertBad(good.replace("\"quick_gelu\"", "\"relu\""), "hidden_act \"relu\"");
        assertBad(good.replace("\"CLIPTextModel\"", "\"CLIPVisionModel\""), "architectures \"CLIPVisionModel\"");
        assertBad(good.replace("\"hidden_size\": 32,", ""), "missing key hidden_size");
        assertBad(good.replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 5"), "num_attention_heads 5");
        assertBad(good.replace("\"model_type\": \"clip_text_model\"", "\"model_type\": \"t5\""), "model_type \"t5\"");
        assertBad(good.replace("\"layer_norm_eps\": 1e-05", "\"layer_norm_eps\": \"small\""), "layer_norm_eps \"small\"");
        // irrelevant extra keys are ignored
        ClipTextConfig extra = ClipTextConfig.parse(good.replace("{", "{\"something_new\": [1, 2],"), "extra");
        assertEquals(32, extra.hiddenSize());
    }

    private static void assertBad(String json, String expected) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> ClipTextConfig.parse(json, "cfg.json"));
        assertTrue(e.getMessage().startsWith("cfg.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
