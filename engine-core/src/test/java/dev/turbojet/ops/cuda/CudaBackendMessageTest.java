package dev.turbojet.ops.cuda;

import dev.turbojet.ops.Backend;
import dev.turbojet.ops.BackendUnavailableException;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** What the backend factory says when the CUDA backend cannot start (the case on machines without a GPU). */
class CudaBackendMessageTest {
    @Test
    void problemsFormatAsOneLineAndInFull() {
        List<CudaProbe.Problem> ps = List.of(
                new CudaProbe.Problem("CUDA driver", "no CUDA driver: libcuda.so.1 not found\n  tried /usr/lib64: absent"),
                new CudaProbe.Problem("cuDNN", "libcudnn.so.9 not found\n  tried $CUDA_HOME: unset"));
        assertEquals("CUDA driver: no CUDA driver: libcuda.so.1 not found; cuDNN: libcudnn.so.9 not found", CudaProbe.oneLine(ps));
        assertEquals("- CUDA driver: no CUDA driver: libcuda.so.1 not found\n      tried /usr/lib64: absent\n"
                + "- cuDNN: libcudnn.so.9 not found\n      tried $CUDA_HOME: unset", CudaProbe.detailed(ps));
    }

    @Test
    void withoutAGpuCudaSaysWhyAndAutoFallsBackToCpu() {
        List<CudaProbe.Problem> problems = CudaProbe.problems();
        assumeFalse(problems.isEmpty(), "this machine can run the CUDA backend; the no-GPU messages are not reachable here");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backend.CUDA.create(n -> { }));
        assertTrue(e.getMessage().startsWith("the CUDA backend cannot run here (use --backend cpu):\n- "), e.getMessage());
        assertTrue(e.getMessage().contains(problems.getFirst().component()), e.getMessage());
        List<String> notices = new ArrayList<>();
        Ops ops = Backend.AUTO.create(notices::add);
        assertInstanceOf(CpuOps.class, ops);
        assertEquals(1, notices.size());
        assertTrue(notices.getFirst().startsWith("no CUDA backend (") && notices.getFirst().endsWith("); running on the CPU, fp32"));
        assertEquals(1, notices.getFirst().lines().count(), "the AUTO notice is one line");
        System.out.println("CUDA backend unavailable here: " + CudaProbe.oneLine(problems));
    }
}
