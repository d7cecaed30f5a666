package dev.turbojet.taesd;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.schedule.TorchGenerator;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.MarkScopes;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** TAESD marks each Sequential layer by its index, the checkpoint path of its weights, under the load scope. */
class TaesdMarksTest {
    @Test
    void decoderLayersAreMarkedByTheirCheckpointIndex() {
        try (SafetensorsFile f = SafetensorsFile.open(ReferenceKit.root().resolve("taesdxl/taesdxl_decoder.safetensors"))) {
            TaesdConfig cfg = TaesdConfig.ofDecoder(f);
            List<String> marks = MarkScopes.assertMarksFollowTheScope(f, w -> TaesdDecoder.load(w, cfg),
                    (decoder, ops) -> decoder.decode(ops, ops.upload(new TorchGenerator(3).randn(Shape.of(1, cfg.latentChannels(), 2, 2)))));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < TaesdDecoder.LAYERS; i++) expected.add(Integer.toString(i));
            assertEquals(expected, marks);
        }
    }

    @Test
    void encoderLayersAreMarkedByTheirCheckpointIndex() {
        try (SafetensorsFile f = SafetensorsFile.open(ReferenceKit.root().resolve("taesdxl/taesdxl_encoder.safetensors"))) {
            TaesdConfig cfg = TaesdConfig.ofEncoder(f);
            List<String> marks = MarkScopes.assertMarksFollowTheScope(f, w -> TaesdEncoder.load(w, cfg),
                    (encoder, ops) -> encoder.encode(ops, ops.upload(new TorchGenerator(4).randn(Shape.of(1, cfg.imageChannels(), 16, 16)))));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < TaesdEncoder.LAYERS; i++) expected.add(Integer.toString(i));
            assertEquals(expected, marks);
        }
    }
}
