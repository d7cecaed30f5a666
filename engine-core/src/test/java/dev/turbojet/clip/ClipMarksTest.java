package dev.turbojet.clip;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.testing.MarkScopes;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The text encoder marks its parts under the checkpoint path it was loaded from. */
class ClipMarksTest {
    @Test
    void marksAreTheCheckpointPathsUnderTheLoadScope() {
        ClipTextConfig cfg = ClipTextConfig.read(ReferenceKit.tiny("text_encoder_2/config.json"));
        try (SafetensorsFile f = SafetensorsFile.open(ReferenceKit.tiny("text_encoder_2/model.safetensors"))) {
            List<String> marks = MarkScopes.assertMarksFollowTheScope(f, w -> ClipTextModel.load(w, cfg),
                    (model, ops) -> model.forward(ops, new int[][] {{49406, 320, 1125, 49407, 0}}));
            List<String> expected = new ArrayList<>(List.of("text_model.embeddings"));
            for (int i = 0; i < cfg.numHiddenLayers(); i++) expected.add("text_model.encoder.layers." + i);
            expected.addAll(List.of("text_model.final_layer_norm", "text_projection"));
            assertEquals(expected, marks);
        }
    }
}
