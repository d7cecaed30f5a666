package dev.turbojet.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code turbojet serve}'s options: its help, its defaults, and mistakes refused before anything listens. */
class ServeCommandTest {
    @Test
    void helpListsTheServerAndModelOptionsWithTheirDefaults() {
        CliRun run = CliRun.of("serve", "--help");
        assertEquals(0, run.exitCode(), run.err());
        for (String option : new String[] {"--host", "--port", "--api-key", "--queue", "--timeout", "--max-request-mb",
                "--shutdown-grace", "--model", "--backend", "--precision", "--vae", "--taesd", "--variant", "--offline"}) {
            assertTrue(run.out().contains(option), option + " in:\n" + run.out());
        }
        String help = run.out().replaceAll("\\s+", " ");                 // however the lines wrap
        assertTrue(help.contains("Default: 127.0.0.1"), run.out());
        assertTrue(help.contains("Default: 7860"), run.out());
        assertTrue(CliRun.of("--help").out().contains("serve "), "listed by turbojet --help");
    }

    @Test
    void badOptionsAreOneLineErrorsBeforeAnythingListens() {
        CliRun vae = CliRun.of("serve", "--vae", "tiny", "--backend", "cpu");
        assertEquals(1, vae.exitCode());
        assertTrue(vae.err().contains("unknown --vae 'tiny'"), vae.err());
        CliRun queue = CliRun.of("serve", "--queue", "0", "--backend", "cpu");
        assertEquals(1, queue.exitCode());
        assertTrue(queue.err().contains("at least 1 job"), queue.err());
        CliRun port = CliRun.of("serve", "--port", "70000", "--backend", "cpu");
        assertEquals(1, port.exitCode());
        assertTrue(port.err().contains("port must be in 0..65535"), port.err());
    }
}
