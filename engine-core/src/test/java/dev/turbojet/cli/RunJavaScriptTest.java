package dev.turbojet.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code .ci/run-java.sh}, the launchers' way to start the JVM: it drops exactly the incubator-module
 * warning from stderr, keeps every other line and their order, passes stdin and stdout through, returns
 * the JVM's exit status, and forwards TERM so a server still shuts down cleanly. A fake "java" script
 * stands in for the JVM.
 */
class RunJavaScriptTest {
    private static final Path SCRIPT = Path.of("..", ".ci", "run-java.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private Path fakeJava(String body) throws Exception {
        Path java = Files.writeString(dir.resolve("java"), "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return java;
    }

    private Process start(Path fake, String... args) throws Exception {
        assumeTrue(Files.isRegularFile(SCRIPT), "no " + SCRIPT);
        String call = "source \"$0\" && run_java \"$1\" \"${@:2}\"";
        var cmd = new ArrayList<>(List.of("bash", "-c", call, SCRIPT.toString(), fake.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    @Test
    void dropsOnlyTheIncubatorWarningAndKeepsTheExitStatus() throws Exception {
        Path java = fakeJava("""
                echo 'WARNING: Using incubator modules: jdk.incubator.vector' >&2
                echo 'first line' >&2
                echo 'WARNING: Using incubator modules: jdk.incubator.vector, and more' >&2
                read -r line; echo "stdin: $line $1"
                echo 'last line' >&2
                exit 3
                """);
        Process p = start(java, "arg");
        p.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(3, p.exitValue(), err);
        assertEquals("stdin: hello arg\n", out);
        assertEquals("first line\nWARNING: Using incubator modules: jdk.incubator.vector, and more\nlast line\n", err);
    }

    @Test
    void forwardsTermToTheJvm() throws Exception {
        Path java = fakeJava("""
                trap 'echo "shutting down" >&2; exit 143' TERM
                echo ready
                while true; do sleep 0.1; done
                """);
        Process p = start(java);
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the launcher did not end after TERM");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(143, p.exitValue(), err);
        assertEquals("shutting down\n", err);
    }
}
