package dev.turbojet.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Exact ids against transformers 4.36's slow CLIPTokenizer (goldens/tokenizer_prompts.json and
 * goldens/tokenizer.safetensors) for SDXL's two tokenizer folders.
 */
class ClipTokenizerTest {
    private static final int LENGTH = 77;
    private static final int BOS = 49406;
    private static final int EOS = 49407;

    private static ClipTokenizer tokenizer1;
    private static ClipTokenizer tokenizer2;
    private static JsonNode prompts;
    private static Map<String, long[]> goldens;
    private static Map<Integer, String> idToToken;

    @BeforeAll
    static void load() throws IOException {
        tokenizer1 = ClipTokenizer.load(ReferenceKit.tiny("tokenizer"));
        tokenizer2 = ClipTokenizer.load(ReferenceKit.tiny("tokenizer_2"));
        prompts = new ObjectMapper().readTree(ReferenceKit.golden("tokenizer_prompts.json").toFile()).get("prompts");
        goldens = readI64Tensors(ReferenceKit.golden("tokenizer.safetensors"));
        idToToken = new HashMap<>();
        new ObjectMapper().readTree(ReferenceKit.tiny("tokenizer/vocab.json").toFile())
                .properties().forEach(e -> idToToken.put(e.getValue().asInt(), e.getKey()));
    }

    static IntStream promptIndices() {
        return IntStream.range(0, 41);
    }

    @Test
    void goldensCoverAllPrompts() {
        assertEquals(41, prompts.size());
        assertEquals(41 * LENGTH, goldens.get("input_ids_1").length);
    }

    @ParameterizedTest(name = "prompt {0}")
    @MethodSource("promptIndices")
    void tokenizerMatchesTransformers(int index) {
        JsonNode entry = prompts.get(index);
        String prompt = entry.get("prompt").asText();
        int[] untruncated = ints(entry.get("untruncated_ids"));

        assertIds("untruncated ids (tokenizer)", index, prompt, untruncated, tokenizer1.encodeUntruncated(prompt));
        assertEquals(strings(entry.get("untruncated_tokens")), tokenizer1.tokens(prompt),
                () -> "tokens of prompt " + index + " " + quote(prompt));

        ClipTokenizer.Encoding enc = tokenizer1.encode(prompt);
        assertIds("input_ids_1", index, prompt, row("input_ids_1", index), enc.ids());
        assertIds("attention_mask_1", index, prompt, row("attention_mask_1", index), enc.attentionMask());
        assertEquals(goldens.get("untruncated_length")[index], enc.untruncatedLength(),
                () -> "untruncated_length of prompt " + index + " " + quote(prompt));
        assertEquals(entry.get("truncated").asBoolean(), enc.truncated(), () -> "truncated flag of prompt " + index);
    }

    /**
     * tokenizer_2 shares vocab and merges but pads with '!' (id 0), an added token that
     * transformers also splits out of the prompt text: "!!!" there is three '!' (0 0 0), not
     * the BPE token "!!!</w>". Its untruncated ids are the JSON's where the prompt has no '!',
     * else the unpadded head of input_ids_2 (those prompts are short).
     */
    @ParameterizedTest(name = "prompt {0}")
    @MethodSource("promptIndices")
    void tokenizer2MatchesTransformers(int index) {
        JsonNode entry = prompts.get(index);
        String prompt = entry.get("prompt").asText();
        int[] ids2 = row("input_ids_2", index);
        int[] mask2 = row("attention_mask_2", index);
        int[] expected;
        if (prompt.indexOf('!') < 0) {
            expected = ints(entry.get("untruncated_ids"));
        } else {
            int real = Arrays.stream(mask2).sum();
            assertTrue(real < LENGTH, "prompt with '!' must not be truncated in the goldens");
            expected = Arrays.copyOf(ids2, real);
        }

        int[] actual = tokenizer2.encodeUntruncated(prompt);
        assertIds("untruncated ids (tokenizer_2)", index, prompt, expected, actual);
        assertEquals(Arrays.stream(expected).mapToObj(idToToken::get).toList(), tokenizer2.tokens(prompt),
                () -> "tokens of prompt " + index + " " + quote(prompt));

        ClipTokenizer.Encoding enc = tokenizer2.encode(prompt);
        assertIds("input_ids_2", index, prompt, ids2, enc.ids());
        assertIds("attention_mask_2", index, prompt, mask2, enc.attentionMask());
        assertEquals(expected.length, enc.untruncatedLength());
        assertEquals(expected.length > LENGTH, enc.truncated());
    }

    @Test
    void longPromptsKeepBosFirst75TokensEos() {
        String prompt = "cat ".repeat(100);
        for (ClipTokenizer tok : List.of(tokenizer1, tokenizer2)) {
            ClipTokenizer.Encoding enc = tok.encode(prompt);
            int[] all = tok.encodeUntruncated(prompt);
            assertEquals(102, all.length);
            assertEquals(102, enc.untruncatedLength());
            assertTrue(enc.truncated());
            assertEquals(LENGTH, enc.ids().length);
            assertArrayEquals(Arrays.copyOf(all, LENGTH - 1), Arrays.copyOf(enc.ids(), LENGTH - 1));
            assertEquals(EOS, enc.ids()[LENGTH - 1]);
            assertTrue(Arrays.stream(enc.attentionMask()).allMatch(m -> m == 1));
        }
        // 75 tokens fit exactly; 76 do not.
        assertFalse(tokenizer1.encode("a ".repeat(75)).truncated());
        assertTrue(tokenizer1.encode("a ".repeat(76)).truncated());
    }

    @Test
    void emptyPromptIsBosEosThenPadding() {
        for (ClipTokenizer tok : List.of(tokenizer1, tokenizer2)) {
            ClipTokenizer.Encoding enc = tok.encode("");
            int[] ids = new int[LENGTH];
            Arrays.fill(ids, tok.padId());
            ids[0] = BOS;
            ids[1] = EOS;
            assertArrayEquals(ids, enc.ids());
            int[] mask = new int[LENGTH];
            mask[0] = mask[1] = 1;
            assertArrayEquals(mask, enc.attentionMask());
            assertEquals(2, enc.untruncatedLength());
            assertFalse(enc.truncated());
            assertArrayEquals(new int[] {BOS, EOS}, tok.encodeUntruncated("   \t\n"));
        }
        assertEquals(EOS, tokenizer1.padId());
        assertEquals(0, tokenizer2.padId());
    }

    @Test
    void missingVocabNamesTheFile(@TempDir Path dir) throws IOException {
        copyTokenizerWithout(dir, "vocab.json");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
    }

    @Test
    void corruptVocabNamesTheFile(@TempDir Path dir) throws IOException {
        copyTokenizerWithout(dir, "vocab.json");
        Files.writeString(dir.resolve("vocab.json"), "{\"a</w>\": 1, ");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.load(dir));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
    }

    @Test
    void missingOrCorruptMergesNamesTheFile(@TempDir Path dir) throws IOException {
        copyTokenizerWithout(dir, "merges.txt");
        UncheckedIOException missing = assertThrows(UncheckedIOException.class, () -> ClipTokenizer.load(dir));
        assertTrue(missing.getMessage().contains("merges.txt"), missing.getMessage());

        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\ni n\nthis line has three\n");
        IllegalArgumentException corrupt = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.load(dir));
        assertTrue(corrupt.getMessage().contains("merges.txt:3"), corrupt.getMessage());
    }

    @Test
    void concurrentEncodingMatchesSequential() throws Exception {
        List<String> texts = new ArrayList<>();
        for (JsonNode p : prompts) texts.add(p.get("prompt").asText());
        ClipTokenizer fresh = ClipTokenizer.load(ReferenceKit.tiny("tokenizer"));
        List<int[]> sequential = texts.stream().map(tokenizer1::encodeUntruncated).toList();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int shift = t;
                results.add(pool.submit(() -> {
                    for (int k = 0; k < texts.size(); k++) {
                        int i = (k + shift * 5) % texts.size();
                        if (!Arrays.equals(sequential.get(i), fresh.encodeUntruncated(texts.get(i)))) return false;
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) assertTrue(r.get());
        }
    }

    @Test
    void warmEncodeTakesWellUnderAMillisecond() {
        List<String> texts = new ArrayList<>();
        for (JsonNode p : prompts) texts.add(p.get("prompt").asText());
        for (int r = 0; r < 200; r++) texts.forEach(tokenizer1::encode);
        int rounds = 200;
        long start = System.nanoTime();
        for (int r = 0; r < rounds; r++) texts.forEach(tokenizer1::encode);
        double microsPerPrompt = (System.nanoTime() - start) / 1e3 / (rounds * texts.size());
        System.out.printf("ClipTokenizer.encode: %.1f us per prompt (warm, %d prompts)%n", microsPerPrompt, texts.size());
        // Typically 20-80 us; the bound only catches pathologies (no cache, quadratic scans), not noise.
        assertTrue(microsPerPrompt < 1000, "encode took " + microsPerPrompt + " us per prompt");
    }

    // ---- helpers ----

    private static void copyTokenizerWithout(Path dir, String omitted) throws IOException {
        Path src = ReferenceKit.tiny("tokenizer");
        for (String name : List.of("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json")) {
            if (!name.equals(omitted)) Files.copy(src.resolve(name), dir.resolve(name));
        }
    }

    /** Fails with the prompt index, the prompt and the first mismatching position. */
    private static void assertIds(String what, int index, String prompt, int[] expected, int[] actual) {
        if (Arrays.equals(expected, actual)) return;
        int at = Arrays.mismatch(expected, actual);
        fail(String.format("%s of prompt %d %s: first mismatch at position %d: expected %s, got %s"
                        + " (lengths %d vs %d)%n  expected %s%n  actual   %s",
                what, index, quote(prompt), at,
                at < expected.length ? expected[at] : "<end>", at < actual.length ? actual[at] : "<end>",
                expected.length, actual.length, Arrays.toString(expected), Arrays.toString(actual)));
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7F || Character.getType(cp) == Character.FORMAT) b.append(String.format("\\u%04x", cp));
            else b.appendCodePoint(cp);
        });
        return b.append('"').toString();
    }

    private static int[] row(String name, int index) {
        long[] all = goldens.get(name);
        return Arrays.stream(all, index * LENGTH, (index + 1) * LENGTH).mapToInt(Math::toIntExact).toArray();
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The I64 tensors of one safetensors file, by name. */
    private static Map<String, long[]> readI64Tensors(Path file) {
        Map<String, long[]> tensors = new HashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                TensorView v = f.find(name).orElseThrow();
                assertEquals(DType.I64, v.dtype(), name);
                tensors.put(name, v.toLongArray());
            }
        }
        return tensors;
    }
}
