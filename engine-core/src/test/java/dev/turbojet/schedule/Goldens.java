package dev.turbojet.schedule;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.verify.Comparison;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Golden-file access and the reference kit's comparisons for the schedule tests. */
final class Goldens {
    static final Path DIR = dev.turbojet.testing.ReferenceKit.root().resolve("goldens");
    /** scheduler step(): fp32 by design, ~1e-6 relative in the reference kit's fp32-vs-fp64 report. */
    static final double STEP_TOL = 1e-5;

    private Goldens() {}

    static SafetensorsFile open(String file) {
        return SafetensorsFile.open(DIR.resolve(file));
    }

    static TensorView tensor(SafetensorsFile file, String name) {
        return file.find(name).orElseThrow(() -> new AssertionError(file.description() + " has no tensor " + name));
    }

    static HostTensor host(SafetensorsFile file, String name) {
        return tensor(file, name).toHost();
    }

    /** max |a - e| <= tol * max(1, max|e|); the failure prints name, shape, both metrics and the first mismatches. */
    static Comparison assertClose(String name, HostTensor actual, HostTensor expected, double tol) {
        Comparison c = Comparison.of(name, actual, expected);
        assertTrue(c.withinScaled(tol), () -> c.summary() + " exceeds " + tol + " * max(1, max|e|);" + c.firstMismatches());
        return c;
    }

    /** Every element bit-identical; the failure lists the first differing elements with their ulp distance. */
    static void assertSameFloats(String name, float[] actual, float[] expected) {
        if (actual.length != expected.length) throw new AssertionError(name + ": " + actual.length + " elements, expected " + expected.length);
        StringBuilder first = new StringBuilder();
        int differ = 0;
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                if (differ++ < 5) {
                    first.append(String.format(" [%d] %.9g expected %.9g (%d ulp);", i, actual[i], expected[i],
                            Math.abs(Float.floatToRawIntBits(actual[i]) - Float.floatToRawIntBits(expected[i]))));
                }
            }
        }
        if (differ > 0) throw new AssertionError(name + ": " + differ + " of " + actual.length + " elements differ;" + first);
    }
}
