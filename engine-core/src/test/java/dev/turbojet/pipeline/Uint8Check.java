package dev.turbojet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference kit's rule for 8-bit images: |diff| <= 1 everywhere, and != 0 on at most 0.1% of values. */
public final class Uint8Check {
    private Uint8Check() {
    }

    public static void assertClose(String name, byte[] actual, byte[] expected) {
        assertEquals(expected.length, actual.length, name + ": length");
        int off = 0, worst = 0, first = -1;
        for (int i = 0; i < actual.length; i++) {
            int d = Math.abs((actual[i] & 0xff) - (expected[i] & 0xff));
            if (d != 0) {
                off++;
                if (first < 0) first = i;
            }
            worst = Math.max(worst, d);
        }
        int allowed = Math.max(1, expected.length / 1000);
        String msg = String.format("%s: %d of %d values differ (allowed %d), max |diff| %d%s", name, off, actual.length,
                allowed, worst, first < 0 ? "" : ", first at " + first + ": " + (actual[first] & 0xff) + " vs " + (expected[first] & 0xff));
        System.out.println(msg);
        assertTrue(worst <= 1 && off <= allowed, msg);
    }
}
