package dev.turbojet.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code .ci/find-jdk.sh}, which {@code ./build}, {@code ./turbojet} and {@code .ci/run} source: where the
 * java on PATH is 17 and JAVA_HOME is unset (as on CI), it finds the JDK 22+ installed beside it; where
 * there is none, it says what to install and fails.
 */
class FindJdkScriptTest {
    private static final Path SCRIPT = Path.of("..", ".ci", "find-jdk.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void findsTheNewJdkBesideAnOldDefaultJava() throws Exception {
        Path thisJdk = Path.of(System.getProperty("java.home"));
        assumeTrue(Files.isExecutable(thisJdk.resolve("bin/javac")), "the tests run on a JRE without javac");
        Run r = run(thisJdk.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(thisJdk.toRealPath().toString(), Path.of(r.out().strip()).toRealPath().toString(), r.err());
    }

    @Test
    void saysWhatToInstallWhereThereIsNone() throws Exception {
        Run r = run(dir.resolve("no-jdks-here").toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("needs a JDK 22 or newer") && r.err().contains("Install one, e.g. Temurin 25"), r.err());
        assertTrue(r.err().contains(dir.resolve("old/bin/java").toString()), "names the java it found: " + r.err());
    }

    private record Run(int code, String out, String err) {
    }

    /** Sources the script with only a fake Java 17 on PATH and {@code jdkDirs} to search; prints JAVA_HOME. */
    private Run run(String jdkDirs) throws IOException, InterruptedException {
        assumeTrue(Files.isRegularFile(SCRIPT), "no " + SCRIPT);
        Path old = Files.createDirectories(dir.resolve("old/bin"));
        Path java = Files.writeString(old.resolve("java"), "#!/bin/sh\necho '    java.specification.version = 17' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "TURBOJET_QUIET=1 source \"$0\" && echo \"$JAVA_HOME\"", SCRIPT.toString());
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME");
        env.put("PATH", old + ":/usr/bin:/bin");
        env.put("TURBOJET_JDK_DIRS", jdkDirs);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }
}
