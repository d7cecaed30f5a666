package dev.turbojet.ffi.cublas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.WheelLibraries;
import dev.turbojet.ffi.cuda.DevicePtr;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real libcublasLt without a GPU: version, status names, and descriptors (which need no device). */
class CublasLtLibraryTest {
    @BeforeAll
    static void library() {
        assumeTrue(WheelLibraries.configure(Lib.CUBLAS_LT).isPresent(), WheelLibraries.absentReason(Lib.CUBLAS_LT));
    }

    @Test
    void versionIsCuda13Generation() {
        long v = CublasLt.version();
        assertTrue(v >= 130000 && v < 140000, "cublasLtGetVersion = " + v);
    }

    @Test
    void statusNamesComeFromTheLibrary() {
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", CublasLt.statusName(7));
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", CublasLt.statusName(15));
        for (CublasStatus s : CublasStatus.values()) {
            assertEquals(s.name(), CublasLt.statusName(s.code));
        }
    }

    @Test
    void descriptorsAcceptEveryAttributeWeSet() {
        MatmulDesc desc = CublasLt.createMatmulDesc(true, false);
        CublasLt.setEpilogue(desc, Epilogue.BIAS, Optional.of(new DevicePtr(0x10000)), DataType.BF16);
        CublasLt.setEpilogue(desc, Epilogue.NONE, Optional.empty(), DataType.BF16);
        MatrixLayout batched = CublasLt.createLayout(DataType.F16, 64, 77, 64, Order.ROW_MAJOR, 10, 64 * 77);
        MatrixLayout plain = CublasLt.createLayout(DataType.BF16, 320, 4096, 320, Order.COLUMN_MAJOR, 1, 0);
        CublasLt.destroy(batched);
        CublasLt.destroy(plain);
        CublasLt.destroy(desc);
    }

    @Test
    void invalidArgumentsBecomeNamedExceptions() {
        CublasException e = assertThrows(CublasException.class, () -> CublasLt.check("cublasLtMatmul", 7));
        assertEquals("cublasLtMatmul", e.function());
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", e.statusName());
        assertTrue(e.getMessage().startsWith("cublasLtMatmul failed: CUBLAS_STATUS_INVALID_VALUE (7): "), e.getMessage());
        assertTrue(e.getMessage().length() > "cublasLtMatmul failed: CUBLAS_STATUS_INVALID_VALUE (7): ".length());
    }
}
