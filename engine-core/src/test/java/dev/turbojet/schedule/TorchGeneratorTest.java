package dev.turbojet.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Every entry of goldens/torch_randn.* reproduced bit for bit, in the recorded call order. */
class TorchGeneratorTest {
    static final Path GOLDENS = dev.turbojet.testing.ReferenceKit.root().resolve("goldens");

    @TestFactory
    List<DynamicTest> torchRandnGoldens() throws IOException {
        JsonNode index = new ObjectMapper().readTree(GOLDENS.resolve("torch_randn.json").toFile());
        // Draws must happen in file order (seq entries share a generator), so compute them all up front.
        Map<Long, TorchGenerator> generators = new HashMap<>();
        List<DynamicTest> tests = new ArrayList<>();
        try (SafetensorsFile golden = SafetensorsFile.open(GOLDENS.resolve("torch_randn.safetensors"))) {
            for (JsonNode e : index.get("entries")) {
                String name = e.get("name").asText();
                long seed = e.get("seed").asLong();
                long[] shape = new long[e.get("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).asLong();
                if (e.get("fresh_generator").asBoolean()) generators.put(seed, new TorchGenerator(seed));
                TorchGenerator g = generators.get(seed);
                String fn = e.get("fn").asText() + "/" + e.get("dtype").asText();
                long[] actualBits = switch (fn) {
                    case "randn/torch.float32" -> floatBits(g.randn(shape));
                    case "randn/torch.float64" -> doubleBits(g.randnDouble(shape));
                    case "randn/torch.float16" -> halfBits(g.randnHalf(shape));
                    case "rand/torch.float32" -> floatBits(g.rand(shape));
                    case "rand/torch.float64" -> doubleBits(g.randDouble(shape));
                    default -> throw new AssertionError("no generator call for " + fn);
                };
                TensorView expected = golden.find(name).orElseThrow(() -> new AssertionError("no golden " + name));
                long[] expectedBits = bitsOf(name, expected);
                tests.add(DynamicTest.dynamicTest(name, () -> assertSameBits(name, expected.dtype(), expected.shape(), expectedBits, actualBits)));
            }
        }
        assertEquals(28, tests.size(), "entries in torch_randn.json");
        return tests;
    }

    private static long[] bitsOf(String name, TensorView expected) {
        return switch (expected.dtype()) {
            case F32 -> floatBits(expected.toFloatArray());
            case F64 -> doubleBits(expected.data().toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
            case F16 -> {
                short[] s = expected.data().toArray(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
                yield halfBits(s);
            }
            default -> throw new AssertionError(name + ": unexpected dtype " + expected.dtype());
        };
    }

    private static void assertSameBits(String name, DType dtype, Shape shape, long[] want, long[] actual) {
        assertEquals(want.length, actual.length, name + ": element count");
        long maxUlp = 0;
        int mismatches = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < want.length; i++) {
            long ulp = Math.abs(orderedBits(want[i], dtype) - orderedBits(actual[i], dtype));
            if (ulp != 0) {
                if (mismatches++ < 5) first.append(String.format(" [%d] bits %x expected %x (%d ulp);", i, actual[i], want[i], ulp));
            }
            maxUlp = Math.max(maxUlp, ulp);
        }
        if (mismatches > 0) {
            fail(name + " " + shape + ": " + mismatches + " of " + want.length
                    + " elements differ, max " + maxUlp + " ulp;" + first);
        }
    }

    /** Bits mapped so that adjacent floats of the same dtype differ by 1. */
    private static long orderedBits(long bits, DType dtype) {
        long sign = switch (dtype) {
            case F32 -> 1L << 31;
            case F64 -> 1L << 63;
            default -> 1L << 15;
        };
        long magnitude = bits & ~sign;
        return (bits & sign) != 0 ? -magnitude : magnitude;
    }

    private static long[] floatBits(float[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]) & 0xffffffffL;
        return b;
    }

    private static long[] doubleBits(double[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Double.doubleToRawLongBits(v[i]);
        return b;
    }

    private static long[] halfBits(short[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) b[i] = v[i] & 0xffff;
        return b;
    }
}
