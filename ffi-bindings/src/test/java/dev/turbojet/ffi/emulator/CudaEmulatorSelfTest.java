package dev.turbojet.ffi.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The CUDA emulator's own tests (ffi-bindings/src/test/cuda-emulator/selftest): C++ programs that
 * check the emulated driver, device, cuBLASLt and cuDNN against references written from NVIDIA's
 * documented formulas, not from turbojet's code. Each program is one test; it passes when it exits 0.
 */
class CudaEmulatorSelfTest {
    static final Path EMULATOR = Path.of("target/cuda-emulator");

    @TestFactory
    Stream<DynamicTest> selfTests() throws IOException {
        Path unavailable = EMULATOR.resolve("UNAVAILABLE");
        assumeFalse(Files.isRegularFile(unavailable), () -> "the CUDA emulator was not built: " + read(unavailable));
        Path dir = EMULATOR.resolve("selftest");
        assertTrue(Files.isDirectory(dir), "no " + dir + ": the build's generate-test-resources phase makes it");
        List<Path> programs;
        try (Stream<Path> files = Files.list(dir)) {
            programs = files.filter(Files::isExecutable).filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().contains(".")).sorted().toList();
        }
        assertFalse(programs.isEmpty(), "no self-test programs in " + dir);
        return programs.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> run(p)));
    }

    private static void run(Path program) throws IOException, InterruptedException {
        Path output = Files.createTempFile(EMULATOR, program.getFileName().toString(), ".log");
        Process process = new ProcessBuilder(program.toAbsolutePath().toString()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        boolean finished = process.waitFor(300, TimeUnit.SECONDS);
        if (!finished) process.destroyForcibly().waitFor();
        String log = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        System.out.print(log);
        assertTrue(finished, program + " did not finish within 300 s");
        assertEquals(0, process.exitValue(), program.getFileName() + " failed:\n" + log);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return e.toString();
        }
    }
}
