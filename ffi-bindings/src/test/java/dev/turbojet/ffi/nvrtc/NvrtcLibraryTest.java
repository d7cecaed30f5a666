package dev.turbojet.ffi.nvrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turbojet.ffi.Lib;
import dev.turbojet.ffi.WheelLibraries;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real libnvrtc without a GPU: compiling needs no device. */
class NvrtcLibraryTest {
    private static final String AXPY = """
            extern "C" __global__ void axpy(float a, const float* x, float* y, int n) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i < n) y[i] += a * x[i];
            }
            """;

    @BeforeAll
    static void library() {
        assumeTrue(WheelLibraries.configure(Lib.NVRTC).isPresent(), WheelLibraries.absentReason(Lib.NVRTC));
    }

    @Test
    void version() {
        Nvrtc.Version v = Nvrtc.version();
        assertTrue(v.major() >= 12, v.toString());
    }

    @Test
    void compilesCubinAndPtx() {
        CompiledKernel cubin = Nvrtc.compile(AXPY, "axpy.cu", List.of("--gpu-architecture=sm_80"));
        assertTrue(cubin.isCubin());
        assertEquals("\u007fELF", new String(cubin.image(), 0, 4, StandardCharsets.ISO_8859_1));
        CompiledKernel ptx = Nvrtc.compile(AXPY, "axpy.cu", List.of("--gpu-architecture=compute_80"));
        String text = new String(ptx.image(), StandardCharsets.US_ASCII);
        assertTrue(text.contains(".entry axpy"), text);
    }

    @Test
    void compileErrorCarriesTheLog() {
        NvrtcException e = assertThrows(NvrtcException.class,
                () -> Nvrtc.compile("extern \"C\" __global__ void k() { undefined_thing(); }", "broken.cu",
                        List.of("--gpu-architecture=compute_80")));
        assertEquals("NVRTC_ERROR_COMPILATION", e.statusName());
        assertTrue(e.getMessage().startsWith("nvrtcCompileProgram(broken.cu) failed: NVRTC_ERROR_COMPILATION (6): "));
        assertTrue(e.getMessage().contains("undefined_thing"), e.getMessage());
        assertEquals("NVRTC_ERROR_INVALID_OPTION", Nvrtc.statusName(5));
    }
}
