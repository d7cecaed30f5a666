package dev.turbojet.cli;

import dev.turbojet.image.PngReader;
import dev.turbojet.image.PngWriter;
import dev.turbojet.image.RgbImage;
import dev.turbojet.io.singlefile.TinySingleFile;
import dev.turbojet.pipeline.ModelSourceTest;
import dev.turbojet.pipeline.Uint8Check;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** generate with a single-file checkpoint, TAESD decode and previews, and img2img from odd-sized images. */
class GenerateModelsTest {
    static final String TINY = GenerateCommandTest.TINY;
    static final String TAESD = ReferenceKit.root().resolve("taesdxl").toString();

    private static CliRun generate(String model, String... extra) {
        boolean width = Arrays.asList(extra).contains("--width");
        String[] base = {"generate", "a photo of a cat", "--model", model, "--height", "64",
                "--seed", "1001", "--steps", "2", "--backend", "cpu", "--width", "64"};
        if (width) base = Arrays.copyOf(base, base.length - 2);
        String[] args = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.of(args);
    }

    private static void assertError(String expected, CliRun r) {
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertEquals("turbojet generate: error: " + expected + "\n", r.err());
    }

    @Test
    void singleFileAndFolderGiveTheSamePixels(@TempDir Path dir) throws IOException {
        Path file = TinySingleFile.write(Path.of(TINY), dir.resolve("tiny_sdxl.safetensors"));
        // warm the JIT first: CpuOps' not-yet-compiled code rounds differently in the last bits
        for (int i = 0; i < ModelSourceTest.WARM_UP; i++) {
            assertEquals(0, generate(TINY, "--out", dir.resolve("warm.png").toString()).exitCode());
        }
        CliRun folder = generate(TINY, "--out", dir.resolve("folder.png").toString());
        assertEquals(0, folder.exitCode(), folder.err());
        CliRun single = generate(file.toString(), "--config-from", TINY, "--out", dir.resolve("single.png").toString());
        assertEquals(0, single.exitCode(), single.err());
        assertEquals("", single.err());
        assertTrue(single.out().contains("loading " + file + " (single file, configs: " + TINY + ")"), single.out());
        assertArrayEquals(PngReader.read(dir.resolve("folder.png")).image().rgb(),
                PngReader.read(dir.resolve("single.png")).image().rgb());

        assertError("--variant picks weight files in a diffusers folder; the single file " + file + " has one set of weights",
                generate(file.toString(), "--variant", "fp16"));
        assertError("--config-from applies only to a single-file --model (" + TINY + " is not a file)",
                generate(TINY, "--config-from", TINY));
        assertError("--config-from " + dir + ": not a diffusers folder (no model_index.json)",
                generate(file.toString(), "--config-from", dir.toString()));
    }

    @Test
    void taesdDecodeAndPreviews(@TempDir Path dir) throws IOException {
        Path previews = dir.resolve("previews");
        CliRun r = generate(TINY, "--vae", "taesd", "--taesd", TAESD, "--preview", previews.toString(),
                "--width", "96", "--out", dir.resolve("t.png").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("final decode: taesd"), r.out());
        assertTrue(r.out().contains("preview " + previews.resolve("step-2.png")), r.out());
        RgbImage img = PngReader.read(dir.resolve("t.png")).image();
        assertEquals(96, img.width());
        assertEquals(64, img.height());
        for (String f : new String[] {"step-1.png", "step-2.png"}) {
            RgbImage p = PngReader.read(previews.resolve(f)).image();
            assertEquals(96, p.width(), f);
        }
        // the last step's x0 is the final latents: its preview is the TAESD-decoded output
        Uint8Check.assertClose("step-2 preview vs output", PngReader.read(previews.resolve("step-2.png")).image().rgb(), img.rgb());

        // previews alongside the full VAE, weights found in the model folder's taesd/ subfolder
        Path model = dir.resolve("model");
        copyTree(Path.of(TINY), model);
        Files.createDirectories(model.resolve("taesd"));
        Files.copy(Path.of(TAESD, "taesdxl_decoder.safetensors"), model.resolve("taesd/taesdxl_decoder.safetensors"));
        CliRun full = generate(model.toString(), "--preview", dir.resolve("p2").toString(), "--out", dir.resolve("f.png").toString());
        assertEquals(0, full.exitCode(), full.err());
        assertFalse(full.out().contains("final decode: taesd"), full.out());
        assertTrue(Files.isRegularFile(dir.resolve("p2/step-2.png")));
    }

    @Test
    void missingTaesdWeightsNameWhereTheyWereLookedFor(@TempDir Path dir) {
        CliRun r = generate(TINY, "--vae", "taesd");
        assertError("TAESD decoder taesdxl_decoder.safetensors not found in " + Path.of(TINY).resolve("taesd") + " or "
                + Path.of(TINY) + "; download it from github.com/madebyollin/taesd and pass --taesd PATH", r);
        assertError("--taesd " + dir + ": no such file, and no folder holding taesdxl_decoder.safetensors",
                generate(TINY, "--vae", "taesd", "--taesd", dir.toString()));
        assertError("--taesd applies only with --vae taesd or --preview", generate(TINY, "--taesd", TAESD));
        assertError("unknown --vae 'tiny': use full or taesd", generate(TINY, "--vae", "tiny"));
    }

    @Test
    void img2imgTakesAnImageOfAnySize(@TempDir Path dir) throws IOException {
        byte[] rgb = new byte[100 * 37 * 3];
        for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) (i * 7);
        Path init = dir.resolve("wide.png");
        PngWriter.write(new RgbImage(100, 37, rgb), Map.of(), init);
        CliRun r = generate(TINY, "--init-image", init.toString(), "--strength", "0.75", "--width", "48",
                "--out", dir.resolve("out.png").toString());
        assertEquals(0, r.exitCode(), r.err());
        RgbImage out = PngReader.read(dir.resolve("out.png")).image();
        assertEquals(48, out.width());
        assertEquals(64, out.height());
        assertTrue(r.out().contains("step 1/1"), r.out());              // 2 steps x 0.75 -> 1 step
    }

    @Test
    void everyCommandHasHelpWithExamples() {
        for (String cmd : new String[] {"generate", "inspect", "verify"}) {
            CliRun r = CliRun.of(cmd, "--help");
            assertEquals(0, r.exitCode(), cmd);
            assertTrue(r.out().contains("Examples:"), cmd + ": " + r.out());
        }
        String help = CliRun.of("generate", "--help").out();
        for (String s : new String[] {"--config-from", "--vae", "--taesd", "--preview", "centre is cropped", "single-file"}) {
            assertTrue(help.contains(s), s + " missing from:\n" + help);
        }
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        try (var files = Files.walk(src)) {
            for (Path p : files.toList()) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }
}
