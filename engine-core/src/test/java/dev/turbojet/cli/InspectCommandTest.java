package dev.turbojet.cli;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.SafetensorsWriter;
import dev.turbojet.io.TensorStats;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InspectCommandTest {
    private static final Path TINY = tiny();
    private static final Path UNET = TINY.resolve("unet/diffusion_pytorch_model.safetensors");

    private static Path tiny() {
        try {
            return Path.of(InspectCommandTest.class.getResource("/reference/tiny-sdxl/model_index.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CliRun ok(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exitCode(), () -> r.err() + r.out());
        return r;
    }

    /** The table line that starts with {@code first} (after trimming), split into cells on 2+ spaces. */
    private static List<String> row(String out, String first) {
        return out.lines().map(String::strip).filter(l -> l.startsWith(first + " ") || l.equals(first)).findFirst()
                .map(l -> Arrays.asList(l.split(" {2,}")))
                .orElseThrow(() -> new AssertionError("no row '" + first + "' in:\n" + out));
    }

    @Test
    void fileTable() {
        CliRun r = ok("inspect", UNET.toString());
        assertTrue(r.out().startsWith(UNET + "\n  format = pt\n"), r.out());
        assertEquals(List.of("conv_in.weight", "F32", "[16, 4, 3, 3]", "576", "2,304"), row(r.out(), "conv_in.weight"));
        assertEquals(List.of("total: 840 tensors", "F32", "2,708,804", "10,835,216"), row(r.out(), "total:"));
        try (SafetensorsFile f = SafetensorsFile.open(UNET)) {
            assertEquals(2_708_804L, TensorStats.of(f).parameters());   // the sum of the file's own tensors
            assertEquals(f.names().size() + 6, r.out().lines().count()); // path, metadata, blank, header, rows, rule, total
        }
    }

    @Test
    void folderSummaryCountsExactly() {
        CliRun r = ok("inspect", TINY.toString());
        String out = r.out();
        assertTrue(out.startsWith(TINY + ": StableDiffusionXLPipeline, 7 components"), out);
        assertEquals(List.of("scheduler", "EulerAncestralDiscreteScheduler", "scheduler_config.json", "-"), row(out, "scheduler"));
        assertEquals(List.of("tokenizer_2", "CLIPTokenizer", "tokenizer_config.json", "-"), row(out, "tokenizer_2"));
        assertEquals(List.of("text_encoder", "CLIPTextModel", "model.safetensors", "F32", "52", "1,621,696", "6,486,784", "6.2 MiB"),
                row(out, "text_encoder"));
        assertEquals(List.of("text_encoder_2", "CLIPTextModelWithProjection", "model.safetensors", "F32", "53", "2,039,920",
                "8,159,680", "7.8 MiB"), row(out, "text_encoder_2"));
        assertEquals(List.of("unet", "UNet2DConditionModel", "diffusion_pytorch_model.safetensors", "F32", "840", "2,708,804",
                "10,835,216", "10.3 MiB"), row(out, "unet"));
        assertEquals(List.of("vae", "AutoencoderKL", "diffusion_pytorch_model.safetensors", "F32", "248", "334,383",
                "1,337,532", "1.3 MiB"), row(out, "vae"));
        assertEquals(List.of("total", "F32", "1,193", "6,704,803", "26,819,212", "25.6 MiB"), row(out, "total"));
        assertFalse(out.contains("conv_in.weight"), "no tensor list without --tensors");
    }

    @Test
    void folderTensorsFiltered() {
        CliRun r = ok("inspect", TINY.toString(), "--filter", "unet/down_blocks.0.resnets.0.conv1");
        String out = r.out();
        assertTrue(out.contains("\nunet/diffusion_pytorch_model.safetensors:\n"), out);
        assertEquals(List.of("down_blocks.0.resnets.0.conv1.bias", "F32", "[16]", "16", "64"), row(out, "down_blocks.0.resnets.0.conv1.bias"));
        assertEquals(List.of("down_blocks.0.resnets.0.conv1.weight", "F32", "[16, 16, 3, 3]", "2,304", "9,216"),
                row(out, "down_blocks.0.resnets.0.conv1.weight"));
        assertEquals(List.of("total: 2 tensors", "F32", "2,320", "9,280"), row(out, "total:"));
        assertFalse(out.contains("vae/"), out);
    }

    @Test
    void folderTensorsListsEveryComponent() {
        String out = ok("inspect", TINY.toString(), "--tensors").out();
        Matcher m = Pattern.compile("(?m)^total: ([0-9,]+) tensors").matcher(out);
        long sum = 0;
        while (m.find()) sum += Long.parseLong(m.group(1).replace(",", ""));
        assertEquals(1193, sum);
        assertTrue(out.contains("\ntext_encoder_2/model.safetensors:\n"), out);
    }

    @Test
    void filterMatchingNothingSaysSo() {
        assertTrue(ok("inspect", UNET.toString(), "--filter", "nope.").out().contains("no tensor name starts with \"nope.\""));
        assertTrue(ok("inspect", TINY.toString(), "--filter", "nope.").out().contains("no tensor name starts with \"nope.\""));
    }

    @Test
    void componentFolderAndShardedIndexAndFp16(@TempDir Path dir) throws IOException {
        CliRun vae = ok("inspect", TINY.resolve("vae").toString());
        assertEquals(List.of("total: 248 tensors", "F32", "334,383", "1,337,532"), row(vae.out(), "total:"));

        // an fp16 variant with one integer tensor: the dtype mix shows both
        try (SafetensorsFile f = SafetensorsFile.open(TINY.resolve("vae/diffusion_pytorch_model.safetensors"))) {
            SafetensorsWriter w = new SafetensorsWriter();
            f.tensors().forEach(v -> w.add(v.name(), DType.F16, v.shape(), v.toFloatArray()));
            w.add("step", DType.I64, Shape.of(new long[0]), new long[]{7});
            w.write(dir.resolve("diffusion_pytorch_model.fp16.safetensors"));
        }
        CliRun half = ok("inspect", dir.toString(), "--variant", "fp16");
        assertEquals(List.of("total: 249 tensors", "F16:248 I64:1", "334,384", "668,774"), row(half.out(), "total:"));

        CliRun wrong = CliRun.of("inspect", dir.toString(), "--variant", "fp32");
        assertEquals(1, wrong.exitCode());
        assertTrue(wrong.err().contains("no FP32 weights") && wrong.err().contains("holds diffusion_pytorch_model.fp16.safetensors"),
                wrong.err());
    }

    @Test
    void shardedIndex(@TempDir Path dir) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(TINY.resolve("vae/diffusion_pytorch_model.safetensors"))) {
            StringBuilder map = new StringBuilder();
            for (int s = 0; s < 2; s++) {
                SafetensorsWriter w = new SafetensorsWriter();
                String shard = "model-0000" + (s + 1) + "-of-00002.safetensors";
                for (var v : f.tensors()) {
                    if ((v.name().startsWith("decoder") ? 0 : 1) != s) continue;
                    w.add(v);
                    map.append(map.isEmpty() ? "" : ",").append('"').append(v.name()).append("\":\"").append(shard).append('"');
                }
                w.write(dir.resolve(shard));
            }
            Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\":{\"total_size\":1337532},\"weight_map\":{" + map + "}}");
        }
        CliRun r = ok("inspect", dir.resolve("model.safetensors.index.json").toString());
        assertTrue(r.out().startsWith(dir.resolve("model.safetensors.index.json") + " (2 shards)\n  total_size = 1337532\n"), r.out());
        assertEquals(List.of("total: 248 tensors", "F32", "334,383", "1,337,532"), row(r.out(), "total:"));
    }

    @Test
    void fullSizeUnetParameterCount(@TempDir Path dir) throws IOException {
        Path manifest = TINY.getParent().resolve("manifests/unet.tsv");
        Path unet = dev.turbojet.io.TestCheckpoints.sparseFp16(manifest, dir.resolve("unet.safetensors"));
        CliRun r = ok("inspect", unet.toString(), "--filter", "conv_in.");
        assertEquals(List.of("conv_in.weight", "F16", "[320, 4, 3, 3]", "11,520", "23,040"), row(r.out(), "conv_in.weight"));
        Files.move(unet, Files.createDirectories(dir.resolve("unet")).resolve("diffusion_pytorch_model.fp16.safetensors"));
        assertEquals(List.of("total: 1,680 tensors", "F16", "2,567,463,684", "5,134,927,368"),
                row(ok("inspect", dir.resolve("unet").toString()).out(), "total:"));
    }

    @Test
    void malformedFileIsOneLine(@TempDir Path dir) throws IOException {
        Path bad = Files.write(dir.resolve("bad.safetensors"), new byte[]{1, 2, 3});
        CliRun r = CliRun.of("inspect", bad.toString());
        assertEquals(1, r.exitCode());
        assertEquals("turbojet inspect: error: " + bad + ": file is 3 bytes, too short for the 8-byte header length", r.err().strip());
    }

    @Test
    void helpHasAnExample() {
        CliRun r = ok("inspect", "--help");
        assertTrue(r.out().contains("Examples:") && r.out().contains("turbojet inspect "), r.out());
        assertTrue(ok("help", "inspect").out().contains("--filter=PREFIX"));
    }
}
