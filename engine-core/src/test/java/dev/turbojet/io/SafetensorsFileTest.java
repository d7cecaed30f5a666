package dev.turbojet.io;

import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsFileTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "tiny-sdxl/unet/diffusion_pytorch_model.safetensors",
            "tiny-sdxl/vae/diffusion_pytorch_model.safetensors",
            "tiny-sdxl/text_encoder/model.safetensors",
            "tiny-sdxl/text_encoder_2/model.safetensors",
            "goldens/pipeline.safetensors",
            "goldens/scheduler.safetensors",
            "goldens/text_encoders.safetensors",
            "goldens/tokenizer.safetensors",
            "goldens/torch_randn.safetensors",
            "goldens/unet.safetensors",
            "goldens/vae.safetensors"})
    void opensEveryReferenceFile(String relative) {
        try (SafetensorsFile file = SafetensorsFile.open(ReferenceKit.root().resolve(relative))) {
            assertTrue(file.names().size() > 0, relative);
            assertEquals(0, file.dataOffset() % 8, "header padded to a multiple of 8");
            for (TensorView v : file.tensors()) {
                assertEquals(v.shape().numel() * v.dtype().byteSize(), v.data().byteSize(), v.name());
            }
        }
    }

    @Test
    void tinyUnetTensorsHaveTheirConfiguredShapes() {
        try (SafetensorsFile unet = SafetensorsFile.open(ReferenceKit.tiny("unet/diffusion_pytorch_model.safetensors"))) {
            assertEquals("pt", unet.metadata().get("format"));
            TensorView convIn = unet.tensor("conv_in.weight");
            assertEquals(DType.F32, convIn.dtype());
            assertEquals(Shape.of(16, 4, 3, 3), convIn.shape());       // block_out_channels[0] = 16, 4 latent channels
            assertEquals(Shape.of(16), unet.tensor("conv_in.bias").shape());
            // text_time embedding: projection_class_embeddings_input_dim = 80 -> time_embed_dim = 4 * 16
            assertEquals(Shape.of(64, 80), unet.tensor("add_embedding.linear_1.weight").shape());
            // norm scales were initialised as 1 + 0.1 N(0,1): near 1, never zero
            float[] norm = unet.tensor("conv_norm_out.weight").toFloatArray();
            for (float x : norm) assertTrue(x > 0.5f && x < 1.5f, "norm scale " + x);
        }
    }

    @Test
    void goldensCarryMetadataAndIntegerTensors() {
        try (SafetensorsFile scheduler = SafetensorsFile.open(ReferenceKit.golden("scheduler.safetensors"));
             SafetensorsFile tokens = SafetensorsFile.open(ReferenceKit.golden("tokenizer.safetensors"))) {
            assertTrue(scheduler.metadata().get("config").contains("EulerAncestralDiscreteScheduler"));
            assertTrue(tokens.tensors().stream().anyMatch(v -> v.dtype() == DType.I64), "token ids are I64");
        }
    }

    @Test
    void viewsDieWithTheFile() {
        SafetensorsFile file = SafetensorsFile.open(ReferenceKit.tiny("vae/diffusion_pytorch_model.safetensors"));
        TensorView v = file.tensor("decoder.conv_in.bias");
        v.getFloat(0);
        file.close();
        file.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> v.getFloat(0));
    }

    @Test
    void missingTensorNamesTheSource() {
        try (SafetensorsFile file = SafetensorsFile.open(ReferenceKit.tiny("vae/diffusion_pytorch_model.safetensors"))) {
            var e = assertThrows(CheckpointException.class, () -> file.tensor("nope.weight"));
            assertTrue(e.getMessage().contains("nope.weight") && e.getMessage().contains("vae"), e.getMessage());
        }
    }

    @Test
    void writerRoundTripsEveryKindOfTensor(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("t.safetensors");
        float[] floats = {1f, -2.5f, 3.1415927f, 65504f, 1e-8f, Float.NaN};
        new SafetensorsWriter()
                .metadata("format", "pt").metadata("note", "round trip ✓")
                .add("f32", DType.F32, Shape.of(2, 3), floats)
                .add("f16", DType.F16, Shape.of(2, 3), floats)
                .add("bf16", DType.BF16, Shape.of(6), floats)
                .add("f64", DType.F64, Shape.of(1, 6), floats)
                .add("i64", DType.I64, Shape.of(3), new long[]{Long.MIN_VALUE, 0, 49407})
                .add("i32", DType.I32, Shape.of(1), new long[]{-7})
                .add("u8", DType.U8, Shape.of(1, 2, 2), new long[]{0, 1, 128, 255})
                .add("bool", DType.BOOL, Shape.of(2), new long[]{0, 1})
                .add("empty", DType.F32, Shape.of(0), new float[0])
                .add("empty2", DType.F16, Shape.of(3, 0), new float[0])
                .add("scalar", DType.F32, Shape.of(new long[0]), new float[]{42f})
                .write(path);
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            assertEquals(Map.of("format", "pt", "note", "round trip ✓"), f.metadata());
            assertEquals(11, f.names().size());
            assertArrayEquals(floats, f.tensor("f32").toFloatArray());
            assertEquals(Shape.of(2, 3), f.tensor("f32").shape());
            float[] half = f.tensor("f16").toFloatArray();
            assertEquals(-2.5f, half[1]);
            assertEquals(3.140625f, half[2]);                 // nearest fp16
            assertEquals(65504f, half[3]);
            assertEquals(0f, half[4]);                         // below half the smallest fp16 subnormal: 0
            assertTrue(Float.isNaN(half[5]));
            float[] bf = f.tensor("bf16").toFloatArray();
            assertEquals(3.140625f, bf[2]);
            assertEquals(65536f, bf[3]);                       // 65504 rounds up in bf16
            assertTrue(Float.isNaN(bf[5]));
            assertArrayEquals(new long[]{Long.MIN_VALUE, 0, 49407}, f.tensor("i64").toLongArray());
            assertArrayEquals(new long[]{-7}, f.tensor("i32").toLongArray());
            assertArrayEquals(new long[]{0, 1, 128, 255}, f.tensor("u8").toLongArray());
            assertArrayEquals(new long[]{0, 1}, f.tensor("bool").toLongArray());
            assertEquals(0, f.tensor("empty").numel());
            assertEquals(Shape.of(3, 0), f.tensor("empty2").shape());
            assertEquals(0, f.tensor("scalar").shape().rank());
            assertEquals(42f, f.tensor("scalar").getFloat(0));
        }
    }

    @Test
    void writerReproducesAReferenceFileByteForByte(@TempDir Path dir) throws IOException {
        Path original = ReferenceKit.tiny("vae/diffusion_pytorch_model.safetensors");
        Path copy = dir.resolve("copy.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(original)) {
            SafetensorsWriter w = new SafetensorsWriter().metadata(f.metadata());
            f.tensors().forEach(w::add);
            w.write(copy);
        }
        assertArrayEquals(java.nio.file.Files.readAllBytes(original), java.nio.file.Files.readAllBytes(copy));
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertEquals((short) 0x3f80, SafetensorsWriter.toBfloat16(1f));
        assertEquals((short) 0x3f80, SafetensorsWriter.toBfloat16(Float.intBitsToFloat(0x3f808000)));  // tie -> even
        assertEquals((short) 0x3f82, SafetensorsWriter.toBfloat16(Float.intBitsToFloat(0x3f818000)));  // tie -> even (up)
        assertEquals((short) 0x3f81, SafetensorsWriter.toBfloat16(Float.intBitsToFloat(0x3f808001)));
    }
}
