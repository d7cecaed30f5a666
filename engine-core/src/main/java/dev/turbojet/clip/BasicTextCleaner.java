package dev.turbojet.clip;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The text normalisation of transformers' slow CLIPTokenizer when ftfy is not installed:
 * {@code " ".join(BasicTokenizer(strip_accents=False, do_split_on_punc=False).tokenize(text))}.
 *
 * <ol>
 *   <li>drop U+0000, U+FFFD and every "C*" character except \t \n \r (these are whitespace);</li>
 *   <li>turn whitespace (space, \t, \n, \r, category Zs) into a space;</li>
 *   <li>put spaces around CJK ideographs (BERT's {@code _is_chinese_char} blocks);</li>
 *   <li>NFC, split on Python whitespace ({@code str.split()}), lower-case each word
 *       ({@code str.lower()}: full case mapping, final sigma), join with single spaces.</li>
 * </ol>
 * Punctuation is not split and accents are kept. Stateless and thread-safe.
 */
final class BasicTextCleaner {
    private BasicTextCleaner() {}

    static String clean(String text) {
        StringBuilder cleaned = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) continue;
            if (isBertWhitespace(cp)) {
                cleaned.append(' ');
            } else if (isCjkIdeograph(cp)) {
                cleaned.append(' ').appendCodePoint(cp).append(' ');
            } else {
                cleaned.appendCodePoint(cp);
            }
        }
        String nfc = Normalizer.normalize(cleaned, Normalizer.Form.NFC);

        StringBuilder out = new StringBuilder(nfc.length());
        int start = -1;
        for (int i = 0; i <= nfc.length(); ) {
            int cp = i < nfc.length() ? nfc.codePointAt(i) : ' ';
            boolean space = isPythonWhitespace(cp);
            if (!space && start < 0) start = i;
            if ((space || i == nfc.length()) && start >= 0) {
                if (!out.isEmpty()) out.append(' ');
                out.append(nfc.substring(start, i).toLowerCase(Locale.ROOT));
                start = -1;
            }
            if (i == nfc.length()) break;
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /** BERT's {@code _is_control}: Unicode category C* (Cc, Cf, Cs, Co, Cn), but not \t \n \r. */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') return false;
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED -> true;
            default -> false;
        };
    }

    /** BERT's {@code _is_whitespace}: space, \t, \n, \r and category Zs. */
    static boolean isBertWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'
                || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /**
     * Python's {@code str.isspace()} (bidi class WS, B or S, or category Zs), which is what
     * {@code str.split()} splits on; also what CLIP's regex {@code \s} can meet after cleaning.
     */
    static boolean isPythonWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0
                || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** BERT's {@code _is_chinese_char}: the CJK Unified Ideographs blocks (not kana or Hangul). */
    static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
