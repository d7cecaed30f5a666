package dev.turbojet.ops.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arena bookkeeping on a fake base address: alignment, passes, staleness, determinism, exhaustion. */
class DeviceArenaTest {
    static final long BASE = 0x7f00_0000_0000L;

    @Test
    void allocationsAreAlignedAndBumped() {
        DeviceArena a = new DeviceArena(BASE, 4096);
        DeviceArena.Slot s1 = a.allocate(10, "x"), s2 = a.allocate(256, "y"), s3 = a.allocate(0, "z");
        assertEquals(BASE, s1.address());
        assertEquals(BASE + 256, s2.address());
        assertEquals(BASE + 512, s3.address());
        assertEquals(512, a.used());
        assertThrows(IllegalArgumentException.class, () -> new DeviceArena(BASE + 16, 4096));
    }

    @Test
    void passesRewindAndStaleSlotsAreDetected() {
        DeviceArena a = new DeviceArena(BASE, 1 << 20);
        DeviceArena.Slot input = a.allocate(1000, "input");
        a.beginPass();
        DeviceArena.Slot t = a.allocate(5000, "conv2d");
        assertTrue(a.isLive(t) && a.isLive(input));
        PassSummary first = a.endPass();
        assertFalse(a.isLive(t), "a pass's tensors die with it");
        assertTrue(a.isLive(input), "tensors from outside the pass survive it");
        assertEquals(1024, a.used());
        a.beginPass();
        DeviceArena.Slot again = a.allocate(5000, "conv2d");
        assertEquals(t.address(), again.address(), "the same requests land at the same addresses");
        assertFalse(a.isLive(t));
        assertEquals(first, a.endPass());
        a.reset();
        assertFalse(a.isLive(input));
        assertEquals(0, a.used());
    }

    @Test
    void signaturesTellDifferentPassesApart() {
        DeviceArena a = new DeviceArena(BASE, 1 << 20);
        a.beginPass();
        a.allocate(100, "a");
        a.allocate(300, "b");
        PassSummary one = a.endPass();
        a.beginPass();
        a.allocate(300, "b");
        a.allocate(100, "a");
        PassSummary two = a.endPass();
        assertNotEquals(one.signature(), two.signature());
        assertEquals(2, one.allocations());
        assertEquals(512 + 256, one.peakBytes());
    }

    @Test
    void misuseOfPassesIsAnError() {
        DeviceArena a = new DeviceArena(BASE, 4096);
        assertThrows(IllegalStateException.class, a::endPass);
        a.beginPass();
        assertThrows(IllegalStateException.class, a::beginPass);
        assertThrows(IllegalStateException.class, a::reset);
    }

    @Test
    void exhaustionNamesRequestAndAvailableBytes() {
        DeviceArena a = new DeviceArena(BASE, 1 << 20);
        a.allocate(1 << 19, "first");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.allocate(600_000, "conv2d [1, 320, 64, 64]"));
        assertEquals("CUDA activation arena exhausted: conv2d [1, 320, 64, 64] requested 600000 bytes (0.6 MiB), 524288 bytes"
                + " (0.5 MiB) of 1048576 (1.0 MiB) are free; run each forward inside beginPass()/endPass() so its temporaries"
                + " are released", e.getMessage());
        a.beginPass();
        assertTrue(assertThrows(IllegalStateException.class, () -> a.allocate(600_000, "x")).getMessage().endsWith("give the backend a larger arena"));
    }
}
