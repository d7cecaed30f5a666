package dev.turbojet.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.ops.Ops;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The real SDXL Turbo text encoders, built from their configs, bind exactly the manifest's tensors. */
class ClipFullSizeLoadTest {
    @ParameterizedTest
    @ValueSource(strings = {"text_encoder", "text_encoder_2"})
    void bindsEveryManifestTensorAndNothingElse(String component) throws IOException {
        ClipTextConfig cfg = ClipTextConfig.read(ReferenceKit.realConfig(component + "/config.json"));
        TensorSource src = ReferenceKit.manifestShapes(component + ".tsv");
        JsonNode totals = new ObjectMapper().readTree(ReferenceKit.manifest("totals.json").toFile()).get(component);
        assertEquals(totals.get("tensors").asInt(), src.names().size());

        AtomicLong params = new AtomicLong();
        Ops ops = ReferenceKit.shapeOnlyOps(params);
        ClipTextModel model = ClipTextModel.load(src, ops, cfg);         // throws on any missing/extra/misshapen tensor
        assertEquals(totals.get("parameters").asLong(), params.get());
        assertEquals(cfg.numHiddenLayers(), model.layers().size());
        assertEquals(cfg.withProjection(), model.textProjection().isPresent());

        // a checkpoint that still carries transformers' position_ids buffer loads too
        TensorView ids = src.find("text_model.embeddings.position_embedding.weight").orElseThrow();
        ClipTextModel.load(ReferenceKit.withExtras(src, Map.of("text_model.embeddings.position_ids", ids)),
                ReferenceKit.shapeOnlyOps(new AtomicLong()), cfg);
    }
}
