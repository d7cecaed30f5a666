package dev.turbojet.ffi.cudnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ConvShapeTest {
    @Test
    void sdxlDownsampleShape() {
        ConvShape s = ConvShape.of(1, 128, 128, 320, 320, 3, 2, ConvDataType.HALF);
        assertEquals(64, s.outH());
        assertEquals(64, s.outW());
        assertArrayEquals(new long[] {1, 320, 64, 64}, s.yDims());
    }

    @Test
    void nhwcStridesForLogicalNchwDims() {
        assertArrayEquals(new long[] {4 * 5 * 3, 1, 5 * 3, 3}, ConvShape.nhwcStrides(new long[] {2, 3, 4, 5}));
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> ConvShape.of(1, 8, 8, 4, 4, 3, 0, ConvDataType.HALF));
        assertThrows(IllegalArgumentException.class, () -> ConvShape.of(1, 8, 8, 4, 4, 3, 1, ConvDataType.FLOAT));
        assertThrows(IllegalArgumentException.class,
                () -> new ConvShape(1, 2, 2, 4, 4, 5, 5, 0, 0, 1, 1, ConvDataType.BFLOAT16));
    }
}
