package dev.turbojet.unet;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.schedule.TorchGenerator;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.MarkScopes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The UNet marks every block under the checkpoint path it was loaded from (the names the goldens' hooks use). */
class UNetMarksTest {
    @Test
    void marksAreTheCheckpointPathsUnderTheLoadScope() {
        UNetConfig cfg = TinyUNet.config();
        try (SafetensorsFile f = SafetensorsFile.open(TinyUNet.weights())) {
            List<String> marks = MarkScopes.assertMarksFollowTheScope(f, w -> UNet2DCondition.load(w, cfg), (unet, ops) -> {
                TorchGenerator g = new TorchGenerator(1);
                unet.forward(ops, ops.upload(g.randn(Shape.of(1, cfg.inChannels(), 8, 8))), 999f,
                        ops.upload(g.randn(Shape.of(1, 4, cfg.crossAttentionDim()))),
                        ops.upload(g.randn(Shape.of(1, cfg.pooledDim()))),
                        HostTensor.of(Shape.of(1, UNetConfig.TIME_IDS), 64, 64, 0, 0, 64, 64));
            });
            for (String path : List.of("time_proj", "add_embedding", "conv_in", "down_blocks.0.resnets.0.norm1",
                    "down_blocks.1.attentions.0.transformer_blocks.0.attn2", "down_blocks.0.res_samples.0", "mid_block",
                    "up_blocks.0.upsamplers.0", "conv_out")) {
                assertTrue(marks.contains(path), () -> path + " not among " + marks);
            }
        }
    }
}
