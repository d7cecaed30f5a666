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
}
