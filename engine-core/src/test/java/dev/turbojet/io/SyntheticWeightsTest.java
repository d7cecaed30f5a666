package dev.turbojet.io;

import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticWeightsTest {
    static final List<SyntheticWeights.Entry> ENTRIES = List.of(
            new SyntheticWeights.Entry("proj.weight", Shape.of(64, 256)),
            new SyntheticWeights.Entry("proj.bias", Shape.of(64)),
            new SyntheticWeights.Entry("norm.weight", Shape.of(256)));

    @Test
    void seededScaledAndLazy() {
        SyntheticWeights a = SyntheticWeights.of(ENTRIES, DType.F32, 7);
        assertEquals(List.of("norm.weight", "proj.bias", "proj.weight"), List.copyOf(a.names()));
        float[] w = a.find("proj.weight").orElseThrow().toFloatArray();
        assertArrayEquals(w, SyntheticWeights.of(ENTRIES, DType.F32, 7).find("proj.weight").orElseThrow().toFloatArray());
        assertFalse(java.util.Arrays.equals(w, SyntheticWeights.of(ENTRIES, DType.F32, 8).find("proj.weight").orElseThrow().toFloatArray()));
        double var = 0;
        for (float x : w) var += x * x;
        var /= w.length;
        assertEquals(1.0 / 256, var, 0.1 / 256, "variance 1 / fan_in");
        for (float x : a.find("norm.weight").orElseThrow().toFloatArray()) assertTrue(Math.abs(x - 1) <= 0.1 * Math.sqrt(3) + 1e-6);
        for (float x : a.find("proj.bias").orElseThrow().toFloatArray()) assertTrue(Math.abs(x) <= 0.05 * Math.sqrt(3) + 1e-6);
        assertTrue(a.find("absent").isEmpty());

        TensorView half = SyntheticWeights.of(ENTRIES, DType.F16, 7).find("proj.weight").orElseThrow();
        assertEquals(DType.F16, half.dtype());
        float[] h = half.toFloatArray();
        for (int i = 0; i < w.length; i++) assertEquals(Float.float16ToFloat(Float.floatToFloat16(w[i])), h[i]);
    }

    @Test
    void readsTheReferenceManifests() throws Exception {
        var root = java.nio.file.Path.of(SyntheticWeightsTest.class.getResource("/reference/manifests/vae.tsv").toURI());
        List<SyntheticWeights.Entry> vae = SyntheticWeights.readManifest(root);
        assertEquals(248, vae.size());
        assertEquals(new SyntheticWeights.Entry("encoder.conv_in.weight", Shape.of(128, 3, 3, 3)), vae.getFirst());
    }
}
