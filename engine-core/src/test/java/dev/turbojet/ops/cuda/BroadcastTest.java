package dev.turbojet.ops.cuda;

import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which broadcasts the CUDA binary kernels run, and the message for the rest. */
class BroadcastTest {
    static final Layout NHWC = Layout.channelsLast(4);

    @Test
    void sameShape() {
        assertInstanceOf(Broadcast.Same.class, Broadcast.plan("add", Shape.of(2, 3), Layout.rowMajor(2), Shape.of(2, 3)));
    }

    @Test
    void biasRowOverTokens() {
        Broadcast.Periodic p = (Broadcast.Periodic) Broadcast.plan("add", Shape.of(2, 77, 768), Layout.rowMajor(3), Shape.of(768));
        assertEquals(768, p.period());
        assertTrue(p.bLayout().isRowMajor());
    }

    /** ClipTextEmbeddings: token embeddings [B, T, C] + positions [T, C]. */
    @Test
    void positionTableOverBatch() {
        Broadcast.Periodic p = (Broadcast.Periodic) Broadcast.plan("add", Shape.of(2, 77, 768), Layout.rowMajor(3), Shape.of(77, 768));
        assertEquals(77 * 768, p.period());
    }

    @Test
    void channelVectorOverNhwc() {
        Broadcast.Periodic p = (Broadcast.Periodic) Broadcast.plan("mul", Shape.of(2, 320, 8, 8), NHWC, Shape.of(1, 320, 1, 1));
        assertEquals(320, p.period());
        Broadcast.Periodic q = (Broadcast.Periodic) Broadcast.plan("mul", Shape.of(2, 320, 8, 8), NHWC, Shape.of(320, 1, 1));
        assertEquals(320, q.period());
        assertArrayEquals(new int[] {1, 2, 0}, q.bLayout().order());
    }

    @Test
    void scalar() {
        assertEquals(1, ((Broadcast.Periodic) Broadcast.plan("add", Shape.of(4, 5), Layout.rowMajor(2), Shape.of(1))).period());
        assertEquals(1, ((Broadcast.Periodic) Broadcast.plan("add", Shape.of(4, 5), Layout.rowMajor(2), Shape.of(1, 1))).period());
    }

    @Test
    void outerVaryingBroadcastsAreRefusedClearly() {
        // a per-sample scale [N, 1, 1, 1] varies outside constant inner dims
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Broadcast.plan("mul", Shape.of(2, 3, 4, 4), NHWC, Shape.of(2, 1, 1, 1)));
        assertTrue(e.getMessage().startsWith("mul: broadcasting [2, 1, 1, 1] onto [2, 3, 4, 4]"), e.getMessage());
        // a channel vector over NCHW-ordered storage is not periodic either
        assertThrows(UnsupportedOperationException.class,
                () -> Broadcast.plan("add", Shape.of(2, 3, 4, 4), Layout.rowMajor(4), Shape.of(3, 1, 1)));
    }
}
