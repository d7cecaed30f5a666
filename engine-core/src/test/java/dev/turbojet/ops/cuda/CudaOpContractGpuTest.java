package dev.turbojet.ops.cuda;

import dev.turbojet.ops.BadInputs;
import dev.turbojet.ops.CheckedOps;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** CudaOps rejects each bad input with the same message as CpuOps (the contract's, from OpShapes). */
class CudaOpContractGpuTest {
    private static CudaOps gpu;
    private static final CpuOps CPU = new CpuOps(1);

    @BeforeEach
    void gpuPresent() {
        assumeTrue(GpuSupport.available(), () -> GpuSupport.skipReason().orElse(""));
    }

    @BeforeAll
    static void open() {
        if (GpuSupport.available()) gpu = CudaOps.open(new CudaOps.Options(0, Precision.FP16, 64L << 20));
    }

    @AfterAll
    static void close() {
        if (gpu != null) gpu.close();
        gpu = null;
    }

    static List<BadInputs.Case> cases() {
        return BadInputs.all();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void sameMessageAsTheCpu(BadInputs.Case c) {
        String message;
        try (Ops.Pass pass = gpu.pass()) {
            message = BadInputs.messageOf(gpu, c);
            assertEquals(message, BadInputs.messageOf(new CheckedOps(gpu, false), c));
        }
        assertEquals(BadInputs.messageOf(CPU, c), message);
        assertEquals(c.message(), message);
    }
}
