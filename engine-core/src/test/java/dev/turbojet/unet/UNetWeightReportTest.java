package dev.turbojet.unet;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.ops.cpu.CpuOps;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A checkpoint that does not fit the config fails once, naming every problem by its full diffusers name. */
class UNetWeightReportTest {
    static final String REMOVED = "up_blocks.1.attentions.2.transformer_blocks.1.attn2.to_k.weight";
    static final String RESHAPED = "down_blocks.1.resnets.0.conv_shortcut.weight";
    static final String EXTRA = "mid_block.attentions.0.transformer_blocks.3.ff.net.2.weight";

    @Test
    void missingMisshapenAndUnexpectedAreReportedTogether() {
        try (SafetensorsFile file = SafetensorsFile.open(TinyUNet.weights())) {
            Map<String, TensorView> edits = new HashMap<>();
            edits.put(REMOVED, null);
            edits.put(RESHAPED, TinyUNet.zeros(RESHAPED, 32, 16, 3, 3));   // the real one is [32, 16, 1, 1]
            edits.put(EXTRA, TinyUNet.zeros(EXTRA, 64, 256));
            TensorSource src = TinyUNet.edited(file, edits);

            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> UNet2DCondition.load(src, new CpuOps(1), TinyUNet.config()));
            String msg = e.getMessage();
            assertTrue(msg.contains("3 problem(s)"), msg);
            assertTrue(msg.contains("missing    " + REMOVED + " [32, 72]"), msg);
            assertTrue(msg.contains("wrong shape " + RESHAPED + ": expected [32, 16, 1, 1], checkpoint has [32, 16, 3, 3]"), msg);
            assertTrue(msg.contains("unexpected " + EXTRA), msg);
        }
    }

    @Test
    void theUnalteredCheckpointBindsCompletely() {
        try (SafetensorsFile file = SafetensorsFile.open(TinyUNet.weights())) {
            UNet2DCondition unet = UNet2DCondition.load(file, new CpuOps(1), TinyUNet.config());
            assertEquals(3, unet.upBlocks().size());
            assertEquals(3, ((CrossAttnUpBlock2D) unet.upBlocks().get(0)).attentions().get(0).transformerBlocks().size());
        }
    }
}
