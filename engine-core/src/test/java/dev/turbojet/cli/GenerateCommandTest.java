package dev.turbojet.cli;

import dev.turbojet.image.PngImage;
import dev.turbojet.image.PngReader;
import dev.turbojet.pipeline.Uint8Check;
import dev.turbojet.testing.Goldens;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateCommandTest {
    static final String TINY = ReferenceKit.tiny().toString();

    private static CliRun generate(String... extra) {
        String[] base = {"generate", "a photo of a cat", "--model", TINY, "--width", "64", "--height", "64", "--seed", "1001"};
        String[] args = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.of(args);
    }

    @Test
    void writesThePngDiffusersMakes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cat.png");
        CliRun r = generate("--backend", "cpu", "--out", file.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("seed 1001"), r.out());
        assertTrue(r.out().contains("step 1/1"), r.out());
        assertTrue(r.out().contains("time: text encoders"), r.out());
        assertTrue(r.out().contains("wrote " + file), r.out());
        assertEquals("", r.err());

        PngImage png = PngReader.read(file);
        // the golden call had prompts 0 and 1 under seed 1001; image 0 is prompt 0 ("a photo of a cat").
        // A batch of one draws the first half of the same initial noise, and one step's ancestral noise is x0.
        try (Goldens g = new Goldens(ReferenceKit.golden("pipeline.safetensors"))) {
            byte[] both = g.bytes("p64x64_s1.image_uint8");
            Uint8Check.assertClose("cli image vs p64x64_s1.image_uint8[0]", png.image().rgb(), Arrays.copyOf(both, both.length / 2));
        }
        assertEquals("a photo of a cat", png.text().get("prompt"));
        assertEquals("1001", png.text().get("seed"));
        assertEquals("1", png.text().get("steps"));
        assertEquals("64", png.text().get("width"));
        assertEquals(TINY, png.text().get("model"));
        assertTrue(png.text().get("software").startsWith("turbojet "), png.text().toString());
        assertFalse(png.text().containsKey("batch_size") || png.text().get("parameters").contains("Batch"), "an image made alone");
    }

    /** --vae-tiling reaches the pipeline: on, the tiny VAE's one 64-px tile is decoded by tiled_decode's path. */
    @Test
    void vaeTilingOnDecodesByTiles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tiled.png");
        CliRun r = generate("--backend", "cpu", "--vae-tiling", "on", "--out", file.toString());
        assertEquals(0, r.exitCode(), r.err());
        try (Goldens g = new Goldens(ReferenceKit.golden("pipeline.safetensors"))) {
            byte[] both = g.bytes("p64x64_s1.image_uint8");
            assertFalse(Arrays.equals(PngReader.read(file).image().rgb(), Arrays.copyOf(both, both.length / 2)),
                    "a tiled decode differs from diffusers' untiled one");
        }
    }

    @Test
    void autoBackendSaysItRunsOnTheCpuAndBatchesNumberTheFiles(@TempDir Path dir) throws IOException {
        CliRun r = generate("--batch", "2", "--steps", "2", "--out", dir.resolve("img.png").toString());
        assertEquals(0, r.exitCode(), r.err());
        // one line: why CUDA cannot run here, and that the CPU does instead
        assertTrue(r.err().startsWith("turbojet generate: no CUDA backend (") && r.err().endsWith("; running on the CPU, fp32\n")
                && r.err().lines().count() == 1, r.err());
        assertTrue(Files.isRegularFile(dir.resolve("img-0.png")));
        assertTrue(Files.isRegularFile(dir.resolve("img-1.png")));
        assertTrue(r.out().contains("step 2/2"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("step 2/2  timestep \\d+  \\d+\\.\\d\\d s since the start")), r.out());
        for (int i = 0; i < 2; i++) {               // what reproduces each image: the seed, the batch size and the position
            PngImage png = PngReader.read(dir.resolve("img-" + i + ".png"));
            assertTrue(png.text().get("parameters").contains("Seed: 1001, Size: 64x64, Batch size: 2, Batch pos: " + i + ","),
                    png.text().get("parameters"));
            assertEquals(Integer.toString(i), png.text().get("batch_index"));
        }
    }

    @Test
    void img2imgAndGuidanceRunFromTheCommandLine(@TempDir Path dir) {
        Path first = dir.resolve("first.png");
        assertEquals(0, generate("--backend", "cpu", "--out", first.toString()).exitCode());
        CliRun r = generate("--backend", "cpu", "--init-image", first.toString(), "--strength", "0.5",
                "--guidance", "2", "--negative", "blurry", "--out", dir.resolve("second-{seed}.png").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.isRegularFile(dir.resolve("second-1001.png")));
        assertTrue(r.out().contains("vae encode"), r.out());
    }

    private static void assertError(String expected, CliRun r) {
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertEquals("turbojet generate: error: " + expected + "\n", r.err());
    }

    @Test
    void badInputsGiveOneClearLine(@TempDir Path dir) throws IOException {
        assertError("width 100 is not a multiple of 8 (the VAE downsamples by 8)",
                CliRun.of("generate", "a cat", "--model", TINY, "--width", "100"));
        assertError("steps must be in 1..1000, got 0", generate("--steps", "0"));
        assertError("--batch must be in 1..64, got 0", generate("--batch", "0"));
        assertError("unknown backend 'tpu': use cpu, cuda or auto", generate("--backend", "tpu"));
        assertError("unknown VAE tiling 'sometimes': use auto, on or off", generate("--vae-tiling", "sometimes"));
        CliRun cuda = generate("--backend", "cuda");
        assertEquals(1, cuda.exitCode(), cuda.out() + cuda.err());
        assertTrue(cuda.err().startsWith("turbojet generate: error: the CUDA backend cannot run here (use --backend cpu):"), cuda.err());
        assertTrue(cuda.err().contains("libcuda.so.1"), "names what it looked for: " + cuda.err());
        assertError("--strength applies only with --init-image", generate("--strength", "0.3"));
        Path png = dir.resolve("in.png");
        assertEquals(0, generate("--backend", "cpu", "--out", png.toString()).exitCode());
        assertError("img2img strength must be in (0, 1], got 1.5", generate("--init-image", png.toString(), "--strength", "1.5"));
        assertError("img2img strength must be in (0, 1], got 0.0", generate("--init-image", png.toString(), "--strength", "0"));
        assertError("--init-image " + dir.resolve("none.png") + ": no such file", generate("--init-image", dir.resolve("none.png").toString()));

        CliRun missing = CliRun.of("generate", "a cat", "--backend", "cpu", "--model", dir.resolve("nothing").toString());
        assertError(dir.resolve("nothing") + ": no such folder, and not a repository id (owner/name)", missing);
        CliRun offline = CliRun.of("generate", "a cat", "--backend", "cpu", "--offline", "--model", "turbojet-tests/no-such-model");
        assertEquals(1, offline.exitCode());
        assertTrue(offline.err().startsWith("turbojet generate: error: turbojet-tests/no-such-model: no such local folder; as a repository id: "),
                offline.err());
        assertFalse(offline.err().contains("downloading"), offline.err());
        assertTrue(offline.err().contains("--model /path") && offline.err().lines().count() == 1, "says what to do, in one line: " + offline.err());
    }

    @Test
    void outputsAreCheckedBeforeTheModelIsLookedFor(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("init.png"), "not a folder");
        String noModel = dir.resolve("no-model").toString();   // the model would fail next: these must fail first
        String[][] cases = {
            {"--out", file + "/x.png", "--out " + file + "/x.png: " + file + " is a file, not a folder"},
            {"--out", dir.resolve("x.jpg").toString(), "--out " + dir.resolve("x.jpg") + ": turbojet writes PNG files; give the name a .png extension"},
            {"--out", dir.toString(), "--out " + dir + " is a folder; name a .png file in it"},
            {"--out", "", "--out '': not a file name"},
            {"--preview", file.toString(), "--preview " + file + ": exists and is not a folder"},
        };
        for (String[] c : cases) {
            assertError(c[2], CliRun.of("generate", "a cat", "--backend", "cpu", "--model", noModel, c[0], c[1]));
        }
        if (Files.isDirectory(Path.of("/proc/self"))) {
            CliRun proc = CliRun.of("generate", "a cat", "--backend", "cpu", "--model", noModel, "--out", "/proc/x.png");
            assertTrue(proc.err().startsWith("turbojet generate: error: --out /proc/x.png: cannot write in /proc ("), proc.err());
        }
        try (var left = Files.list(dir)) {
            assertEquals(List.of("init.png"), left.map(p -> p.getFileName().toString()).toList(), "the checks leave nothing behind");
        }
    }

    @Test
    void replacingAnImageSaysSo(@TempDir Path dir) {
        String out = dir.resolve("again.png").toString();
        CliRun first = generate("--backend", "cpu", "--out", out);
        CliRun second = generate("--backend", "cpu", "--out", out);
        assertTrue(first.out().contains("wrote " + out + "\n"), first.out());
        assertTrue(second.out().contains("wrote " + out + " (replacing the file that was there)"), second.out());
    }

    @Test
    void promptWeightingIsNotSilentlyTakenLiterally(@TempDir Path dir) {
        CliRun r = generate("--backend", "cpu", "--batch", "2", "--out", dir.resolve("x.png").toString());
        assertFalse(r.err().contains("weighting"), r.err());
        CliRun weighted = CliRun.of("generate", "a (red:1.5) fox", "--model", TINY, "--width", "64", "--height", "64",
                "--backend", "cpu", "--batch", "2", "--out", dir.resolve("y.png").toString());
        assertEquals(0, weighted.exitCode(), weighted.err());
        assertEquals("turbojet generate: warning: prompt weighting such as '(red:1.5)' is not supported; the prompt is"
                + " encoded as written, brackets and numbers included\n", weighted.err(), "once for the batch, from the library");
    }

    @Test
    void aJpegInitImageIsRead(@TempDir Path dir) throws IOException {
        java.awt.image.BufferedImage jpeg = new java.awt.image.BufferedImage(40, 24, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 24; y++) for (int x = 0; x < 40; x++) jpeg.setRGB(x, y, (x * 6) << 16 | (y * 10) << 8 | 128);
        Path file = dir.resolve("photo.jpg");
        assertTrue(javax.imageio.ImageIO.write(jpeg, "jpg", file.toFile()));
        dev.turbojet.image.RgbImage read = dev.turbojet.image.ImageFiles.read(file);
        assertEquals(40, read.width());
        assertEquals(24, read.height());
        assertTrue(Math.abs((read.rgb()[3 * 39] & 0xff) - 39 * 6) < 12, "red of the last pixel of row 0, JPEG-close");
        CliRun r = generate("--backend", "cpu", "--init-image", file.toString(), "--strength", "0.5", "--steps", "2",
                "--out", dir.resolve("from-jpeg.png").toString());
        assertEquals(0, r.exitCode(), r.err());
        Path text = Files.writeString(dir.resolve("notes.jpg"), "not an image");
        assertError(text + ": not a PNG or JPEG file", generate("--init-image", text.toString()));
    }

    @Test
    void theWeightFilesReadAreNamed(@TempDir Path dir) throws IOException {
        Path model = ReferenceKit.tinyWithFp16Variant(dir.resolve("model"));
        CliRun r = CliRun.of("generate", "a cat", "--model", model.toString(), "--variant", "fp16", "--backend", "cpu",
                "--width", "64", "--height", "64", "--out", dir.resolve("x.png").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("  unet from " + model.resolve("unet/diffusion_pytorch_model.fp16.safetensors") + "\n"), r.out());
        assertTrue(r.out().contains("  text_encoder_2 from " + model.resolve("text_encoder_2/model.fp16.safetensors") + "\n"), r.out());
        assertTrue(r.out().indexOf("  unet from ") < r.out().indexOf("loaded in "), "said as the load goes: " + r.out());
    }

    @Test
    void longPromptWarnsOnStderr(@TempDir Path dir) {
        CliRun r = CliRun.of("generate", "word ".repeat(90).trim(), "--model", TINY, "--width", "64", "--height", "64",
                "--backend", "cpu", "--seed", "1", "--out", dir.resolve("long.png").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().startsWith("turbojet generate: warning: prompt 1 has 92 tokens; CLIP reads 77"), r.err());
    }

    @Test
    void helpShowsExamples() {
        CliRun r = CliRun.of("generate", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("Examples:"), r.out());
        assertTrue(r.out().contains("--init-image"), r.out());
        assertTrue(r.out().contains("Default: stabilityai/sdxl-turbo"), r.out());
        assertTrue(r.out().contains("--vae-tiling=WHEN"), r.out());
        assertFalse(CliRun.of("--help").out().isEmpty());
        assertTrue(CliRun.of("--help").out().contains("generate"));
    }
}
