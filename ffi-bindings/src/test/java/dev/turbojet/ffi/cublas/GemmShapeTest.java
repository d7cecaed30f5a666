package dev.turbojet.ffi.cublas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.turbojet.ffi.cuda.DevicePtr;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GemmShapeTest {
    @Test
    void singleGemmStrides() {
        GemmShape s = GemmShape.of(4096, 640, 320, DataType.F16, true, Epilogue.BIAS);
        assertEquals(4096L * 320, s.strideA());
        assertEquals(4096L * 640, s.strideD());
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> GemmShape.of(0, 1, 1, DataType.F16, false, Epilogue.NONE));
        assertThrows(IllegalArgumentException.class, () -> GemmShape.of(1, 1, 1, DataType.F32, false, Epilogue.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> new GemmShape(64, 64, 64, 2, 10, 0, 64 * 64, DataType.BF16, false, Epilogue.NONE));
    }

    @Test
    void statusTableNamesUnknownCodes() {
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", CublasStatus.nameOf(13));
        assertEquals("CUBLAS_STATUS_99", CublasStatus.nameOf(99));
    }

    @Test
    void biasMustBeSixteenByteAlignedAndMatchTheEpilogue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CublasLt.setEpilogue(
                new MatmulDesc(java.lang.foreign.MemorySegment.NULL), Epilogue.BIAS, Optional.of(new DevicePtr(8)), DataType.F16));
        assertEquals("cuBLASLt bias must be 16-byte aligned: DevicePtr[0x8]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CublasLt.setEpilogue(
                new MatmulDesc(java.lang.foreign.MemorySegment.NULL), Epilogue.BIAS, Optional.empty(), DataType.F16));
    }
}
