package dev.turbojet.ops;

import dev.turbojet.ops.cpu.CpuOps;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The CPU and counting backends, bare and decorated, reject each bad input with the contract's message. */
class OpContractTest {
    private static final CpuOps CPU = new CpuOps(1);

    static List<BadInputs.Case> cases() {
        return BadInputs.all();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyBackendGivesTheContractMessage(BadInputs.Case c) {
        for (Ops ops : List.of(CPU, new CountingOps(), new CheckedOps(CPU, true))) {
            assertEquals(c.message(), BadInputs.messageOf(ops, c), ops.describe());
        }
    }
}
