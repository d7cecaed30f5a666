package dev.turbojet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.HfCache;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.TestCheckpoints;
import dev.turbojet.io.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real SDXL Turbo layout in a fake hub cache: the shipped configs, and fp16 weights rebuilt from
 * the manifests as sparse files, all as symbolic links from snapshots/REV into blobs/. inspect must
 * report exactly the parameter counts of manifests/totals.json.
 */
class InspectSdxlTurboTest {
    private static final String REV = "71153311d3dbb46851df1931d3ca6e939de83304";
    private static final Map<String, String> WEIGHTS = Map.of(
            "unet", "diffusion_pytorch_model.fp16.safetensors",
            "vae", "diffusion_pytorch_model.fp16.safetensors",
            "text_encoder", "model.fp16.safetensors",
            "text_encoder_2", "model.fp16.safetensors");

    @TempDir
    Path hub;

    private static Path resource(String name) {
        try {
            return Path.of(InspectSdxlTurboTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path fakeCache() throws IOException {
        Path repo = hub.resolve("models--stabilityai--sdxl-turbo");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path snapshot = repo.resolve("snapshots").resolve(REV);
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), REV);
        Path configs = resource("/dev/turbojet/models/sdxl-turbo/model_index.json").getParent();
        int[] blob = {0};
        try (Stream<Path> files = Files.walk(configs)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                Path b = Files.copy(f, blobs.resolve("config" + blob[0]++));
                link(snapshot.resolve(configs.relativize(f).toString()), b);
            }
        }
        Path manifests = resource("/reference/manifests/totals.json").getParent();
        for (var e : WEIGHTS.entrySet()) {
            Path b = TestCheckpoints.sparseFp16(manifests.resolve(e.getKey() + ".tsv"), blobs.resolve("weights-" + e.getKey()));
            link(snapshot.resolve(e.getKey()).resolve(e.getValue()), b);
        }
        return snapshot;
    }

    private static void link(Path at, Path blob) throws IOException {
        Files.createDirectories(at.getParent());
        Files.createSymbolicLink(at, at.getParent().relativize(blob));
    }

    @Test
    void fullSizeSummaryFromTheHubCache() throws IOException {
        Path snapshot = fakeCache();
        ModelFolder folder = ModelFolder.fromCache(new HfCache(hub, "test"), "stabilityai/sdxl-turbo", Optional.empty());
        assertEquals(snapshot, folder.root());
        assertEquals(Variant.FP16, folder.weights("unet", Variant.ANY).variant());

        CliRun r = CliRun.of("inspect", snapshot.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode totals = new ObjectMapper().readTree(resource("/reference/manifests/totals.json").toFile());
        long params = 0, bytes = 0, tensors = 0;
        for (String c : WEIGHTS.keySet()) {
            JsonNode t = totals.get(c);
            List<String> row = row(r.out(), c);
            assertEquals(WEIGHTS.get(c), row.get(2), c);
            assertEquals("F16", row.get(3), c);
            assertEquals(t.get("tensors").asLong(), number(row.get(4)), c);
            assertEquals(t.get("parameters").asLong(), number(row.get(5)), c);
            assertEquals(t.get("bytes_fp16").asLong(), number(row.get(6)), c);
            tensors += t.get("tensors").asLong();
            params += t.get("parameters").asLong();
            bytes += t.get("bytes_fp16").asLong();
        }
        assertEquals("2,567,463,684", row(r.out(), "unet").get(5));
        List<String> total = row(r.out(), "total");
        assertEquals(List.of(tensors, params, bytes), List.of(number(total.get(2)), number(total.get(3)), number(total.get(4))));

        CliRun fp32 = CliRun.of("inspect", snapshot.toString(), "--variant", "fp32");
        assertEquals(1, fp32.exitCode());
        assertTrue(fp32.err().contains("component text_encoder (CLIPTextModel): ") && fp32.err().contains("no FP32 weights"),
                fp32.err());
    }

    private static long number(String cell) {
        return Long.parseLong(cell.replace(",", ""));
    }

    private static List<String> row(String out, String first) {
        return out.lines().filter(l -> l.startsWith(first + " ")).findFirst()
                .map(l -> Arrays.asList(l.strip().split(" {2,}")))
                .orElseThrow(() -> new AssertionError("no row '" + first + "' in:\n" + out));
    }
}
