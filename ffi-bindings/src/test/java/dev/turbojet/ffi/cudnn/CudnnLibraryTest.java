package dev.turbojet.ffi.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.WheelLibraries;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real libcudnn without a GPU: version, status names, and the descriptors of a convolution
 * graph that cuDNN finalizes without a handle (tensors, convolution, the forward operation).
 */
class CudnnLibraryTest {
    @BeforeAll
    static void library() {
        assumeTrue(WheelLibraries.configure(Lib.CUDNN).isPresent(), WheelLibraries.absentReason(Lib.CUDNN));
    }

    @Test
    void versionIsNine() {
        long v = Cudnn.version();
        assertTrue(v >= 90000 && v < 100000, "cudnnGetVersion = " + v);
    }

    @Test
    void statusNames() {
        assertEquals("CUDNN_STATUS_SUCCESS", Cudnn.statusName(0));
        assertEquals("CUDNN_STATUS_BAD_PARAM", Cudnn.statusName(2000));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED", Cudnn.statusName(3000));
    }

    @Test
    void buildsAndFinalizesAnNhwcConvolutionOperation() {
        ConvShape s = ConvShape.of(1, 64, 64, 320, 640, 3, 1, ConvDataType.HALF);
        Descriptor x = ConvGraph.tensor('x', s.xDims(), s.type());
        Descriptor w = ConvGraph.tensor('w', s.wDims(), s.type());
        Descriptor y = ConvGraph.tensor('y', s.yDims(), s.type());
        Descriptor conv = ConvGraph.convolution(s, 1);
        Descriptor op = ConvGraph.forward(x, w, y, conv);
        for (Descriptor d : new Descriptor[] {op, conv, y, w, x}) {
            CudnnBackend.destroy(d);
        }
    }

    @Test
    void badAttributeBecomesANamedException() {
        Descriptor t = CudnnBackend.create(DescriptorType.TENSOR);
        try {
            CudnnException e = assertThrows(CudnnException.class, () -> CudnnBackend.finalize(t));
            assertEquals("cudnnBackendFinalize(TENSOR)", e.function());
            assertTrue(e.statusName().startsWith("CUDNN_STATUS_BAD_PARAM"), e.statusName());
            assertTrue(e.getMessage().startsWith("cudnnBackendFinalize(TENSOR) failed: CUDNN_STATUS_BAD_PARAM"),
                    e.getMessage());
        } finally {
            CudnnBackend.destroy(t);
        }
    }
}
