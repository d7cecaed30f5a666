package dev.turbojet.clip;

import dev.turbojet.io.ModelFolder;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The text encoders load straight from the tiny diffusers folder and still compute. */
class TextEncodersFolderLoadTest {
    @Test
    void loadsFromTheTinyFolder() {
        Ops ops = new CpuOps(2);
        TextEncoders te = TextEncoders.load(ModelFolder.open(ReferenceKit.tiny()), ops);
        assertEquals(72, te.promptEmbedDim());
        assertEquals(32, te.pooledDim());
        int[][] ids = {new int[77]};
        ids[0][0] = 49406;
        ids[0][1] = 49407;
        assertEquals(Shape.of(1, 77, 72), te.encode(ops, ids, ids).promptEmbeds().shape());
    }
}
