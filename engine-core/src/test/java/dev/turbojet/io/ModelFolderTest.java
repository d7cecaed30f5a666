package dev.turbojet.io;

import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFolderTest {
    @TempDir
    Path dir;

    @Test
    void tinyModelComponents() {
        ModelFolder m = ModelFolder.open(ReferenceKit.tiny());
        assertEquals("StableDiffusionXLPipeline", m.className());
        // feature_extractor and image_encoder are [null, null]: left out
        assertEquals(List.of("scheduler", "text_encoder", "text_encoder_2", "tokenizer", "tokenizer_2", "unet", "vae"),
                m.components().stream().map(ModelComponent::name).toList());
        ModelComponent unet = m.component("unet");
        assertEquals("diffusers", unet.library());
        assertEquals("UNet2DConditionModel", unet.className());
        assertEquals(ReferenceKit.tiny("unet/config.json"), unet.config());
        assertEquals(ReferenceKit.tiny("scheduler/scheduler_config.json"), m.config("scheduler"));
        assertEquals(ReferenceKit.tiny("tokenizer_2/tokenizer_config.json"), m.config("tokenizer_2"));
        assertEquals(ReferenceKit.tiny("text_encoder_2/model.safetensors"), m.weights("text_encoder_2").path());
        assertFalse(m.component("tokenizer").hasWeights());
        assertFalse(m.component("scheduler").hasWeights());
        try (SafetensorsSource vae = m.openWeights("vae")) {
            assertEquals(248, vae.names().size());
        }
    }

    @Test
    void unknownComponentListsTheOthers() {
        ModelFolder m = ModelFolder.open(ReferenceKit.tiny());
        var e = assertThrows(CheckpointException.class, () -> m.component("image_encoder"));
        assertTrue(e.getMessage().contains("no component \"image_encoder\" in model_index.json (it has scheduler, "), e.getMessage());
    }

    @Test
    void notAModelFolder() {
        var e = assertThrows(CheckpointException.class, () -> ModelFolder.open(ReferenceKit.tiny("unet")));
        assertTrue(e.getMessage().contains("no model_index.json, so not a diffusers model folder (it holds config.json, "
                + "diffusion_pytorch_model.safetensors)"), e.getMessage());
    }

    private Path partialCopy() throws IOException {
        Files.copy(ReferenceKit.tiny("model_index.json"), dir.resolve("model_index.json"));
        for (String c : List.of("scheduler", "text_encoder", "text_encoder_2", "tokenizer", "tokenizer_2", "unet", "vae")) {
            Files.createDirectories(dir.resolve(c));
        }
        return dir;
    }

    @Test
    void missingComponentFolder() throws IOException {
        partialCopy();
        Files.delete(dir.resolve("vae"));
        var e = assertThrows(CheckpointException.class, () -> ModelFolder.open(dir));
        assertTrue(e.getMessage().contains("component vae (AutoencoderKL), listed in " + dir.resolve("model_index.json")
                + ": folder " + dir.resolve("vae") + " does not exist"), e.getMessage());
    }

    @Test
    void missingConfigAndWeights() throws IOException {
        ModelFolder m = ModelFolder.open(partialCopy());
        var config = assertThrows(CheckpointException.class, () -> m.config("unet"));
        assertTrue(config.getMessage().contains("component unet (UNet2DConditionModel): config "
                + dir.resolve("unet/config.json") + " does not exist"), config.getMessage());
        var weights = assertThrows(CheckpointException.class, () -> m.weights("text_encoder", Variant.FP16));
        assertTrue(weights.getMessage().startsWith("component text_encoder (CLIPTextModel): " + dir.resolve("text_encoder")
                + ": no FP16 weights"), weights.getMessage());
        assertTrue(weights.getMessage().contains("the folder holds no weight or config files"), weights.getMessage());
    }

    @Test
    void resolveTakesALocalFolderFirst() {
        assertEquals(ReferenceKit.tiny(), ModelFolder.resolve(ReferenceKit.tiny().toString(), java.util.Optional.empty()).root());
        var e = assertThrows(CheckpointException.class, () -> ModelFolder.resolve("/no/such/place", java.util.Optional.empty()));
        assertTrue(e.getMessage().contains("no such folder, and not a repository id"), e.getMessage());
    }
}
