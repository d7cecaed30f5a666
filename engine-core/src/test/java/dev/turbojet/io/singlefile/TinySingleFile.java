package dev.turbojet.io.singlefile;

import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.SafetensorsSource;
import dev.turbojet.io.SafetensorsWriter;
import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a diffusers folder out in the original single-file layout (the inverse name mapping), so
 * tests can load the tiny model from one file.
 */
public final class TinySingleFile {
    private TinySingleFile() {
    }

    /** {@code folder} written as one single-file checkpoint {@code out}, numbered by {@code folder}'s configs. */
    public static Path write(Path folder, Path out) throws IOException {
        write(folder, out, SingleFileConfigs.fromFolder(folder).names(), Map.of());
        return out;
    }

    /** Writes the folder's four components as one file in the original layout, plus {@code extra} tensors. */
    public static void write(Path folder, Path out, SingleFileNames names, Map<String, byte[]> extra) throws IOException {
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

}
