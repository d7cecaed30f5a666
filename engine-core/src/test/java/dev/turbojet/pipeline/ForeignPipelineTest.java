package dev.turbojet.pipeline;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.Variant;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A folder whose model_index.json names another pipeline or another model class is refused before loading. */
class ForeignPipelineTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"StableDiffusionXLPipeline\" | \"StableDiffusionPipeline\" | _class_name StableDiffusionPipeline is not supported:"
                + " turbojet runs StableDiffusionXLPipeline and StableDiffusionXLImg2ImgPipeline folders (SDXL, SDXL Turbo)",
        "\"UNet2DConditionModel\" | \"UNet3DConditionModel\" | unet is UNet3DConditionModel; turbojet runs UNet2DConditionModel there",
        "\"CLIPTextModelWithProjection\" | \"T5EncoderModel\" | text_encoder_2 is T5EncoderModel; turbojet runs CLIPTextModelWithProjection there",
    })
    void anotherPipelineIsRefusedSayingWhatIsSupported(String from, String to, String expected) throws IOException {
        Path copy = copyOfTiny();
        Path index = copy.resolve(ModelFolder.INDEX);
        Files.writeString(index, Files.readString(index).replace(from, to));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ModelSource.folder(ModelFolder.open(copy), List.of(Variant.FP32)));
        assertEquals(index + ": " + expected, e.getMessage());
    }

    private Path copyOfTiny() throws IOException {
        Path from = ReferenceKit.tiny(), to = dir.resolve("model");
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.createSymbolicLink(target, p.toAbsolutePath());
            }
        }
        Files.delete(to.resolve(ModelFolder.INDEX));
        Files.copy(from.resolve(ModelFolder.INDEX), to.resolve(ModelFolder.INDEX));
        return to;
    }
}
