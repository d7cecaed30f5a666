package dev.turbojet.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.testing.ReferenceKit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The reference kit's tiny SDXL, its prompts, and an fp16-variant copy of it for tests. */
final class TinyModel {
    private TinyModel() {
    }

    static ModelFolder folder() {
        return ModelFolder.open(ReferenceKit.tiny());
    }

    /** Prompt {@code i} of goldens/tokenizer_prompts.json. */
    static String prompt(int i) {
        return prompts().get(i).get("prompt").textValue();
    }

    static JsonNode prompts() {
        try {
            return new ObjectMapper().readTree(ReferenceKit.golden("tokenizer_prompts.json").toFile()).get("prompts");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A copy of the tiny model in {@code dir} whose components also have {@code *.fp16.safetensors}
     * files: the fp32 weights rounded to fp16 (round to nearest even, as torch's {@code .half()}).
     */
    static ModelFolder withFp16Variant(Path dir) throws IOException {
        return ModelFolder.open(ReferenceKit.tinyWithFp16Variant(dir));
    }
}
