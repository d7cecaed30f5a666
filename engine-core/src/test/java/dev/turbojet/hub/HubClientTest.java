package dev.turbojet.hub;

import dev.turbojet.io.HfCache;
import dev.turbojet.io.ModelFolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Downloads the tiny model from a local fake hub into a temporary Hugging Face cache. */
@Timeout(60)
class HubClientTest {
    static final String REPO = "tiny-org/tiny-sdxl";
    /** Listed by the fake hub but never needed: the client must not ask for them. */
    static final List<String> UNWANTED = List.of("README.md", "sd_xl_turbo_1.0_fp16.safetensors", "unet/diffusion_pytorch_model.bin",
            "text_encoder/model.onnx", "text_encoder/flax_model.msgpack", "vae/diffusion_pytorch_model.safetensors",
            "unet/diffusion_pytorch_model.fp16.bin", "unused_folder/config.json");

    @TempDir
    Path tmp;
    FakeHub hub;
    Path hubFolder;

    static Path tiny() {
        try {
            return Path.of(HubClientTest.class.getResource("/reference/tiny-sdxl/model_index.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void start() throws IOException {
        // different bytes from the fp32 file, so that its LFS hash differs too
        byte[] vae = java.util.Arrays.copyOf(Files.readAllBytes(tiny().resolve("vae/diffusion_pytorch_model.safetensors")), 700_000);
        hub = new FakeHub(REPO, tiny(), Map.of(
                // the vae folder offers an fp16 variant: it must be preferred over the fp32 file
                "vae/diffusion_pytorch_model.fp16.safetensors", vae,
                "README.md", "# tiny".getBytes(), "sd_xl_turbo_1.0_fp16.safetensors", new byte[64],
                "unet/diffusion_pytorch_model.bin", new byte[16], "unet/diffusion_pytorch_model.fp16.bin", new byte[16],
                "text_encoder/model.onnx", new byte[16], "text_encoder/flax_model.msgpack", new byte[16],
                "unused_folder/config.json", "{}".getBytes()));
        hubFolder = tmp.resolve("hf/hub");
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    HubClient client(boolean offline, Optional<String> token) {
        return new HubClient(new HubClient.Settings(hub.endpoint(), token, offline, new HfCache(hubFolder, "$HF_HUB_CACHE"),
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10), 3));
    }

    @Test
    void downloadsOnlyTheNeededFilesIntoTheCacheLayout() throws IOException {
        List<DownloadListener.Progress> progress = new ArrayList<>();
        List<String> finished = new ArrayList<>();
        Path snapshot = client(false, Optional.empty()).download(REPO, "main", new DownloadListener() {
            @Override public void progress(Progress p) { progress.add(p); }
            @Override public void finished(String file, long bytes, boolean downloaded) { finished.add(file); }
        });

        Path repoFolder = hubFolder.resolve("models--tiny-org--tiny-sdxl");
        assertEquals(repoFolder.resolve("snapshots").resolve(FakeHub.COMMIT), snapshot);
        assertEquals(FakeHub.COMMIT, Files.readString(repoFolder.resolve("refs/main")));
        List<String> expected = hub.files.keySet().stream().filter(f -> !UNWANTED.contains(f)).sorted().toList();
        assertEquals(expected, snapshotFiles(snapshot));
        assertTrue(expected.contains("vae/diffusion_pytorch_model.fp16.safetensors"));
        for (String f : UNWANTED) assertEquals(List.of(), hub.requestsFor(f), "asked for " + f);

        for (String f : expected) {
            Path link = snapshot.resolve(f);
            assertTrue(Files.isSymbolicLink(link), f);
            Path target = Files.readSymbolicLink(link);
            assertFalse(target.isAbsolute(), "relative link: " + target);
            String etag = FakeHub.lfs(f) ? FakeHub.sha256(hub.files.get(f)) : FakeHub.gitSha1(hub.files.get(f));
            assertEquals(link.getParent().relativize(repoFolder.resolve("blobs").resolve(etag)), target, f);
            assertArrayEquals(hub.files.get(f), Files.readAllBytes(link), f);
        }
        try (Stream<Path> blobs = Files.list(repoFolder.resolve("blobs"))) {
            assertTrue(blobs.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
        assertEquals(expected.size(), finished.size());
        DownloadListener.Progress last = progress.getLast();
        assertEquals(last.allTotal(), last.allDone());
        assertTrue(last.allTotal() > 20_000_000, "about 28 MB of tiny model");

        // the engine's own loader reads the result
        ModelFolder folder = ModelFolder.fromCache(new HfCache(hubFolder, "test"), REPO, Optional.empty());
        assertEquals("StableDiffusionXLPipeline", folder.className());

        // a second call finds everything cached: only the API listing is requested
        int before = hub.requests.size();
        client(false, Optional.empty()).download(REPO, "main", DownloadListener.NONE);
        assertEquals(1, hub.requests.size() - before, hub.requests.subList(before, hub.requests.size()).toString());
    }

    @Test
    void resumesAfterTheConnectionDropsMidFile() throws IOException {
        String file = "unet/diffusion_pytorch_model.safetensors";
        hub.dropOnce.put(file, 1_000_000);
        Path snapshot = client(false, Optional.empty()).download(REPO, "main", DownloadListener.NONE);
        assertArrayEquals(hub.files.get(file), Files.readAllBytes(snapshot.resolve(file)));
        List<String> gets = hub.requestsFor(file).stream().filter(r -> r.startsWith("GET /lfs/")).toList();
        assertEquals(2, gets.size(), gets.toString());
        assertFalse(gets.get(0).contains("bytes="), gets.toString());
        // the resumed request starts where the partial file ended: at most the 1,000,000 bytes the
        // server sent before dropping (the tail of those can be lost with the connection), never 0
        var range = java.util.regex.Pattern.compile(" bytes=(\\d+)-$").matcher(gets.get(1));
        assertTrue(range.find(), gets.toString());
        long resumedAt = Long.parseLong(range.group(1));
        assertTrue(resumedAt > 0 && resumedAt <= 1_000_000, gets.toString());
    }

    @Test
    void resumesAnIncompleteFileLeftByAnEarlierRun() throws IOException {
        String file = "text_encoder_2/model.safetensors";
        byte[] data = hub.files.get(file);
        Path blobs = hubFolder.resolve("models--tiny-org--tiny-sdxl/blobs");
        Files.createDirectories(blobs);
        Files.write(blobs.resolve(FakeHub.sha256(data) + ".incomplete"), java.util.Arrays.copyOf(data, 12345));
        Path snapshot = client(false, Optional.empty()).download(REPO, "main", DownloadListener.NONE);
        assertArrayEquals(data, Files.readAllBytes(snapshot.resolve(file)));
        assertEquals(List.of("GET /lfs/" + FakeHub.sha256(data) + " bytes=12345-"),
                hub.requestsFor(file).stream().filter(r -> r.startsWith("GET /lfs/")).toList());
    }

    @Test
    void aWrongChecksumIsAnErrorAndPlacesNothing() {
        String file = "text_encoder/model.safetensors";
        hub.corrupt.add(file);
        HubException e = assertThrows(HubException.class, () -> client(false, Optional.empty()).download(REPO, "main", DownloadListener.NONE));
        String sha = FakeHub.sha256(hub.files.get(file));
        assertTrue(e.getMessage().contains(file) && e.getMessage().contains(sha) && e.getMessage().contains("corrupt"), e.getMessage());
        Path blobs = hubFolder.resolve("models--tiny-org--tiny-sdxl/blobs");
        assertFalse(Files.exists(blobs.resolve(sha)));
        assertFalse(Files.exists(blobs.resolve(sha + ".incomplete")));
        assertFalse(Files.exists(hubFolder.resolve("models--tiny-org--tiny-sdxl/snapshots/" + FakeHub.COMMIT + "/" + file)));
    }

    @Test
    void offlineUsesTheCacheWithoutAnyRequest() {
        Path online = client(false, Optional.empty()).download(REPO, "main", DownloadListener.NONE);
        hub.requests.clear();
        assertEquals(online, client(true, Optional.empty()).download(REPO, "main", DownloadListener.NONE));
        assertEquals(List.of(), hub.requests);
    }

    @Test
    void offlineAndNotCachedSaysSoInOneLine() {
        HubException e = assertThrows(HubException.class, () -> client(true, Optional.empty()).download(REPO, "main", DownloadListener.NONE));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.contains("neither cached nor reachable") && m.contains("HF_HUB_OFFLINE")
                && m.contains(hubFolder.resolve("models--tiny-org--tiny-sdxl").toString()) && m.contains("--model /path/to/folder"), m);
        assertEquals(List.of(), hub.requests);
    }

    @Test
    void unreachableHubAndNotCachedSaysSo() {
        hub.close();
        HubException e = assertThrows(HubException.class, () -> client(false, Optional.empty()).download(REPO, "main", DownloadListener.NONE));
        assertTrue(e.getMessage().contains("neither cached nor reachable") && e.getMessage().contains("cannot reach"), e.getMessage());
    }

    @Test
    void gatedRepositoryAsksForAToken() {
        hub.requiredToken = "hf_secret";
        HubException e = assertThrows(HubException.class, () -> client(false, Optional.empty()).download(REPO, "main", DownloadListener.NONE));
        assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("HF_TOKEN") && e.getMessage().contains("no token was sent"),
                e.getMessage());
        Path snapshot = client(false, Optional.of("hf_secret")).download(REPO, "main", DownloadListener.NONE);
        assertTrue(Files.isRegularFile(snapshot.resolve("unet/config.json")));
    }

    @Test
    void environmentSettings(@TempDir Path home) throws IOException {
        HubClient.Settings d = HubClient.settingsFromEnvironment(Map.of(), home);
        assertEquals(URI.create("https://huggingface.co"), d.endpoint());
        assertEquals(Optional.empty(), d.token());
        assertFalse(d.offline());
        Files.createDirectories(home.resolve("hfhome"));
        Files.writeString(home.resolve("hfhome/token"), "hf_fromfile\n");
        HubClient.Settings s = HubClient.settingsFromEnvironment(Map.of("HF_ENDPOINT", "https://mirror.example/",
                "HF_HOME", home.resolve("hfhome").toString(), "HF_HUB_OFFLINE", "1"), home);
        assertEquals(URI.create("https://mirror.example"), s.endpoint());
        assertEquals(Optional.of("hf_fromfile"), s.token());
        assertTrue(s.offline());
        assertEquals(home.resolve("hfhome/hub"), s.cache().hub());
        assertEquals(Optional.of("hf_env"), HubClient.settingsFromEnvironment(Map.of("HF_TOKEN", "hf_env",
                "HF_HOME", home.resolve("hfhome").toString()), home).token());
    }

    @Test
    void consoleProgressDegradesToLinesWithoutATerminal() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(buf, true), false);
        for (int i = 0; i <= 100; i++) {
            p.progress(new DownloadListener.Progress("unet/x.safetensors", i, 100, i, 100, 1e6, Duration.ofSeconds(100 - i)));
        }
        String out = buf.toString();
        assertFalse(out.contains("\r"));
        long lines = out.lines().count();
        assertTrue(lines >= 10 && lines <= 12, out);
        assertTrue(out.contains("100%"), out);
        ByteArrayOutputStream tty = new ByteArrayOutputStream();
        new ConsoleProgress(new PrintStream(tty, true), true)
                .progress(new DownloadListener.Progress("f", 50, 100, 512L << 20, 1L << 30, 50e6, Duration.ofSeconds(75)));
        assertTrue(tty.toString().startsWith("\r[############............]  50% 512.0 MiB/1.0 GiB 47.7 MiB/s ETA 1:15 f"), tty.toString());
    }

    @Test
    void consoleProgressWritesToAPrintWriter() {
        java.io.StringWriter sw = new java.io.StringWriter();
        ConsoleProgress p = new ConsoleProgress(new java.io.PrintWriter(sw), false);
        p.progress(new DownloadListener.Progress("vae/x.safetensors", 5, 10, 5, 10, 1e3, Duration.ofSeconds(5)));
        p.finished("vae/x.safetensors", 10, true);
        assertTrue(sw.toString().contains(" 50% "), sw.toString());
        assertTrue(sw.toString().contains("downloaded vae/x.safetensors (10 B)"), sw.toString());
    }

    @Test
    void fileSelectionPrefersFp16AndSkipsEverythingElse() {
        List<String> repo = List.of("model_index.json", "README.md", "sd_xl_turbo_1.0.safetensors",
                "unet/config.json", "unet/diffusion_pytorch_model.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors",
                "unet/diffusion_pytorch_model.bin", "unet/openvino_model.xml",
                "text_encoder_2/config.json", "text_encoder_2/model.safetensors.index.json",
                "text_encoder_2/model-00001-of-00002.safetensors", "text_encoder_2/model-00002-of-00002.safetensors",
                "text_encoder_2/model.safetensors.index.fp16.json",
                "text_encoder_2/model.fp16-00001-of-00002.safetensors", "text_encoder_2/model.fp16-00002-of-00002.safetensors",
                "vae/config.json", "vae/diffusion_pytorch_model.safetensors", "vae/diffusion_flax_model.msgpack",
                "tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer/tokenizer_config.json", "tokenizer/special_tokens_map.json",
                "scheduler/scheduler_config.json", "vae_1_0/diffusion_pytorch_model.fp16.safetensors");
        assertEquals(List.of("model_index.json", "scheduler/scheduler_config.json",
                        "text_encoder_2/config.json", "text_encoder_2/model.fp16-00001-of-00002.safetensors",
                        "text_encoder_2/model.fp16-00002-of-00002.safetensors", "text_encoder_2/model.safetensors.index.fp16.json",
                        "tokenizer/merges.txt", "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json", "tokenizer/vocab.json",
                        "unet/config.json", "unet/diffusion_pytorch_model.fp16.safetensors",
                        "vae/config.json", "vae/diffusion_pytorch_model.safetensors"),
                FileSelection.select(repo, List.of("unet", "vae", "text_encoder_2", "tokenizer", "scheduler")));
    }

    private static List<String> snapshotFiles(Path snapshot) throws IOException {
        try (Stream<Path> walk = Files.walk(snapshot)) {
            return walk.filter(p -> !Files.isDirectory(p)).map(p -> snapshot.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }
}
