package dev.turbojet.io;

import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A fake hub cache laid out as huggingface_hub does: blobs, snapshots of symbolic links, refs. */
class HfCacheTest {
    private static final String REPO = "stabilityai/sdxl-turbo";
    private static final String MAIN = "462165984030d82259a11f4367a4eed129e94a7b";
    private static final String OLD = "f4b0486b498f84668e828044de1d0c8ba486e05b";

    @TempDir
    Path hub;
    HfCache cache;
    Path repo;

    @BeforeEach
    void buildCache() throws IOException {
        cache = new HfCache(hub, "test");
        repo = hub.resolve("models--stabilityai--sdxl-turbo");
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), MAIN);              // no trailing newline, as the hub writes it
        Files.writeString(repo.resolve("refs/fp16"), OLD + "\n");
        Path tiny = ReferenceKit.tiny();
        snapshot(MAIN, Map.of(
                "model_index.json", Files.readString(tiny.resolve("model_index.json"))
                        .replaceAll("(?s)\"scheduler\".*?],|\"text_encoder\".*?],|\"text_encoder_2\".*?],|\"tokenizer\".*?],|\"tokenizer_2\".*?],|\"unet\".*?],", ""),
                "vae/config.json", Files.readString(tiny.resolve("vae/config.json"))));
        link(MAIN, "vae/diffusion_pytorch_model.safetensors", blob(tiny.resolve("vae/diffusion_pytorch_model.safetensors")));
        snapshot(OLD, Map.of("model_index.json", "{\"_class_name\": \"StableDiffusionXLPipeline\"}"));
    }

    private Path blob(Path content) throws IOException {
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path b = blobs.resolve(Integer.toHexString(content.getFileName().toString().hashCode()) + "c0ffee");
        if (!Files.exists(b)) Files.copy(content, b);
        return b;
    }

    private void snapshot(String commit, Map<String, String> files) throws IOException {
        for (var e : files.entrySet()) {
            Path tmp = Files.createTempFile(hub, "content", "");
            Files.writeString(tmp, e.getValue());
            Path b = repo.resolve("blobs").resolve(commit.substring(0, 8) + e.getKey().replace('/', '_'));
            Files.createDirectories(b.getParent());
            Files.move(tmp, b);
            link(commit, e.getKey(), b);
        }
    }

    /** A relative link, as the hub makes: snapshots/REV/vae/x -> ../../../blobs/HASH. */
    private void link(String commit, String file, Path blob) throws IOException {
        Path at = repo.resolve("snapshots").resolve(commit).resolve(file);
        Files.createDirectories(at.getParent());
        Files.createSymbolicLink(at, at.getParent().relativize(blob));
    }

    @Test
    void mainFollowsRefsMainAndSymlinks() {
        Path snap = cache.snapshot(REPO, Optional.empty());
        assertEquals(repo.resolve("snapshots").resolve(MAIN), snap);
        ModelFolder m = ModelFolder.fromCache(cache, REPO, Optional.empty());
        assertEquals(java.util.List.of("vae"), m.components().stream().map(ModelComponent::name).toList());
        assertTrue(Files.isSymbolicLink(m.weights("vae").path()));
        try (SafetensorsSource vae = m.openWeights("vae")) {
            assertEquals(248, vae.names().size());
        }
    }

    @Test
    void explicitRevisionByBranchOrCommit() {
        assertEquals(repo.resolve("snapshots").resolve(OLD), cache.snapshot(REPO, Optional.of("fp16")));
        assertEquals(repo.resolve("snapshots").resolve(OLD), cache.snapshot(REPO, Optional.of(OLD)));
        assertEquals(repo.resolve("snapshots").resolve(MAIN), cache.snapshot(REPO, Optional.of("main")));
    }

    @Test
    void missingSnapshotSaysWhereItLooked() throws IOException {
        var e = assertThrows(CheckpointException.class, () -> cache.snapshot(REPO, Optional.of("0123abcd")));
        assertTrue(e.getMessage().contains("no snapshot for revision 0123abcd: " + repo.resolve("snapshots/0123abcd")
                + " does not exist; snapshots present: " + MAIN + ", " + OLD), e.getMessage());

        Files.writeString(repo.resolve("refs/main"), "deadbeef");
        var viaRef = assertThrows(CheckpointException.class, () -> cache.snapshot(REPO, Optional.empty()));
        assertTrue(viaRef.getMessage().contains("no snapshot for revision main (" + repo.resolve("refs/main")
                + " says commit deadbeef)"), viaRef.getMessage());

        Files.delete(repo.resolve("refs/main"));
        var noRef = assertThrows(CheckpointException.class, () -> cache.snapshot(REPO, Optional.empty()));
        assertTrue(noRef.getMessage().contains("no " + repo.resolve("refs/main") + " to say which snapshot is main"), noRef.getMessage());
    }

    @Test
    void repoNotInCache() {
        var e = assertThrows(CheckpointException.class, () -> cache.snapshot("stabilityai/sdxl-base", Optional.empty()));
        assertTrue(e.getMessage().contains("stabilityai/sdxl-base is not in the Hugging Face cache: "
                + hub.resolve("models--stabilityai--sdxl-base") + " does not exist (hub folder from test)"), e.getMessage());
    }

    @Test
    void brokenBlobLinkIsNamed() throws IOException {
        Path weights = repo.resolve("snapshots").resolve(MAIN).resolve("vae/diffusion_pytorch_model.safetensors");
        Files.delete(weights.toRealPath());
        ModelFolder m = ModelFolder.fromCache(cache, REPO, Optional.empty());
        var e = assertThrows(CheckpointException.class, () -> m.openWeights("vae"));
        assertTrue(e.getMessage().contains(weights + ": is a broken symbolic link to ../../../blobs/"), e.getMessage());
        assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(weights));
    }

    @Test
    void hubFolderFromTheEnvironment() {
        Path home = Path.of("/home/u");
        assertEquals(Path.of("/c/hub"), HfCache.fromEnvironment(Map.of("HF_HUB_CACHE", "/c/hub", "HF_HOME", "/h"), home).hub());
        assertEquals(Path.of("/h/hub"), HfCache.fromEnvironment(Map.of("HF_HOME", "/h"), home).hub());
        assertEquals(Path.of("/x/huggingface/hub"), HfCache.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x"), home).hub());
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), HfCache.fromEnvironment(Map.of(), home).hub());
        assertEquals(Path.of("/home/u/.cache/huggingface/hub/models--stabilityai--sdxl-turbo"),
                HfCache.fromEnvironment(Map.of(), home).repoFolder(REPO));
    }
}
