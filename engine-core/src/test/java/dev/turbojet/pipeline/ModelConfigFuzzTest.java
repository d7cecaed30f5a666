package dev.turbojet.pipeline;

import dev.turbojet.clip.ClipTextConfig;
import dev.turbojet.clip.ClipTextModel;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.testing.Fuzz;
import dev.turbojet.testing.ReferenceKit;
import dev.turbojet.unet.UNet2DCondition;
import dev.turbojet.unet.UNetConfig;
import dev.turbojet.vae.AutoencoderKL;
import dev.turbojet.vae.VaeConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Model folders with wrong configs: the tiny model's UNet, VAE and text-encoder config.json put through
 * seeded mutations (numbers set to edge values such as 0, -1 or 2^31, strings swapped, keys and
 * characters deleted). Each mutant either parses and then binds the tiny checkpoint (shapes only, no
 * compute), or is refused with a {@link CheckpointException} before any compute: never another
 * exception, a hang or an OOM. A tenth of {@link Fuzz#cases()} per component.
 */
class ModelConfigFuzzTest {
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?(e-?\\d+)?");
    private static final Pattern STRING = Pattern.compile("\"[^\"]*\"");
    private static final String[] VALUES = {"0", "-1", "1", "3", "7", "2147483648", "1e9", "0.5", "null", "true", "\"\"", "[]",
        "[1]", "{}", "\"silu\"", "\"gelu\"", "\"CrossAttnDownBlock2D\"", "\"UpBlock2D\"", "\"quick_gelu\""};

    @Test
    void everyMutantConfigLoadsOrIsRefusedBeforeCompute() throws IOException {
        long seed = Fuzz.seed();
        int cases = Math.max(100, Fuzz.cases() / 10);
        byte[][] unet = {Files.readAllBytes(ReferenceKit.tiny("unet/config.json"))};
        byte[][] vae = {Files.readAllBytes(ReferenceKit.tiny("vae/config.json"))};
        byte[][] text = {Files.readAllBytes(ReferenceKit.tiny("text_encoder_2/config.json"))};
        try (SafetensorsFile unetW = SafetensorsFile.open(ReferenceKit.tiny("unet/diffusion_pytorch_model.safetensors"));
             SafetensorsFile vaeW = SafetensorsFile.open(ReferenceKit.tiny("vae/diffusion_pytorch_model.safetensors"));
             SafetensorsFile textW = SafetensorsFile.open(ReferenceKit.tiny("text_encoder_2/model.safetensors"))) {
            assertTimeoutPreemptively(Duration.ofSeconds(Math.max(300, cases / 20)), () -> {
                Fuzz.run("unet config", cases, seed, i -> Fuzz.mutant(unet, seed, i, ModelConfigFuzzTest::edit, ModelConfigFuzzTest::edit,
                                Fuzz::delete),
                        b -> UNet2DCondition.load(unetW, ReferenceKit.shapeOnlyOps(new AtomicLong()),
                                UNetConfig.parse(new ByteArrayInputStream(b), "unet/config.json")),
                        ModelConfigFuzzTest::accept);
                Fuzz.run("vae config", cases, seed, i -> Fuzz.mutant(vae, seed, i, ModelConfigFuzzTest::edit, ModelConfigFuzzTest::edit,
                                Fuzz::delete),
                        b -> AutoencoderKL.load(vaeW, ReferenceKit.shapeOnlyOps(new AtomicLong()),
                                VaeConfig.parse(new String(b, StandardCharsets.UTF_8), "vae/config.json")),
                        ModelConfigFuzzTest::accept);
                Fuzz.run("text encoder config", cases, seed, i -> Fuzz.mutant(text, seed, i, ModelConfigFuzzTest::edit,
                                ModelConfigFuzzTest::edit, Fuzz::delete),
                        b -> ClipTextModel.load(textW, ReferenceKit.shapeOnlyOps(new AtomicLong()),
                                ClipTextConfig.parse(new String(b, StandardCharsets.UTF_8), "text_encoder_2/config.json")),
                        ModelConfigFuzzTest::accept);
            });
        }
    }

    private static String accept(Throwable t) {
        return t instanceof CheckpointException e && e.getMessage() != null && !e.getMessage().isBlank() ? null : "threw " + t;
    }

    /** A number or a string of the JSON replaced with an edge value. */
    static byte[] edit(SplittableRandom r, byte[] b) {
        String json = new String(b, StandardCharsets.UTF_8);
        Pattern which = r.nextBoolean() ? NUMBER : STRING;
        return Fuzz.replaceMatch(r, json, which, () -> r.nextInt(3) == 0 ? Long.toString(Fuzz.interestingNumber(r))
                : VALUES[r.nextInt(VALUES.length)]).getBytes(StandardCharsets.UTF_8);
    }
}
