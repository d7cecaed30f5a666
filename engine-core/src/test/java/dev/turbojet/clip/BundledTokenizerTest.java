package dev.turbojet.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tokenizers built from the engine's resources (one bundled CLIP vocabulary, each SDXL Turbo
 * tokenizer's own config) give the ids of the reference kit's tokenizer folders, prompt for prompt.
 */
class BundledTokenizerTest {
    private static final String SDXL_TURBO = "/dev/turbojet/models/sdxl-turbo/";

    @Test
    void bundledTokenizersMatchTheFolderOnes() throws IOException {
        JsonNode prompts = new ObjectMapper().readTree(ReferenceKit.golden("tokenizer_prompts.json").toFile()).get("prompts");
        for (String name : new String[] {"tokenizer", "tokenizer_2"}) {
            ClipTokenizer bundled = ClipTokenizer.bundled(SDXL_TURBO + name + "/");
            ClipTokenizer folder = ClipTokenizer.load(ReferenceKit.tiny(name));
            assertEquals(folder.padId(), bundled.padId(), name + " pad id");
            int n = 0;
            for (JsonNode p : prompts) {
                String text = p.get("prompt").asText();
                assertArrayEquals(folder.encode(text).ids(), bundled.encode(text).ids(), name + ": " + text);
                n++;
            }
            assertTrue(n > 30, "prompts compared: " + n);
        }
    }

    @Test
    void streamsLoadLikeAFolder() throws IOException {
        Path dir = ReferenceKit.tiny("tokenizer_2");
        try (InputStream vocab = Files.newInputStream(dir.resolve("vocab.json"));
             InputStream merges = Files.newInputStream(dir.resolve("merges.txt"))) {
            ClipTokenizer t = ClipTokenizer.load(vocab, merges, Files.readString(dir.resolve("tokenizer_config.json")),
                    Optional.of(Files.readString(dir.resolve("special_tokens_map.json"))), "test tokenizer_2");
            assertArrayEquals(ClipTokenizer.load(dir).encode("wow!! a cat").ids(), t.encode("wow!! a cat").ids());
        }
    }

    @Test
    void aBadStreamIsNamedByItsOrigin() {
        InputStream empty = new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8));
        InputStream merges = new ByteArrayInputStream("#version: 0.2\na b\n".getBytes(StandardCharsets.UTF_8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipTokenizer.load(empty, merges, "{\"model_max_length\": 77}", Optional.empty(), "my tokenizer"));
        assertTrue(e.getMessage().startsWith("my tokenizer vocab.json: "), e.getMessage());
    }
}
