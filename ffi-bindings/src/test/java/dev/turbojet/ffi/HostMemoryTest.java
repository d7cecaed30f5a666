package dev.turbojet.ffi;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** libc-allocated segments: aligned, of the size asked, usable, and not counted as the JVM's direct memory. */
class HostMemoryTest {
    @Test
    void segmentsAreAlignedSizedAndUsable() {
        for (long bytes : new long[]{1, 63, 64, 1000, 1 << 20}) {
            MemorySegment s = HostMemory.allocate(bytes, 64);
            assertEquals(bytes, s.byteSize());
            assertTrue(s.isNative());
            assertEquals(0, s.address() % 64, "aligned to 64");
            s.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
            assertEquals(7, s.get(ValueLayout.JAVA_BYTE, bytes - 1));
        }
    }

    @Test
    void moreThanTheDirectMemoryLimitFits() {
        // the test JVM's direct-memory limit is its -Xmx; ask for more than that in pieces kept alive together
        long limit = Runtime.getRuntime().maxMemory(), piece = 256L << 20;
        MemorySegment[] held = new MemorySegment[(int) (limit / piece) + 2];
        for (int i = 0; i < held.length; i++) held[i] = HostMemory.allocate(piece, 64);
        assertEquals(held.length, java.util.Arrays.stream(held).filter(MemorySegment::isNative).count());
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> HostMemory.allocate(16, 48));
        assertThrows(IllegalArgumentException.class, () -> HostMemory.allocate(-1, 64));
    }
}
