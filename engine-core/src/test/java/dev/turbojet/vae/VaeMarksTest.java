package dev.turbojet.vae;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.schedule.TorchGenerator;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.MarkScopes;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The VAE marks every block under the checkpoint path it was loaded from (the names the goldens' hooks use). */
class VaeMarksTest {
    @Test
    void marksAreTheCheckpointPathsUnderTheLoadScope() {
        VaeConfig cfg = VaeConfig.read(ReferenceKit.tiny("vae/config.json"));
        try (SafetensorsFile f = SafetensorsFile.open(ReferenceKit.tiny("vae/diffusion_pytorch_model.safetensors"))) {
            List<String> marks = MarkScopes.assertMarksFollowTheScope(f,
                    w -> new AutoencoderKL(cfg, VaeEncoder.load(w, cfg), VaeDecoder.load(w, cfg)), (vae, ops) -> {
                        TorchGenerator g = new TorchGenerator(2);
                        vae.encoder().moments(ops, ops.upload(g.randn(Shape.of(1, cfg.inChannels(), 16, 16))));
                        vae.decode(ops, ops.upload(g.randn(Shape.of(1, cfg.latentChannels(), 4, 4))));
                    });
            int last = cfg.blocks() - 1;
            for (String path : List.of("encoder.conv_in", "encoder.down_blocks.0.resnets.0", "encoder.down_blocks.0.downsamplers.0",
                    "encoder.down_blocks." + last, "encoder.mid_block.attentions.0", "encoder.mid_block", "quant_conv",
                    "post_quant_conv", "decoder.mid_block.resnets.1", "decoder.up_blocks.0.upsamplers.0",
                    "decoder.up_blocks." + last, "decoder.conv_out")) {
                assertTrue(marks.contains(path), () -> path + " not among " + marks);
            }
        }
    }
}
