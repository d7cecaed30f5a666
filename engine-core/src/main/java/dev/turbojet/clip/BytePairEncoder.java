package dev.turbojet.clip;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CLIP's byte-level BPE over one pre-tokenized piece: the piece's UTF-8 bytes are mapped to
 * printable characters (GPT-2's {@code bytes_to_unicode}), {@code </w>} is appended to the last
 * symbol, then the lowest-ranked adjacent pair is merged (every non-overlapping occurrence, left
 * to right) until no ranked pair is left. Immutable after construction, so thread-safe.
 */
final class BytePairEncoder {
    static final String END_OF_WORD = "</w>";

    /** GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves, the rest to U+0100.. */
    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = (char) (printable ? b : next++);
        }
    }

    /** Every symbol that a merge mentions or produces, and the 512 single-byte start symbols. */
    private final Map<String, Integer> symbolIds = new HashMap<>();
    private final List<String> symbols = new ArrayList<>();
    /** (left id, right id) packed in a long -> (rank << 32) | merged id. */
    private final Map<Long, Long> merges = new HashMap<>();

    /** @param mergePairs the merges in rank order, each {left, right}. */
    BytePairEncoder(List<String[]> mergePairs) {
        for (int b = 0; b < 256; b++) {
            symbolId(String.valueOf(BYTE_TO_CHAR[b]));
            symbolId(BYTE_TO_CHAR[b] + END_OF_WORD);
        }
        for (int rank = 0; rank < mergePairs.size(); rank++) {
            String[] pair = mergePairs.get(rank);
            int left = symbolId(pair[0]);
            int right = symbolId(pair[1]);
            int merged = symbolId(pair[0] + pair[1]);
            // A repeated pair keeps its last rank, as a Python dict built from the list would.
            merges.put(pairKey(left, right), ((long) rank << 32) | merged);
        }
    }

    /** The piece's UTF-8 bytes as bytes_to_unicode characters, one char per byte. */
    static String byteEncode(String piece) {
        byte[] utf8 = piece.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        char[] chars = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) chars[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
        return new String(chars);
    }

    /** BPE of a byte-encoded piece into its token strings (the last one ends in {@code </w>}). */
    String[] encode(String word) {
        int n = word.length();
        if (n == 0) return new String[0];
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            String symbol = i == n - 1 ? word.charAt(i) + END_OF_WORD : String.valueOf(word.charAt(i));
            ids[i] = symbolIds.get(symbol);
        }
        while (n > 1) {
            long best = Long.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                Long merge = merges.get(pairKey(ids[i], ids[i + 1]));
                if (merge != null && merge < best) best = merge;
            }
            if (best == Long.MAX_VALUE) break;
            long bestRank = best >>> 32;
            int merged = (int) best;
            int out = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n) {
                    Long merge = merges.get(pairKey(ids[i], ids[i + 1]));
                    if (merge != null && (merge >>> 32) == bestRank) {
                        ids[out++] = merged;
                        i += 2;
                        continue;
                    }
                }
                ids[out++] = ids[i++];
            }
            n = out;
        }
        String[] tokens = new String[n];
        for (int i = 0; i < n; i++) tokens[i] = symbols.get(ids[i]);
        return tokens;
    }

    private int symbolId(String symbol) {
        Integer id = symbolIds.get(symbol);
        if (id != null) return id;
        symbolIds.put(symbol, symbols.size());
        symbols.add(symbol);
        return symbols.size() - 1;
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }
}
