package dev.turbojet.clip;

import java.util.function.Consumer;

/**
 * CLIP's pre-tokenizer regex, applied to cleaned, lower-cased text:
 * <pre>{@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}</pre>
 * (case-insensitive). At each position the first alternative that matches wins, as in
 * {@code regex.findall}; characters no alternative matches (whitespace) are skipped. So a digit
 * is always its own piece, and a run of punctuation, symbols and combining marks stays together.
 */
final class ClipPreTokenizer {
    private static final String[] LITERALS = {"<|startoftext|>", "<|endoftext|>"};
    private static final String[] CONTRACTIONS = {"s", "t", "re", "ve", "m", "ll", "d"};

    private ClipPreTokenizer() {}

    static void split(String text, Consumer<String> pieces) {
        int i = 0;
        int n = text.length();
        while (i < n) {
            int end = matchAt(text, i);
            if (end > i) {
                pieces.accept(text.substring(i, end));
                i = end;
            } else {
                i += Character.charCount(text.codePointAt(i));
            }
        }
    }

    /** End of the regex match starting at {@code i}, or {@code i} when nothing matches there. */
    private static int matchAt(String text, int i) {
        for (String literal : LITERALS) {
            if (text.regionMatches(true, i, literal, 0, literal.length())) return i + literal.length();
        }
        int cp = text.codePointAt(i);
        if (cp == '\'') {
            for (String c : CONTRACTIONS) {
                if (contractionAt(text, i + 1, c)) return i + 1 + c.length();
            }
        }
        if (Character.isLetter(cp)) {
            int j = i;
            while (j < text.length() && Character.isLetter(text.codePointAt(j))) j += Character.charCount(text.codePointAt(j));
            return j;
        }
        if (isNumber(cp)) return i + Character.charCount(cp);
        if (!BasicTextCleaner.isPythonWhitespace(cp)) {
            int j = i;
            while (j < text.length()) {
                int c = text.codePointAt(j);
                if (Character.isLetter(c) || isNumber(c) || BasicTextCleaner.isPythonWhitespace(c)) break;
                j += Character.charCount(c);
            }
            return j;
        }
        return i;
    }

    /** Case-insensitive match of a contraction suffix; long s (U+017F) case-folds to 's'. */
    private static boolean contractionAt(String text, int at, String suffix) {
        if (at + suffix.length() > text.length()) return false;
        for (int k = 0; k < suffix.length(); k++) {
            char c = text.charAt(at + k);
            char want = suffix.charAt(k);
            boolean same = Character.toLowerCase(c) == want || (want == 's' && c == '\u017F');
            if (!same) return false;
        }
        return true;
    }

    /** \p{N}: categories Nd, Nl and No. */
    static boolean isNumber(int cp) {
        return switch (Character.getType(cp)) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }
}
