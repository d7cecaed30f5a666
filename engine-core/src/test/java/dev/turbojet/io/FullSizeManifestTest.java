package dev.turbojet.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Full-size SDXL Turbo checkpoints rebuilt from the reference manifests as sparse fp16 files (the
 * header is real, the data section is a hole of the right length): the reader handles offsets past
 * 2^31 and counts parameters and bytes exactly as manifests/totals.json states.
 */
class FullSizeManifestTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"unet", "vae", "text_encoder", "text_encoder_2"})
    void countsMatchTheManifestTotals(String component) throws IOException {
        JsonNode totals = new ObjectMapper().readTree(ReferenceKit.manifest("totals.json").toFile()).get(component);
        Path file = TestCheckpoints.sparseFp16(ReferenceKit.manifest(component + ".tsv"), dir.resolve(component + ".safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TensorStats s = TensorStats.of(f);
            assertEquals(totals.get("tensors").asLong(), s.tensors());
            assertEquals(totals.get("parameters").asLong(), s.parameters());
            assertEquals(totals.get("bytes_fp16").asLong(), s.bytes());
            SafetensorsEntry last = f.entries().stream().max(java.util.Comparator.comparingLong(SafetensorsEntry::end)).orElseThrow();
            assertEquals(s.bytes(), last.end());
            assertEquals(0f, f.tensor(last.name()).getFloat(last.numel() - 1));   // readable at the far end of the mapping
        }
    }
}
