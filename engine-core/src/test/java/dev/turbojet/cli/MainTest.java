package dev.turbojet.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @Test
    void helpListsSubcommands() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("inspect"), r.out());
        assertTrue(r.out().contains("--verbose"), r.out());
    }

    /** Help text wraps between words: no line of any command's help ends inside a hyphenated word (picocli may break after '-'). */
    @Test
    void helpNeverBreaksInsideAWord() {
        for (String command : new String[]{"generate", "serve", "inspect", "profile", "verify"}) {
            CliRun r = CliRun.of(command, "--help");
            assertEquals(0, r.exitCode(), command + ": " + r.err());
            for (String line : r.out().split("\\R")) {
                assertFalse(line.stripTrailing().matches(".*[\\w{}/]-"), command + " --help breaks after a hyphen: [" + line + "]");
            }
        }
    }

    @Test
    void version() {
        CliRun r = CliRun.of("--version");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("turbojet "), r.out());
    }

    @Test
    void noSubcommandIsAUsageError() {
        CliRun r = CliRun.of();
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Missing a subcommand"), r.err());
    }

    @Test
    void errorIsOneLineWithoutStackTrace() {
        CliRun r = CliRun.of("inspect", "/no/such/file.safetensors");
        assertEquals(1, r.exitCode());
        assertEquals("turbojet inspect: error: /no/such/file.safetensors: no such folder, and not a repository id (owner/name)",
                r.err().strip());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void verboseShowsTheStackTraceBeforeOrAfterTheSubcommand() {
        for (String[] args : new String[][]{{"-v", "inspect", "/no/such/file"}, {"inspect", "/no/such/file", "--verbose"}}) {
            CliRun r = CliRun.of(args);
            assertEquals(1, r.exitCode());
            assertTrue(r.err().contains("CheckpointException") && r.err().contains("\tat "), r.err());
        }
    }

    @Test
    void unexpectedFailuresNameTheirType() {
        assertEquals("java.lang.IllegalStateException: boom (run with --verbose for the stack trace)",
                ErrorHandler.oneLine(new IllegalStateException("boom")));
        assertEquals("NoSuchFileException: /a b/c", ErrorHandler.oneLine(new java.nio.file.NoSuchFileException("/a b/c")));
    }

    @Test
    void aCommandLineThatDoesNotParseIsOneLinePointingAtHelp() {
        for (String[] args : new String[][]{{"generate", "a cat", "--steps", "abc"}, {"generate", "a cat", "--stepz", "2"},
                {"generate", "a cat", "--seed", "99999999999999999999"}, {"inspect"}}) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.exitCode(), String.join(" ", args));
            String err = r.err().strip();
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("turbojet " + args[0] + ": error: ") && err.endsWith("; see 'turbojet " + args[0] + " --help'"), err);
            assertFalse(err.contains("Usage:"), err);
        }
        assertTrue(CliRun.of("generate", "a cat", "--steps", "abc").err().contains("'abc'"));
        assertTrue(CliRun.of("generate", "a cat", "--stepz", "2").err().contains("did you mean --steps"),
                CliRun.of("generate", "a cat", "--stepz", "2").err());
    }

    @Test
    void runningOutOfHeapSaysWhatToChange() {
        @picocli.CommandLine.Command(name = "hungry")
        class Hungry implements java.util.concurrent.Callable<Integer> {
            @Override
            public Integer call() {
                throw new OutOfMemoryError("Java heap space");
            }
        }
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cmd = Main.commandLine().addSubcommand(new Hungry());
        cmd.setErr(new java.io.PrintWriter(err, true));
        assertEquals(1, cmd.execute("hungry"));
        String line = err.toString().strip();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.startsWith("turbojet hungry: error: out of Java heap (Java heap space) with a maximum of "), line);
        assertTrue(line.contains("TURBOJET_JAVA_OPTS=-Xmx"), line);
    }
}
