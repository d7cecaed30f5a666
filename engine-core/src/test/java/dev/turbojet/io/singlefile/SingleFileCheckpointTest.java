package dev.turbojet.io.singlefile;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.SafetensorsSource;
import dev.turbojet.io.SafetensorsWriter;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The tiny model written out in the single-file layout (the inverse mapping) and opened back: every
 * component must give the folder's tensors bit for bit, under the folder's names.
 */
class SingleFileCheckpointTest {
    static Path tiny() {
        try {
            return Path.of(SingleFileCheckpointTest.class.getResource("/reference/tiny-sdxl/model_index.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the folder's four components as one file in the original layout, plus {@code extra} tensors. */
    static void writeSingleFile(Path folder, Path out, SingleFileNames names, Map<String, byte[]> extra) throws IOException {
        ModelFolder model = ModelFolder.open(folder);
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        for (Component c : Component.values()) {
            try (SafetensorsSource src = model.component(c.folder()).openWeights()) {
                Map<String, Mapping> originals = new HashMap<>();
                for (String name : src.names()) {
                    Mapping m = names.toOriginal(c, name).orElseThrow(() -> new AssertionError("no original for " + c.folder() + "/" + name));
                    originals.putIfAbsent(m.original(), m);
                }
                for (Mapping m : originals.values()) {
                    List<TensorView> parts = m.diffusers().stream().map(src::tensor).toList();
                    DType dtype = parts.getFirst().dtype();
                    Shape shape = m.transform().originalShape(parts.stream().map(TensorView::shape).toList(), m.original());
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    if (m.transform() == Transform.TRANSPOSE) {
                        bytes.writeBytes(transposed(parts.getFirst()));
                    } else {
                        for (TensorView p : parts) bytes.writeBytes(p.toByteArray());   // concat along dim 0 = bytes in order
                    }
                    writer.add(m.original(), dtype, shape, bytes.toByteArray());
                }
            }
        }
        extra.forEach((name, bytes) -> writer.add(name, DType.I64, Shape.of(bytes.length / 8), bytes));
        writer.write(out);
    }

    private static byte[] transposed(TensorView v) {
        int es = v.dtype().byteSize();
        int rows = v.shape().intDim(0), cols = v.shape().intDim(1);
        byte[] in = v.toByteArray();
        byte[] out = new byte[in.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) System.arraycopy(in, (r * cols + c) * es, out, (c * rows + r) * es, es);
        }
        return out;
    }

    @Test
    void tinyModelRoundTripsBitForBit(@TempDir Path dir) throws IOException {
        SingleFileConfigs configs = SingleFileConfigs.fromFolder(tiny());
        Path file = dir.resolve("tiny_single_file.safetensors");
        writeSingleFile(tiny(), file, configs.names(),
                Map.of("conditioner.embedders.0.transformer.text_model.embeddings.position_ids", new byte[77 * 8]));

        ModelFolder model = ModelFolder.open(tiny());
        int compared = 0;
        try (SingleFileCheckpoint ckpt = SingleFileCheckpoint.open(file, configs)) {
            assertEquals(List.of("conditioner.embedders.0.transformer.text_model.embeddings.position_ids"), ckpt.unused());
            for (Component c : Component.values()) {
                TensorSource single = ckpt.component(c);
                try (SafetensorsSource folder = model.component(c.folder()).openWeights()) {
                    assertEquals(new TreeSet<>(folder.names()), new TreeSet<>(single.names()), c.folder() + " names");
                    for (String name : folder.names()) {
                        TensorView expected = folder.tensor(name);
                        TensorView actual = single.find(name).orElseThrow();
                        assertEquals(expected.dtype(), actual.dtype(), name);
                        assertEquals(expected.shape(), actual.shape(), name);
                        assertArrayEquals(expected.toByteArray(), actual.toByteArray(), c.folder() + "/" + name);
                        assertEquals(name, actual.name());
                        compared++;
                    }
                }
                assertTrue(single.find("no.such.tensor").isEmpty());
                assertTrue(single.description().contains(c.folder()), single.description());
            }
            // the transposed copy is made once and reused
            TensorSource te2 = ckpt.component(Component.TEXT_ENCODER_2);
            assertSame(te2.find("text_projection.weight").orElseThrow().data(), te2.find("text_projection.weight").orElseThrow().data());
        }
        assertTrue(compared > 500, "compared " + compared);
    }

    @Test
    void unknownTensorsFailWithTheirNames(@TempDir Path dir) throws IOException {
        SingleFileConfigs configs = SingleFileConfigs.fromFolder(tiny());
        Path file = dir.resolve("odd.safetensors");
        writeSingleFile(tiny(), file, configs.names(), Map.of("lora_unet_down.alpha", new byte[8]));
        CheckpointException e = assertThrows(CheckpointException.class, () -> SingleFileCheckpoint.open(file, configs));
        assertTrue(e.getMessage().contains("lora_unet_down.alpha"), e.getMessage());
        assertTrue(e.getMessage().contains("not an SDXL checkpoint"), e.getMessage());
    }

    @Test
    void aFileWithoutSomeComponentIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("unet_only.safetensors");
        new SafetensorsWriter().add("model.diffusion_model.input_blocks.0.0.weight", DType.F32, Shape.of(2), new float[]{1, 2}).write(file);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> SingleFileCheckpoint.open(file, SingleFileConfigs.fromFolder(tiny())));
        assertTrue(e.getMessage().contains("no vae tensors"), e.getMessage());
    }

    @Test
    void bundledConfigsAreSdxlTurbos() {
        SingleFileConfigs bundled = SingleFileConfigs.bundledSdxlTurbo();
        assertEquals(2, bundled.config(Component.UNET).get("layers_per_block").intValue());
        assertEquals(4, bundled.config(Component.VAE).get("block_out_channels").size());
        Map<Component, Object> seen = new EnumMap<>(Component.class);
        for (Component c : Component.values()) seen.put(c, bundled.config(c));
        assertEquals(4, seen.size());
        assertEquals(new ArrayList<>(List.of("unet", "vae", "text_encoder", "text_encoder_2")),
                List.of(Component.values()).stream().map(Component::folder).toList());
    }
}
