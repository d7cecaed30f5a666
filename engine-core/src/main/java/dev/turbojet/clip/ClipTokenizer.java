package dev.turbojet.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * transformers 4.36's slow {@code CLIPTokenizer} without ftfy, called as SDXL's
 * {@code encode_prompt} does: {@code padding="max_length", max_length=77, truncation=True}.
 *
 * <p>A prompt is first split on the folder's added tokens, matched literally in the raw text
 * (leftmost, longest): {@code <|startoftext|>} and {@code <|endoftext|>}, and for SDXL's
 * {@code tokenizer_2} also its pad token {@code !}, so there {@code "wow!!"} gives
 * {@code wow</w> ! !} (ids 0 0) where {@code tokenizer} gives {@code wow</w> !!</w>}. Each text
 * piece between them is cleaned ({@link BasicTextCleaner}), cut by CLIP's regex and byte-level
 * BPE'd. Then bos/eos are added, the middle truncated to {@code model_max_length - 2} and the
 * rest padded with the folder's pad token.
 *
 * <p>Immutable apart from a concurrent BPE cache: safe to share between threads.
 */
public final class ClipTokenizer {
    /** Classpath location of the CLIP BPE vocabulary bundled with the engine (OpenAI CLIP's, MIT License). */
    public static final String BUNDLED_VOCAB = "/dev/turbojet/clip/vocab.json";
    /** Classpath location of the bundled CLIP BPE merges. */
    public static final String BUNDLED_MERGES = "/dev/turbojet/clip/merges.txt";

    /** CLIPTokenizer reads only the first {@code 49152 - 256 - 2} merges of merges.txt. */
    static final int MAX_MERGES = 49152 - 256 - 2;
    private static final int MAX_CACHE_ENTRIES = 1 << 16;
    private static final String START_OF_TEXT = "<|startoftext|>";
    private static final String END_OF_TEXT = "<|endoftext|>";

    /**
     * One prompt, padded and truncated.
     *
     * @param ids                 [modelMaxLength] bos, tokens, eos, then pad ids
     * @param attentionMask       [modelMaxLength] 1 for bos, tokens and eos, 0 for padding
     * @param untruncatedLength   number of ids before truncation, bos and eos included
     * @param truncated           whether tokens were dropped to fit
     */
    public record Encoding(int[] ids, int[] attentionMask, int untruncatedLength, boolean truncated) {
        @Override
        public String toString() {
            return "Encoding[ids=" + Arrays.toString(ids) + ", untruncatedLength=" + untruncatedLength
                    + ", truncated=" + truncated + "]";
        }
    }

    /** The token strings and ids of one BPE'd piece. */
    private record Piece(String[] tokens, int[] ids) {}

    private final Map<String, Integer> vocab;
    private final BytePairEncoder bpe;
    /** Added tokens matched literally in the raw prompt, content -> id, longest first. */
    private final Map<String, Integer> addedTokens;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final int unkId;
    private final int modelMaxLength;
    private final ConcurrentHashMap<String, Piece> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(Map<String, Integer> vocab, BytePairEncoder bpe, Map<String, Integer> addedTokens,
                          int bosId, int eosId, int padId, int unkId, int modelMaxLength) {
        this.vocab = vocab;
        this.bpe = bpe;
        this.addedTokens = addedTokens;
        this.bosId = bosId;
        this.eosId = eosId;
        this.padId = padId;
        this.unkId = unkId;
        this.modelMaxLength = modelMaxLength;
        // CLIPTokenizer seeds its cache so the regex's literal special tokens stay whole.
        for (String special : List.of(START_OF_TEXT, END_OF_TEXT)) {
            Integer id = vocab.get(special);
            if (id != null) cache.put(special, new Piece(new String[] {special}, new int[] {id}));
        }
    }

    /**
     * Reads vocab.json, merges.txt and tokenizer_config.json (required) and
     * special_tokens_map.json (optional; overrides the config's bos/eos/unk/pad as transformers does).
     */
    public static ClipTokenizer load(Path folder) {
        Path mapFile = folder.resolve("special_tokens_map.json");
        return build(new Texts(
                readString(folder.resolve("vocab.json")), folder.resolve("vocab.json").toString(),
                readString(folder.resolve("merges.txt")), folder.resolve("merges.txt").toString(),
                readString(folder.resolve("tokenizer_config.json")), folder.resolve("tokenizer_config.json").toString(),
                Files.exists(mapFile) ? Optional.of(readString(mapFile)) : Optional.empty(), mapFile.toString(),
                folder.toString()));
    }

    /**
     * The same files from anywhere: the BPE vocabulary and merges as streams (read fully, not
     * closed), the two small JSON files as text. {@code origin} names them in error messages
     * ("bundled SDXL Turbo tokenizer_2").
     */
    public static ClipTokenizer load(InputStream vocab, InputStream merges, String tokenizerConfigJson,
                                     Optional<String> specialTokensMapJson, String origin) {
        return build(new Texts(readStream(vocab, origin + " vocab.json"), origin + " vocab.json",
                readStream(merges, origin + " merges.txt"), origin + " merges.txt",
                tokenizerConfigJson, origin + " tokenizer_config.json",
                specialTokensMapJson, origin + " special_tokens_map.json", origin));
    }

    /**
     * A tokenizer from the engine's resources: the bundled CLIP vocabulary and merges (shared by
     * every CLIP tokenizer) with the tokenizer_config.json and optional special_tokens_map.json under
     * the classpath folder {@code configFolder} ("/dev/turbojet/models/sdxl-turbo/tokenizer_2/").
     */
    public static ClipTokenizer bundled(String configFolder) {
        String folder = configFolder.endsWith("/") ? configFolder : configFolder + "/";
        String config = resourceText(folder + "tokenizer_config.json")
                .orElseThrow(() -> new IllegalStateException("bundled tokenizer config " + folder
                        + "tokenizer_config.json is missing from the engine's jar"));
        try (InputStream vocab = resource(BUNDLED_VOCAB); InputStream merges = resource(BUNDLED_MERGES)) {
            return load(vocab, merges, config, resourceText(folder + "special_tokens_map.json"), "bundled " + folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled CLIP vocabulary: " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = ClipTokenizer.class.getResourceAsStream(name);
        if (in == null) throw new IllegalStateException("bundled tokenizer file " + name + " is missing from the engine's jar");
        return in;
    }

    private static Optional<String> resourceText(String name) {
        try (InputStream in = ClipTokenizer.class.getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled tokenizer file " + name + ": " + e.getMessage(), e);
        }
    }

    /** The four tokenizer files' contents, each with the name it goes by in messages. */
    private record Texts(String vocab, String vocabOrigin, String merges, String mergesOrigin, String config,
                         String configOrigin, Optional<String> specialTokens, String specialOrigin, String origin) {}

    private static ClipTokenizer build(Texts t) {
        Map<String, Integer> vocab = readVocab(t.vocab(), t.vocabOrigin());
        BytePairEncoder bpe = new BytePairEncoder(readMerges(t.merges(), t.mergesOrigin()));

        String configFile = t.configOrigin();
        JsonNode config = readJson(t.config(), configFile);
        Map<String, String> special = new HashMap<>(Map.of(
                "bos_token", START_OF_TEXT, "eos_token", END_OF_TEXT,
                "unk_token", END_OF_TEXT, "pad_token", END_OF_TEXT));
        overrideSpecialTokens(special, config);
        if (t.specialTokens().isPresent()) overrideSpecialTokens(special, readJson(t.specialTokens().get(), t.specialOrigin()));

        JsonNode maxLength = config.get("model_max_length");
        if (maxLength == null || !maxLength.canConvertToInt() || maxLength.asInt() < 2) {
            throw new IllegalArgumentException(configFile + ": model_max_length missing or not an int >= 2: " + maxLength);
        }

        // Every added_tokens_decoder entry and every special token is matched in the raw text.
        Map<String, Integer> added = new HashMap<>();
        JsonNode decoder = config.path("added_tokens_decoder");
        for (Map.Entry<String, JsonNode> e : decoder.properties()) {
            String content = tokenContent(e.getValue());
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(configFile + ": added_tokens_decoder key is not an id: " + e.getKey());
            }
            if (content == null) throw new IllegalArgumentException(configFile + ": added token " + id + " has no content");
            added.put(content, id);
        }
        for (Map.Entry<String, String> e : special.entrySet()) {
            Integer id = added.containsKey(e.getValue()) ? added.get(e.getValue()) : vocab.get(e.getValue());
            if (id == null) {
                throw new IllegalArgumentException(t.origin() + ": " + e.getKey() + " '" + e.getValue()
                        + "' is neither an added token nor in vocab.json");
            }
            added.put(e.getValue(), id);
        }
        Map<String, Integer> longestFirst = new LinkedHashMap<>();
        added.entrySet().stream()
                .sorted((a, b) -> b.getKey().length() != a.getKey().length()
                        ? b.getKey().length() - a.getKey().length() : a.getKey().compareTo(b.getKey()))
                .forEach(e -> longestFirst.put(e.getKey(), e.getValue()));

        return new ClipTokenizer(vocab, bpe, longestFirst,
                added.get(special.get("bos_token")), added.get(special.get("eos_token")),
                added.get(special.get("pad_token")), added.get(special.get("unk_token")), maxLength.asInt());
    }

    public int modelMaxLength() {
        return modelMaxLength;
    }

    public int padId() {
        return padId;
    }

    /** ids padded or truncated to model_max_length: bos, at most max - 2 tokens, eos, pad ids. */
    public Encoding encode(String prompt) {
        List<Piece> pieces = pieces(prompt);
        int count = 0;
        for (Piece p : pieces) count += p.ids().length;
        int keep = Math.min(count, modelMaxLength - 2);
        int[] ids = new int[modelMaxLength];
        int[] mask = new int[modelMaxLength];
        ids[0] = bosId;
        int at = 1;
        for (Piece p : pieces) {
            int n = Math.min(p.ids().length, keep - (at - 1));
            System.arraycopy(p.ids(), 0, ids, at, n);
            at += n;
        }
        ids[at++] = eosId;
        Arrays.fill(mask, 0, at, 1);
        Arrays.fill(ids, at, modelMaxLength, padId);
        return new Encoding(ids, mask, count + 2, count > keep);
    }

    /** bos, every token id, eos: no truncation, no padding. */
    public int[] encodeUntruncated(String prompt) {
        List<Piece> pieces = pieces(prompt);
        int count = 0;
        for (Piece p : pieces) count += p.ids().length;
        int[] ids = new int[count + 2];
        ids[0] = bosId;
        int at = 1;
        for (Piece p : pieces) {
            System.arraycopy(p.ids(), 0, ids, at, p.ids().length);
            at += p.ids().length;
        }
        ids[at] = eosId;
        return ids;
    }

    /** The token strings matching {@link #encodeUntruncated}, bos and eos included. */
    public List<String> tokens(String prompt) {
        List<String> out = new ArrayList<>();
        out.add(START_OF_TEXT);
        for (Piece p : pieces(prompt)) out.addAll(Arrays.asList(p.tokens()));
        out.add(END_OF_TEXT);
        return out;
    }

    /** Splits on added tokens, then tokenizes each text span between them. */
    private List<Piece> pieces(String prompt) {
        List<Piece> out = new ArrayList<>();
        int textStart = 0;
        int i = 0;
        while (i < prompt.length()) {
            String match = addedTokenAt(prompt, i);
            if (match == null) {
                i++;
                continue;
            }
            if (i > textStart) tokenizeText(prompt.substring(textStart, i), out);
            out.add(new Piece(new String[] {match}, new int[] {addedTokens.get(match)}));
            i += match.length();
            textStart = i;
        }
        if (textStart < prompt.length()) tokenizeText(prompt.substring(textStart), out);
        return out;
    }

    private String addedTokenAt(String text, int at) {
        for (String token : addedTokens.keySet()) {
            if (text.startsWith(token, at)) return token;
        }
        return null;
    }

    /** CLIPTokenizer._tokenize: clean, lower-case, CLIP regex, byte-level BPE. */
    private void tokenizeText(String text, List<Piece> out) {
        String clean = BasicTextCleaner.clean(text).toLowerCase(Locale.ROOT);
        ClipPreTokenizer.split(clean, piece -> out.add(bpePiece(piece)));
    }

    private Piece bpePiece(String piece) {
        String word = BytePairEncoder.byteEncode(piece);
        Piece cached = cache.get(word);
        if (cached != null) return cached;
        String[] tokens = bpe.encode(word);
        int[] ids = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) ids[i] = vocab.getOrDefault(tokens[i], unkId);
        Piece result = new Piece(tokens, ids);
        if (cache.size() < MAX_CACHE_ENTRIES) cache.putIfAbsent(word, result);
        return result;
    }

    private static void overrideSpecialTokens(Map<String, String> special, JsonNode json) {
        for (String key : List.copyOf(special.keySet())) {
            String content = tokenContent(json.get(key));
            if (content != null) special.put(key, content);
        }
    }

    /** A token written as a plain string or as an AddedToken object with "content". */
    private static String tokenContent(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return node.asText();
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? content.asText() : null;
    }

    private static Map<String, Integer> readVocab(String text, String file) {
        JsonNode json = readJson(text, file);
        if (!json.isObject() || json.isEmpty()) {
            throw new IllegalArgumentException(file + ": expected a non-empty JSON object of token -> id");
        }
        Map<String, Integer> vocab = new HashMap<>(json.size() * 2);
        for (Map.Entry<String, JsonNode> e : json.properties()) {
            if (!e.getValue().canConvertToInt()) {
                throw new IllegalArgumentException(file + ": id of token '" + e.getKey() + "' is not an int: " + e.getValue());
            }
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        return Map.copyOf(vocab);
    }

    /** merges.txt: a "#version" line, then "left right" per line in rank order. */
    private static List<String[]> readMerges(String text, String file) {
        List<String> lines = text.lines().toList();
        if (lines.isEmpty() || !lines.get(0).startsWith("#version")) {
            throw new IllegalArgumentException(file + ": does not start with a #version line");
        }
        int end = lines.size();
        while (end > 1 && lines.get(end - 1).isBlank()) end--;
        end = Math.min(end, 1 + MAX_MERGES);
        List<String[]> merges = new ArrayList<>(end);
        for (int i = 1; i < end; i++) {
            String[] pair = lines.get(i).strip().split("\\s+");
            if (pair.length != 2) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected two symbols, got '" + lines.get(i) + "'");
            }
            merges.add(pair);
        }
        if (merges.isEmpty()) throw new IllegalArgumentException(file + ": no merges");
        return merges;
    }

    private static JsonNode readJson(String text, String file) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + dev.turbojet.io.ConfigJson.problem(e), e);
        }
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("tokenizer file not found: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String readStream(InputStream in, String what) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer file " + what + ": " + e.getMessage(), e);
        }
    }
}
