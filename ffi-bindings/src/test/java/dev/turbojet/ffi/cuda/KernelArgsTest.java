package dev.turbojet.ffi.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

@SuppressWarnings("restricted") // native loading, downcalls and sizing native memory are this class's job
class KernelArgsTest {
    @Test
    void packsOnePointerPerArgumentToATypedCopy() {
        KernelArgs args = KernelArgs.of().ptr(new DevicePtr(0x1000)).i32(42).f32(0.5f).i64(-3L);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = args.pack(arena).reinterpret(4 * ADDRESS.byteSize());
            assertEquals(0x1000L, params.getAtIndex(ADDRESS, 0).reinterpret(8).get(JAVA_LONG, 0));
            assertEquals(42, params.getAtIndex(ADDRESS, 1).reinterpret(4).get(JAVA_INT, 0));
            assertEquals(0.5f, params.getAtIndex(ADDRESS, 2).reinterpret(4).get(JAVA_FLOAT, 0));
            assertEquals(-3L, params.getAtIndex(ADDRESS, 3).reinterpret(8).get(JAVA_LONG, 0));
            for (int i = 0; i < 4; i++) {
                long address = params.getAtIndex(ADDRESS, i).address();
                assertEquals(0, address % (i == 1 || i == 2 ? 4 : 8), "slot " + i + " misaligned");
            }
        }
        assertEquals(4, args.size());
        assertTrue(args.args().get(1) instanceof KernelArgs.I32(int v) && v == 42);
    }

    @Test
    void launchConfigRejectsImpossibleShapes() {
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.linear(0, 256));
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.linear(1, 2048));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(1, 70000, 1, 32, 1, 1, 0));
        assertEquals(1024, LaunchConfig.linear(5, 256).withShared(1024).sharedBytes());
    }

    @Test
    void devicePointerArithmetic() {
        DevicePtr p = new DevicePtr(0x100);
        assertTrue(p.isAligned(256));
        assertEquals(new DevicePtr(0x108), p.plus(8));
        assertTrue(!p.plus(8).isAligned(16));
    }
}
