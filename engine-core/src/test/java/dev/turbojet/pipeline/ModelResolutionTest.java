package dev.turbojet.pipeline;

import dev.turbojet.hub.DownloadListener;
import dev.turbojet.hub.FakeHub;
import dev.turbojet.hub.HubClient;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.HfCache;
import dev.turbojet.io.Variant;
import dev.turbojet.io.singlefile.Component;
import dev.turbojet.io.singlefile.TinySingleFile;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.taesd.TaesdFiles;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ModelSource#resolve}, {@link SdxlPipeline#load(String, ResolveOptions, dev.turbojet.ops.Ops, PipelineOptions)}
 * and the TAESD lookup as a library user calls them: a folder, a single file, a repository id served by
 * a fake hub into a temporary cache, offline mode, and the errors that say what is missing and where.
 */
@Timeout(300)
class ModelResolutionTest {
    static final String REPO = "tiny-org/tiny-sdxl";
    static final Path TINY = ReferenceKit.tiny();
    static final Path TAESD_KIT = ReferenceKit.root().resolve("taesdxl");

    @TempDir
    Path tmp;

    @Test
    void aFolderIsReadWhereItIs() throws IOException {
        try (ModelSource src = ModelSource.resolve(TINY.toString(), Variant.ANY, ResolveOptions.defaults().withOffline(true))) {
            assertEquals(TINY.toString(), src.name());
            assertEquals(TINY.toString(), src.description());
            assertTrue(src.weights(Component.UNET).names().contains("conv_in.weight"));
            assertEquals(List.of(TINY.resolve("taesd"), TINY), src.taesdPlaces());
        }
        IllegalArgumentException configs = assertThrows(IllegalArgumentException.class, () -> ModelSource.resolve(
                TINY.toString(), Variant.ANY, ResolveOptions.defaults().withConfigFolder(TINY)));
        assertEquals("configs from " + TINY + " apply only to a single-file checkpoint; " + TINY + " is not a file",
                configs.getMessage());
        Path none = tmp.resolve("nothing");
        CheckpointException missing = assertThrows(CheckpointException.class,
                () -> ModelSource.resolve(none.toString(), Variant.ANY, ResolveOptions.defaults()));
        assertEquals(none + ": no such folder, and not a repository id (owner/name)", missing.getMessage());
        Path ckpt = Files.writeString(tmp.resolve("model.ckpt"), "x");
        CheckpointException notSafetensors = assertThrows(CheckpointException.class,
                () -> ModelSource.resolve(ckpt.toString(), Variant.ANY, ResolveOptions.defaults()));
        assertTrue(notSafetensors.getMessage().startsWith(ckpt + ": not a .safetensors file"), notSafetensors.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResolveOptions.defaults().withRevision(" "));
    }

    @Test
    void aSingleFileTakesItsConfigsFromTheConfigFolder() throws IOException {
        Path file = TinySingleFile.write(TINY, tmp.resolve("tiny_sdxl.safetensors"));
        try (ModelSource src = ModelSource.resolve(file.toString(), Variant.ANY, ResolveOptions.defaults().withConfigFolder(TINY))) {
            assertEquals(file + " (single file, configs: " + TINY + ")", src.description());
            assertEquals(4, src.config().unet().inChannels());
            assertEquals(List.of(tmp.resolve("taesd"), tmp), src.taesdPlaces());
        }
        Path notAModel = Files.createDirectories(tmp.resolve("configs"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelSource.resolve(file.toString(),
                Variant.ANY, ResolveOptions.defaults().withConfigFolder(notAModel)));
        assertTrue(e.getMessage().startsWith(notAModel + ": no model_index.json, so not a diffusers model folder"), e.getMessage());
    }

    @Test
    void aRepositoryIdIsDownloadedOnceThenReadFromTheCache() throws IOException {
        Path cache = tmp.resolve("hf/hub");
        Path snapshot = cache.resolve("models--tiny-org--tiny-sdxl/snapshots").resolve(FakeHub.COMMIT);
        try (FakeHub hub = new FakeHub(REPO, TINY, Map.of())) {
            // withCache wins over the cache of the hub settings
            HubClient.Settings settings = HubClient.Settings.of(hub.endpoint(), Optional.empty(), false,
                    new HfCache(tmp.resolve("elsewhere"), "test"));
            List<String> notices = new ArrayList<>();
            ResolveOptions where = ResolveOptions.defaults().withHub(settings).withCache(cache).withNotices(notices::add);

            CheckpointException offline = assertThrows(CheckpointException.class,
                    () -> ModelSource.resolve(REPO, Variant.ANY, where.withOffline(true)));
            String m = offline.getMessage();
            assertTrue(m.startsWith(REPO + ": no such local folder; as a repository id: " + REPO + " is not in the Hugging Face cache: "
                    + cache.resolve("models--tiny-org--tiny-sdxl") + " does not exist (hub folder from ResolveOptions.withCache)"), m);
            assertTrue(m.contains("downloads nothing") && !m.contains("\n"), m);
            assertEquals(List.of(), hub.requests, "offline asks the hub nothing");
            assertEquals(List.of(), notices);

            List<String> downloaded = new ArrayList<>();
            DownloadListener progress = new DownloadListener() {
                @Override
                public void finished(String file, long bytes, boolean fetched) {
                    if (fetched) downloaded.add(file);
                }
            };
            try (ModelSource src = ModelSource.resolve(REPO, Variant.ANY, where.withProgress(progress))) {
                assertEquals(snapshot.toString(), src.name());
                assertEquals(List.of(snapshot.resolve("taesd"), snapshot), src.taesdPlaces());
                assertTrue(src.weights(Component.UNET).names().contains("conv_in.weight"));
            }
            assertEquals(List.of(REPO + " is not in the hub cache; downloading it"), notices);
            assertTrue(downloaded.contains("model_index.json") && downloaded.contains("unet/diffusion_pytorch_model.safetensors"),
                    downloaded.toString());
            assertEquals(FakeHub.COMMIT, Files.readString(cache.resolve("models--tiny-org--tiny-sdxl/refs/main")));
            assertFalse(Files.exists(tmp.resolve("elsewhere")));

            // now cached: offline, by branch or by commit, no request and no notice
            hub.requests.clear();
            notices.clear();
            for (ResolveOptions cached : List.of(where.withOffline(true), where.withOffline(true).withRevision(FakeHub.COMMIT))) {
                try (ModelSource src = ModelSource.resolve(REPO, Variant.ANY, cached)) {
                    assertEquals(snapshot.toString(), src.name());
                }
            }
            assertEquals(List.of(), hub.requests);
            assertEquals(List.of(), notices);
            CheckpointException noRevision = assertThrows(CheckpointException.class,
                    () -> ModelSource.resolve(REPO, Variant.ANY, where.withOffline(true).withRevision("v2")));
            assertTrue(noRevision.getMessage().contains("no snapshot for revision v2") && noRevision.getMessage().contains(FakeHub.COMMIT)
                    && noRevision.getMessage().contains("downloads nothing"), noRevision.getMessage());

            // from_pretrained: one call by repository id; images name the model by that id
            try (SdxlPipeline pipeline = SdxlPipeline.load(REPO, where.withOffline(true), new CpuOps(), PipelineOptions.defaults())) {
                assertEquals(REPO, pipeline.modelName());
                GeneratedImage image = pipeline.generate(GenerationRequest.builder("a fox").size(64, 64).seed(7).build()).getFirst();
                assertEquals(REPO, image.info().model());
                pipeline.close();
                IllegalStateException closed = assertThrows(IllegalStateException.class, () -> pipeline.generate("a fox", 7));
                assertEquals("this pipeline is closed", closed.getMessage());
                pipeline.close();                                                   // a second close does nothing
            }
            assertEquals(List.of(), hub.requests);
        }
    }

    @Test
    void theTaesdDecoderIsTheOneGivenElseBesideTheModel() throws IOException {
        Path model = copyOfTiny(tmp.resolve("model"));
        Path kitDecoder = TAESD_KIT.resolve(TaesdFiles.DECODER);
        try (ModelSource src = ModelSource.resolve(model.toString(), Variant.ANY, ResolveOptions.defaults())) {
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> src.taesdDecoder(Optional.empty()));
            assertEquals("TAESD decoder taesdxl_decoder.safetensors not found in " + model.resolve("taesd") + " or " + model
                    + "; download it from github.com/madebyollin/taesd and pass --taesd PATH", none.getMessage());
            assertEquals(kitDecoder, src.taesdDecoder(Optional.of(TAESD_KIT)));            // a folder holding it
            assertEquals(kitDecoder, src.taesdDecoder(Optional.of(kitDecoder)));           // the file
            Path empty = Files.createDirectories(tmp.resolve("empty"));
            IllegalArgumentException notThere = assertThrows(IllegalArgumentException.class, () -> src.taesdDecoder(Optional.of(empty)));
            assertEquals("TAESD decoder " + empty + ": no such file, and no folder holding taesdxl_decoder.safetensors",
                    notThere.getMessage());

            // the model folder holds one; its taesd/ subfolder, when it holds one too, comes first
            Files.copy(kitDecoder, model.resolve(TaesdFiles.DECODER));
            assertEquals(model.resolve(TaesdFiles.DECODER), src.taesdDecoder(Optional.empty()));
            Files.createDirectories(model.resolve("taesd"));
            Files.copy(kitDecoder, model.resolve("taesd").resolve(TaesdFiles.DECODER));
            assertEquals(model.resolve("taesd").resolve(TaesdFiles.DECODER), src.taesdDecoder(Optional.empty()));
        }

        // a single file: the folder it is in
        Path file = TinySingleFile.write(TINY, Files.createDirectories(tmp.resolve("single")).resolve("tiny_sdxl.safetensors"));
        try (ModelSource src = ModelSource.resolve(file.toString(), Variant.ANY, ResolveOptions.defaults().withConfigFolder(TINY))) {
            assertThrows(IllegalArgumentException.class, () -> src.taesdDecoder(Optional.empty()));
            Files.copy(kitDecoder, file.resolveSibling(TaesdFiles.DECODER));
            assertEquals(file.resolveSibling(TaesdFiles.DECODER), src.taesdDecoder(Optional.empty()));
        }
    }

    @Test
    void onTheCpuTheVaeSharesThePipelinesBackend() {
        try (SdxlPipeline pipeline = SdxlPipeline.load(TINY.toString(), new CpuOps(), PipelineOptions.defaults())) {
            assertTrue(pipeline.describe().endsWith("; vae: same"), pipeline.describe());
            assertEquals(TINY.toString(), pipeline.modelName());
        }
    }

    /** A copy of the tiny model in {@code dir}, so that files can be added beside it. */
    private static Path copyOfTiny(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(TINY)) {
            for (Path p : files.toList()) {
                Path t = dir.resolve(TINY.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        return dir;
    }
}
