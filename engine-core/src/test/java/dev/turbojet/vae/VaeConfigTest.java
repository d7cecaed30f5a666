package dev.turbojet.vae;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VaeConfigTest {
    @Test
    void realSdxlTurboVae() {
        VaeConfig cfg = VaeConfig.read(ReferenceKit.realConfig("vae/config.json"));
        assertEquals(new VaeConfig(3, 3, 4, List.of(128, 256, 512, 512), 2, 32, 0.13025f, true, 512, true, true, true), cfg);
        assertEquals(8, cfg.downscale());
    }

    @Test
    void tinyVae() {
        VaeConfig cfg = VaeConfig.read(ReferenceKit.tiny("vae/config.json"));
        assertEquals(new VaeConfig(3, 3, 4, List.of(8, 16, 32, 32), 2, 4, 0.13025f, true, 64, true, true, true), cfg);
    }

    @Test
    void optionalKeysAndBadValues() throws IOException {
        String good = Files.readString(ReferenceKit.tiny("vae/config.json"));
        assertFalse(VaeConfig.parse(good.replace("{", "{\"mid_block_add_attention\": false, \"shift_factor\": null,"), "x")
                .midBlockAddAttention());
        assertBad(good.replaceFirst("\"DownEncoderBlock2D\"", "\"AttnDownEncoderBlock2D\""), "down_block_types entry \"AttnDownEncoderBlock2D\"");
        assertBad(good.replaceFirst("\"UpDecoderBlock2D\",", ""), "up_block_types has 3 entries");
        assertBad(good.replace("\"silu\"", "\"gelu\""), "act_fn \"gelu\"");
        assertBad(good.replace("{", "{\"shift_factor\": 0.1159,"), "shift_factor 0.1159");
        assertBad(good.replace("\"norm_num_groups\": 4", "\"norm_num_groups\": 3"), "norm_num_groups 3");
        assertBad(good.replace("\"norm_num_groups\": 4", "\"norm_num_groups\": 0"), "norm_num_groups must be positive, got 0");
        assertBad(good.replace("\"sample_size\": 64", "\"sample_size\": 0"), "sample_size must be positive, got 0");
        assertBad(good.replace("\"layers_per_block\": 2", "\"layers_per_block\": 100000"), "layers_per_block 100000 is not supported");
        assertBad(good.replace("\"AutoencoderKL\"", "\"AutoencoderTiny\""), "_class_name \"AutoencoderTiny\"");
        assertBad(good.replace("\"force_upcast\": true", "\"force_upcast\": \"yes\""), "force_upcast \"yes\"");
    }

    private static void assertBad(String json, String expected) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> VaeConfig.parse(json, "vae.json"));
        assertTrue(e.getMessage().startsWith("vae.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
