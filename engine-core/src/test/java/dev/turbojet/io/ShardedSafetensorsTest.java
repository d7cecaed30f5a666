package dev.turbojet.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardedSafetensorsTest {
    private static final Path VAE = ReferenceKit.tiny("vae/diffusion_pytorch_model.safetensors");

    @TempDir
    Path dir;

    private Path sharded() throws IOException {
        return TestCheckpoints.writeSharded(VAE, dir.resolve("diffusion_pytorch_model.safetensors.index.json"),
                "diffusion_pytorch_model", 3);
    }

    @Test
    void shardsTogetherHoldEveryTensor() throws IOException {
        Path index = sharded();
        try (SafetensorsFile whole = SafetensorsFile.open(VAE); ShardedSafetensors parts = ShardedSafetensors.open(index)) {
            assertEquals(3, parts.files().size());
            assertEquals(whole.names(), parts.names());
            for (TensorView v : whole.tensors()) {
                TensorView p = parts.tensor(v.name());
                assertEquals(v.shape(), p.shape());
                assertArrayEquals(v.toByteArray(), p.toByteArray(), v.name());
            }
            long bytes = whole.tensors().stream().mapToLong(v -> v.data().byteSize()).sum();
            assertEquals(Long.toString(bytes), parts.metadata().get("total_size"));
        }
    }

    @Test
    void missingShardIsNamed() throws IOException {
        Path index = sharded();
        Files.delete(dir.resolve("diffusion_pytorch_model-00002-of-00003.safetensors"));
        var e = assertThrows(SafetensorsException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().startsWith(index.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("shard diffusion_pytorch_model-00002-of-00003.safetensors (holding "), e.getMessage());
        assertTrue(e.getMessage().contains("is missing"), e.getMessage());
    }

    @Test
    void weightMapEntryAbsentFromItsShard() throws IOException {
        Path index = sharded();
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(index.toFile());
        ((ObjectNode) root.get("weight_map")).put("decoder.ghost.weight", "diffusion_pytorch_model-00001-of-00003.safetensors");
        json.writeValue(index.toFile(), root);
        var e = assertThrows(SafetensorsException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().contains("weight_map puts tensor 'decoder.ghost.weight' in shard "
                + "diffusion_pytorch_model-00001-of-00003.safetensors, which has no such tensor"), e.getMessage());
    }

    @Test
    void indexWithoutWeightMap() throws IOException {
        Path index = Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\": {}}");
        var e = assertThrows(SafetensorsException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().contains("index has no \"weight_map\" object"), e.getMessage());
    }

    @Test
    void shardOutsideTheFolderIsRefused() throws IOException {
        Path index = Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"a\": \"../elsewhere.safetensors\"}}");
        var e = assertThrows(SafetensorsException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().contains("must be a file name beside the index"), e.getMessage());
    }
}
