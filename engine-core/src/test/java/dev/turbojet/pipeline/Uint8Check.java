package dev.turbojet.pipeline;

import dev.turbojet.verify.Uint8Check.Diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Asserts the reference kit's rule for 8-bit images ({@link dev.turbojet.verify.Uint8Check}), printing the comparison. */
public final class Uint8Check {
    private Uint8Check() {
    }

    public static void assertClose(String name, byte[] actual, byte[] expected) {
        assertEquals(expected.length, actual.length, name + ": length");
        Diff d = Diff.of(actual, expected);
        String msg = String.format("%s: %d of %d values differ (allowed %d), max |diff| %d%s", name, d.differ(), actual.length,
                d.allowed(), d.maxDiff(), d.first() < 0 ? ""
                        : ", first at " + d.first() + ": " + (actual[d.first()] & 0xff) + " vs " + (expected[d.first()] & 0xff));
        System.out.println(msg);
        assertTrue(d.passes(), msg);
    }
}
