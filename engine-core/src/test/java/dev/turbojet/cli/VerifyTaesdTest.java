package dev.turbojet.cli;

import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code turbojet verify} on the reference kit's TAESDXL goldens, with the weights beside them or in the model's taesd/. */
class VerifyTaesdTest {
    static final Path KIT = ReferenceKit.root().resolve("taesdxl");
    static final String[] CHECKED = {"decoder.output", "decoder_small.output", "decoder_small.layer00", "decoder_small.layer05",
            "decoder_small.layer10", "encoder.latents", "encoder.latents_scaled_0_1"};

    @Test
    void everyTaesdGoldenPassesWithTheWeightsBesideThem() {
        CliRun run = CliRun.of("verify", "--model", ReferenceKit.tiny().toString(), "--goldens", KIT.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        // 2 decoder outputs + 11 decoder layers + 2 encoder outputs; the weight files are bound, not listed
        assertTrue(run.out().contains("verify: 15 tensors ok, 0 failed, 0 not yet supported"), run.out());
        assertFalse(run.out().contains("FAIL"), run.out());
        for (String t : CHECKED) assertTrue(run.out().contains("ok   goldens.safetensors:" + t + " "), "missing " + t + "\n" + run.out());
    }

    @Test
    void weightsAreFoundInTheModelFoldersTaesdSubfolder(@TempDir Path tmp) throws IOException {
        Path goldens = Files.createDirectories(tmp.resolve("goldens"));
        Files.copy(KIT.resolve("goldens.safetensors"), goldens.resolve("goldens.safetensors"));
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(model.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionXLPipeline\"}");

        CliRun without = CliRun.of("verify", "--model", model.toString(), "--goldens", goldens.toString());
        assertEquals(0, without.exitCode(), without.out() + without.err());
        assertTrue(without.out().contains("0 tensors ok, 0 failed, 15 not yet supported"), without.out());
        assertTrue(without.out().contains("no taesdxl_decoder.safetensors in") && without.out().contains("no taesdxl_encoder.safetensors in"),
                without.out());

        Path taesd = Files.createDirectories(model.resolve("taesd"));
        for (String f : new String[]{"taesdxl_decoder.safetensors", "taesdxl_encoder.safetensors"}) Files.copy(KIT.resolve(f), taesd.resolve(f));
        CliRun with = CliRun.of("verify", "--model", model.toString(), "--goldens", goldens.toString());
        assertEquals(0, with.exitCode(), with.out() + with.err());
        assertTrue(with.out().contains("verify: 15 tensors ok, 0 failed, 0 not yet supported"), with.out());
    }

    @Test
    void aDamagedWeightFileAmongTheGoldensFailsNamingIt(@TempDir Path goldens) throws IOException {
        Files.copy(KIT.resolve("goldens.safetensors"), goldens.resolve("goldens.safetensors"));
        Files.copy(KIT.resolve("taesdxl_encoder.safetensors"), goldens.resolve("taesdxl_encoder.safetensors"));
        // the encoder's weights under the decoder's name: the decoder cannot bind them
        Files.copy(KIT.resolve("taesdxl_encoder.safetensors"), goldens.resolve("taesdxl_decoder.safetensors"));
        CliRun run = CliRun.of("verify", "--model", ReferenceKit.tiny().toString(), "--goldens", goldens.toString(),
                "--failures-only");
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("FAIL goldens.safetensors:decoder.output") && run.out().contains("not a TAESD decoder"), run.out());
        assertTrue(run.out().contains("FAIL taesdxl_decoder.safetensors:"), run.out());
        assertFalse(run.out().contains("encoder.latents "), run.out());
    }
}
