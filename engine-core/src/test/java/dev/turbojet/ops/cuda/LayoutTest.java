package dev.turbojet.ops.cuda;

import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layout planning: the models' permute/reshape patterns on NHWC storage are free, the rest is refused or transposed. */
class LayoutTest {
    static final Layout NHWC = Layout.channelsLast(4);

    @Test
    void channelsLastOrders() {
        assertArrayEquals(new int[] {0, 2, 3, 1}, NHWC.order());
        assertArrayEquals(new int[] {0, 2, 1}, Layout.channelsLast(3).order());
        assertTrue(Layout.channelsLast(2).isRowMajor());
        assertArrayEquals(new long[] {2, 5, 7, 3}, NHWC.physicalDims(Shape.of(2, 3, 5, 7)));
        assertArrayEquals(new long[] {105, 1, 21, 3}, NHWC.strides(Shape.of(2, 3, 5, 7)));
    }

    /** Transformer2DModel.toTokens: permute(0, 2, 3, 1) of NHWC storage is row-major [B, H, W, C]; the reshape is free. */
    @Test
    void transformerToTokensIsFree() {
        Shape x = Shape.of(2, 320, 8, 8);
        Layout p = NHWC.permute(0, 2, 3, 1);
        assertTrue(p.isRowMajor());
        Layout tokens = p.reshape(Shape.of(2, 8, 8, 320), Shape.of(2, 64, 320)).orElseThrow();
        assertTrue(tokens.isRowMajor());
        // and back: reshape to [B, H, W, C] then permute(0, 3, 1, 2) is NHWC again
        Layout back = tokens.reshape(Shape.of(2, 64, 320), Shape.of(2, 8, 8, 320)).orElseThrow().permute(0, 3, 1, 2);
        assertTrue(back.sameStorage(x, NHWC));
    }

    /** VaeAttention: reshape [N, C, H, W] -> [N, C, HW] on NHWC storage, then permute(0, 2, 1) is token-major; and back. */
    @Test
    void vaeAttentionPatternIsFree() {
        Shape x = Shape.of(1, 512, 16, 24);
        Layout flat = NHWC.reshape(x, Shape.of(1, 512, 384)).orElseThrow();
        assertTrue(flat.sameStorage(Shape.of(1, 512, 384), Layout.channelsLast(3)));
        Layout tokens = flat.permute(0, 2, 1);
        assertTrue(tokens.sameStorage(Shape.of(1, 384, 512), Layout.rowMajor(3)));
        Layout pix = Layout.rowMajor(3).permute(0, 2, 1).reshape(Shape.of(1, 512, 384), x).orElseThrow();
        assertTrue(pix.sameStorage(x, NHWC), pix.toString());
        // batch 2: the unit-dim shortcut must not matter
        Shape x2 = Shape.of(2, 4, 3, 5);
        Layout l2 = NHWC.reshape(x2, Shape.of(2, 4, 15)).orElseThrow();
        assertArrayEquals(new int[] {0, 2, 1}, l2.order());
    }

    @Test
    void reshapeThatInterleavesNeedsACopy() {
        // [N, C, H, W] NHWC -> [N, C*H, W] would need C and H adjacent in memory: they are not
        assertEquals(Optional.empty(), NHWC.reshape(Shape.of(1, 4, 3, 5), Shape.of(1, 12, 5)));
        // non-divisible refinements: [6, 4] -> [4, 6] on a transposed layout
        assertEquals(Optional.empty(), new Layout(new int[] {1, 0}).reshape(Shape.of(6, 4), Shape.of(4, 6)));
        // row-major reshapes are always free
        assertTrue(Layout.rowMajor(2).reshape(Shape.of(6, 4), Shape.of(4, 6)).orElseThrow().isRowMajor());
        assertThrows(IllegalArgumentException.class, () -> NHWC.reshape(Shape.of(1, 4, 3, 5), Shape.of(7)));
    }

    @Test
    void reshapeMergesDimsAdjacentInMemory() {
        // NHWC [N, C, H, W] -> [N, C, H*W] (H, W adjacent) and splitting C keeps it innermost
        Layout l = NHWC.reshape(Shape.of(2, 6, 3, 5), Shape.of(2, 2, 3, 3, 5)).orElseThrow();
        assertArrayEquals(new int[] {0, 3, 4, 1, 2}, l.order());
    }

    @Test
    void blockTransposePlans() {
        Shape x = Shape.of(2, 3, 5, 7);
        Layout.BlockTranspose toNhwc = Layout.rowMajor(4).transposeTo(x, NHWC).orElseThrow();
        assertEquals(new Layout.BlockTranspose(2, 3, 35), toNhwc);
        assertEquals(new Layout.BlockTranspose(2, 35, 3), NHWC.transposeTo(x, Layout.rowMajor(4)).orElseThrow());
        // batch 1: no prefix
        assertEquals(new Layout.BlockTranspose(1, 3, 35), Layout.rowMajor(4).transposeTo(Shape.of(1, 3, 5, 7), NHWC).orElseThrow());
        assertTrue(NHWC.transposeTo(x, NHWC).orElseThrow().isIdentity());
        // [A B][C] -> [C][A B] is one block transpose; [A][B] C -> [B][A] C (an inner block stays) is not
        assertEquals(new Layout.BlockTranspose(1, 6, 4),
                new Layout(new int[] {0, 1, 2}).transposeTo(Shape.of(2, 3, 4), new Layout(new int[] {2, 0, 1})).orElseThrow());
        assertTrue(new Layout(new int[] {0, 1, 2}).transposeTo(Shape.of(2, 3, 4), new Layout(new int[] {1, 0, 2})).isEmpty());
        assertTrue(new Layout(new int[] {0, 1, 2, 3}).transposeTo(Shape.of(2, 3, 4, 5), new Layout(new int[] {1, 0, 3, 2})).isEmpty());
    }

    @Test
    void unitDimsDoNotChangeStorage() {
        Shape x = Shape.of(1, 4, 1, 1);
        assertTrue(NHWC.sameStorage(x, Layout.rowMajor(4)));
        assertTrue(NHWC.isInnermost(Shape.of(2, 3, 4, 1), 3));
        assertFalse(NHWC.isInnermost(Shape.of(2, 3, 4, 5), 3));
    }

    @Test
    void rejectsNonPermutations() {
        assertThrows(IllegalArgumentException.class, () -> new Layout(new int[] {0, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> NHWC.physicalDims(Shape.of(1, 2)));
    }
}
