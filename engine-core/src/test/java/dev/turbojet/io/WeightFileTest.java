package dev.turbojet.io;

import dev.turbojet.tensor.DType;
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

/** Choosing a component's weight file by {@link Variant}. */
class WeightFileTest {
    private static final Path VAE = ReferenceKit.tiny("vae/diffusion_pytorch_model.safetensors");
    private static final Path TEXT = ReferenceKit.tiny("text_encoder/model.safetensors");

    @TempDir
    Path dir;

    @Test
    void fp32OnlyFolder() {
        Path folder = VAE.getParent();
        assertEquals(VAE, WeightFile.locate(folder).path());
        assertEquals(Variant.FP32, WeightFile.locate(folder, Variant.FP16, Variant.FP32).variant());
        var e = assertThrows(CheckpointException.class, () -> WeightFile.locate(folder, Variant.FP16));
        assertTrue(e.getMessage().contains("no FP16 weights (looked for diffusion_pytorch_model.fp16.safetensors, "
                + "model.fp16.safetensors and their .index.json); the folder holds config.json, "
                + "diffusion_pytorch_model.safetensors"), e.getMessage());
    }

    @Test
    void fp16VariantIsTheRoundedFp32() throws IOException {
        Path fp16 = TestCheckpoints.writeFp16(TEXT, dir.resolve("model.fp16.safetensors"));
        WeightFile w = WeightFile.locate(dir, Variant.ANY);
        assertEquals(fp16, w.path());
        assertEquals(Variant.FP16, w.variant());
        assertFalse(w.sharded());
        var e = assertThrows(CheckpointException.class, () -> WeightFile.locate(dir));
        assertTrue(e.getMessage().contains("no FP32 weights") && e.getMessage().contains("holds model.fp16.safetensors"), e.getMessage());
        try (SafetensorsSource half = w.open(); SafetensorsFile full = SafetensorsFile.open(TEXT)) {
            TensorView h = half.tensor("text_model.embeddings.token_embedding.weight");
            TensorView f = full.tensor("text_model.embeddings.token_embedding.weight");
            assertEquals(DType.F16, h.dtype());
            assertEquals(f.shape(), h.shape());
            for (long i = 0; i < 1000; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(f.getFloat(i))), h.getFloat(i));
            }
        }
    }

    @Test
    void bothVariantsPresent() throws IOException {
        Files.copy(VAE, dir.resolve("diffusion_pytorch_model.safetensors"));
        TestCheckpoints.writeFp16(VAE, dir.resolve("diffusion_pytorch_model.fp16.safetensors"));
        assertEquals(Variant.FP32, WeightFile.locate(dir).variant());
        assertEquals(Variant.FP16, WeightFile.locate(dir, Variant.FP16).variant());
        assertEquals(Variant.FP16, WeightFile.locate(dir, Variant.parsePreference("fp16,fp32")).variant());
        assertEquals(Variant.FP32, WeightFile.locate(dir, Variant.parsePreference("any")).variant());
        assertEquals(2, WeightFile.available(dir).size());
    }

    @Test
    void shardedFp16Variant() throws IOException {
        Path fp16 = TestCheckpoints.writeFp16(VAE, dir.resolve("whole.fp16"));
        Path index = TestCheckpoints.writeSharded(fp16, dir.resolve("diffusion_pytorch_model.fp16.safetensors.index.json"),
                "diffusion_pytorch_model.fp16", 2);
        Files.delete(fp16);
        WeightFile w = WeightFile.locate(dir, Variant.FP16);
        assertEquals(index, w.path());
        assertTrue(w.sharded());
        try (SafetensorsSource s = w.open()) {
            assertEquals(249 - 1, s.names().size());           // 249 header keys in the file, one is __metadata__
            assertEquals(DType.F16, s.tensor("decoder.conv_in.weight").dtype());
        }
    }

    @Test
    void twoCandidatesForOneVariantIsAnError() throws IOException {
        Files.copy(VAE, dir.resolve("diffusion_pytorch_model.safetensors"));
        Files.copy(VAE, dir.resolve("model.safetensors"));
        var e = assertThrows(CheckpointException.class, () -> WeightFile.locate(dir));
        assertTrue(e.getMessage().contains("more than one FP32 weight file, cannot choose: "
                + "diffusion_pytorch_model.safetensors, model.safetensors"), e.getMessage());
    }

    @Test
    void preferenceParsing() {
        assertEquals(List.of(Variant.FP32), Variant.parsePreference("fp32"));
        assertEquals(List.of(Variant.FP16, Variant.FP32), Variant.parsePreference(" FP16, fp32 "));
        assertEquals(Variant.ANY, Variant.parsePreference("any"));
        var e = assertThrows(IllegalArgumentException.class, () -> Variant.parsePreference("int8"));
        assertTrue(e.getMessage().contains("unknown variant 'int8'"));
    }
}
