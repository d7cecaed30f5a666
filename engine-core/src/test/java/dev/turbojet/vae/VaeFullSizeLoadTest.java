package dev.turbojet.vae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.TensorSource;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real SDXL Turbo VAE, built from its config, binds exactly the manifest's tensors. */
class VaeFullSizeLoadTest {
    @Test
    void bindsEveryManifestTensorAndNothingElse() throws IOException {
        VaeConfig cfg = VaeConfig.read(ReferenceKit.realConfig("vae/config.json"));
        TensorSource src = ReferenceKit.manifestShapes("vae.tsv");
        JsonNode totals = new ObjectMapper().readTree(ReferenceKit.manifest("totals.json").toFile()).get("vae");
        assertEquals(totals.get("tensors").asInt(), src.names().size());

        AtomicLong params = new AtomicLong();
        AutoencoderKL vae = AutoencoderKL.load(src, ReferenceKit.shapeOnlyOps(params), cfg);
        assertEquals(totals.get("parameters").asLong(), params.get());
        assertEquals(4, vae.decoder().upBlocks().size());
        assertTrue(vae.decoder().upBlocks().get(3).upsampler().isEmpty());
        assertTrue(vae.encoder().downBlocks().get(3).downsampler().isEmpty());

        // each half alone: the other half's tensors are skipped, not reported
        AtomicLong decoderParams = new AtomicLong(), encoderParams = new AtomicLong();
        VaeDecoder.load(src, ReferenceKit.shapeOnlyOps(decoderParams), cfg);
        VaeEncoder.load(src, ReferenceKit.shapeOnlyOps(encoderParams), cfg);
        assertEquals(params.get(), decoderParams.get() + encoderParams.get());
    }
}
