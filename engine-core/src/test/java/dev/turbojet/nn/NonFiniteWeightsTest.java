package dev.turbojet.nn;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.SafetensorsWriter;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A NaN or infinity in a weight fails the load naming the tensor and the element, in every float type. */
class NonFiniteWeightsTest {
    @TempDir
    Path dir;

    @Test
    void nonFiniteWeightsAreNamedAtLoad() throws IOException {
        int big = (1 << 20) + 5;                       // more than one scan chunk
        float[] late = new float[big];
        late[big - 2] = Float.NaN;
        Path file = dir.resolve("w.safetensors");
        new SafetensorsWriter()
                .add("ok", DType.F32, Shape.of(2), new float[]{1, -2})
                .add("a.nan32", DType.F32, Shape.of(3), new float[]{0, Float.NaN, 1})
                .add("b.inf16", DType.F16, Shape.of(2), new float[]{Float.POSITIVE_INFINITY, 0})
                .add("c.nan16", DType.BF16, Shape.of(2), new float[]{1, Float.NaN})
                .add("d.late", DType.F32, Shape.of(big), late)
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file); CpuOps ops = new CpuOps(1)) {
            Weights w = Weights.of(f, ops);
            w.tensor("ok", 2);
            w.tensor("a.nan32", 3);
            w.tensor("b.inf16", 2);
            w.tensor("c.nan16", 2);
            w.tensor("d.late", big);
            CheckpointException e = assertThrows(CheckpointException.class, () -> w.report().check());
            String m = e.getMessage();
            assertTrue(m.contains("4 problem(s)"), m);
            assertTrue(m.contains("not finite a.nan32: element 1 is NaN"), m);
            assertTrue(m.contains("not finite b.inf16: element 0 is Infinity"), m);
            assertTrue(m.contains("not finite c.nan16: element 1 is NaN"), m);
            assertTrue(m.contains("not finite d.late: element " + (big - 2) + " is NaN"), m);
            assertEquals(-1, f.find("ok").orElseThrow().firstNonFinite());
        }
    }
}
