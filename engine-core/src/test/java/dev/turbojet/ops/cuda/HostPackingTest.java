package dev.turbojet.ops.cuda;

import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fp32 <-> fp16/bf16 conversion and the NHWC / KRSC packing of uploads and weights. */
class HostPackingTest {
    static float[] iota(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    @Test
    void precisionRoundsToNearestEven() {
        assertEquals((short) 0x3C00, Precision.FP16.encode(1f));
        assertEquals((short) 0x3F80, Precision.BF16.encode(1f));
        // 1 + 2^-8 lies halfway between bf16 neighbours 1 and 1 + 2^-7: ties go to even (1)
        assertEquals(1f, Precision.BF16.decode(Precision.BF16.encode(1f + 0x1p-8f)));
        assertEquals(1f + 0x1p-6f, Precision.BF16.decode(Precision.BF16.encode(1f + 0x1p-6f + 0x1p-8f)));
        assertEquals(65504f, Precision.FP16.decode(Precision.FP16.encode(65504f)));
        assertTrue(Float.isInfinite(Precision.FP16.decode(Precision.FP16.encode(70000f))));
        assertEquals(3e38f, Precision.BF16.decode(Precision.BF16.encode(3e38f)), 3e38f * 0x1p-8f);
        assertTrue(Float.isNaN(Precision.BF16.decode(Precision.BF16.encode(Float.NaN))));
        assertTrue(Float.isNaN(Precision.FP16.decode((short) 0xFFFF)), "the poison pattern is NaN in fp16");
        assertTrue(Float.isNaN(Precision.BF16.decode((short) 0xFFFF)), "the poison pattern is NaN in bf16");
    }

    @Test
    void packsNchwAsNhwcAndBack() {
        Shape s = Shape.of(2, 3, 2, 2);
        float[] x = iota(24);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(48);
            HostPacking.pack(x, s, Layout.channelsLast(4), Precision.FP16, buf);
            // physical [n, h, w, c]: element (n=0, h=0, w=1, c=0..2) = logical 1, 5, 9
            assertEquals(1f, Precision.FP16.decode(buf.getAtIndex(HostPacking.U16, 3)));
            assertEquals(5f, Precision.FP16.decode(buf.getAtIndex(HostPacking.U16, 4)));
            assertEquals(9f, Precision.FP16.decode(buf.getAtIndex(HostPacking.U16, 5)));
            assertEquals(12f, Precision.FP16.decode(buf.getAtIndex(HostPacking.U16, 12)));
            assertArrayEquals(x, HostPacking.unpack(buf, s, Layout.channelsLast(4), Precision.FP16));
            assertThrows(IllegalArgumentException.class, () -> HostPacking.pack(x, s, Layout.rowMajor(4), Precision.FP16, buf.asSlice(0, 40)));
        }
    }

    @Test
    void everyLayoutRoundTrips() {
        Shape s = Shape.of(2, 3, 4);
        float[] x = iota(24);
        int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(48);
            for (int[] o : orders) {
                Layout l = new Layout(o);
                HostPacking.pack(x, s, l, Precision.BF16, buf);
                long[] strides = l.strides(s);
                // element (1, 2, 3) sits at its stride offset
                assertEquals(23f, Precision.BF16.decode(buf.getAtIndex(HostPacking.U16, strides[0] + 2 * strides[1] + 3 * strides[2])));
                assertArrayEquals(x, HostPacking.unpack(buf, s, l, Precision.BF16), l.toString());
            }
        }
    }

    /** A [K, C, R, S] conv weight becomes KRSC; an fp16 checkpoint is moved bit for bit, an fp32 one rounded. */
    @Test
    void convWeightsBecomeKrsc() {
        Shape s = Shape.of(2, 3, 2, 2);
        float[] w = iota(24);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f32 = arena.allocate(96);
            MemorySegment.copy(w, 0, f32, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, 24);
            MemorySegment f16 = arena.allocate(48);
            for (int i = 0; i < 24; i++) f16.setAtIndex(HostPacking.U16, i, Float.floatToFloat16(w[i]));
            MemorySegment fromF32 = arena.allocate(48), fromF16 = arena.allocate(48);
            HostPacking.packWeight(new TensorView("w", DType.F32, s, f32, "test"), Layout.channelsLast(4), Precision.FP16, fromF32);
            HostPacking.packWeight(new TensorView("w", DType.F16, s, f16, "test"), Layout.channelsLast(4), Precision.FP16, fromF16);
            assertEquals(-1, fromF32.mismatch(fromF16));
            // KRSC [k, r, s, c]: (k=0, r=0, s=0, c=1) is logical (0, 1, 0, 0) = 4
            assertEquals(4f, Precision.FP16.decode(fromF32.getAtIndex(HostPacking.U16, 1)));
            assertArrayEquals(w, HostPacking.unpack(fromF32, s, Layout.channelsLast(4), Precision.FP16));
        }
    }

    @Test
    void rowMajorWeightsInTheStorageTypeAreCopied() {
        Shape s = Shape.of(3, 2);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bf = arena.allocate(12);
            for (int i = 0; i < 6; i++) bf.setAtIndex(HostPacking.U16, i, Precision.BF16.encode(i * 0.5f - 1));
            MemorySegment dst = arena.allocate(12);
            HostPacking.packWeight(new TensorView("b", DType.BF16, s, bf, "test"), Layout.rowMajor(2), Precision.BF16, dst);
            assertEquals(-1, bf.mismatch(dst));
            // and converted when the storage type differs (bf16 -> fp16 is exact for these values)
            HostPacking.packWeight(new TensorView("b", DType.BF16, s, bf, "test"), Layout.rowMajor(2), Precision.FP16, dst);
            assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, HostPacking.unpack(dst, s, Layout.rowMajor(2), Precision.FP16));
        }
    }
}
