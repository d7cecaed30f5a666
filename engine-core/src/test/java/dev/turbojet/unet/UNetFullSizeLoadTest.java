package dev.turbojet.unet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.SyntheticWeights;
import dev.turbojet.io.TensorSource;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real SDXL Turbo UNet, built from its config, binds exactly the manifest's tensors (both directions). */
class UNetFullSizeLoadTest {
    @Test
    void bindsEveryManifestTensorAndNothingElse() throws IOException {
        UNetConfig cfg = UNetConfig.read(ReferenceKit.realConfig("unet/config.json"));
        TensorSource src = ReferenceKit.manifestShapes("unet.tsv");
        JsonNode totals = new ObjectMapper().readTree(ReferenceKit.manifest("totals.json").toFile()).get("unet");
        assertEquals(totals.get("tensors").asInt(), src.names().size());
        long manifestParams = SyntheticWeights.readManifest(ReferenceKit.manifest("unet.tsv")).stream()
                .mapToLong(e -> e.shape().numel()).sum();
        assertEquals(2_567_463_684L, manifestParams);

        AtomicLong params = new AtomicLong();
        UNet2DCondition unet = UNet2DCondition.load(src, ReferenceKit.shapeOnlyOps(params), cfg);   // throws on any mismatch
        assertEquals(totals.get("parameters").asLong(), params.get());
        assertEquals(2_567_463_684L, params.get());

        // the structure SDXL is known for
        assertInstanceOf(DownBlock2D.class, unet.downBlocks().get(0));
        var down2 = assertInstanceOf(CrossAttnDownBlock2D.class, unet.downBlocks().get(2));
        assertEquals(10, down2.attentions().get(0).transformerBlocks().size());
        assertTrue(down2.downsampler().isEmpty());
        var up0 = assertInstanceOf(CrossAttnUpBlock2D.class, unet.upBlocks().get(0));
        assertEquals(3, up0.resnets().size());
        assertEquals(10, up0.attentions().get(2).transformerBlocks().size());
        assertEquals(20, up0.attentions().get(0).transformerBlocks().get(0).attn1().heads());
        assertEquals(10, unet.midBlock().attentions().get(0).transformerBlocks().size());
        assertTrue(unet.upBlocks().get(2) instanceof UpBlock2D u && u.upsampler().isEmpty());
    }
}
