package dev.turbojet.clip;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Cases of BERT's BasicTokenizer cleanup + Python str semantics that the goldens do not cover. */
class BasicTextCleanerTest {
    @Test
    void dropsControlAndFormatCharactersButKeepsTabsAsSpace() {
        assertEquals("ab c", BasicTextCleaner.clean("a\u0000b\u200b\u00ad\tc\u0007\uFFFD"));
    }

    @Test
    void splitsOnPythonWhitespaceThatIsNotZs() {
        // U+2028/U+2029 (Zl/Zp) survive BERT's cleanup but str.split() splits on them.
        assertEquals("a b c", BasicTextCleaner.clean("a\u2028b\u2029c"));
    }

    @Test
    void spacesCjkIdeographsButNotKanaOrHangul() {
        assertEquals("の 東 京 の", BasicTextCleaner.clean("の東京の"));
        assertEquals("한국어", BasicTextCleaner.clean("한국어"));
    }

    @Test
    void composesNfcAndLowerCasesLikePython() {
        assertEquals("caf\u00e9", BasicTextCleaner.clean("CAFE\u0301"));
        assertEquals("i\u0307stanbul", BasicTextCleaner.clean("\u0130STANBUL"));
        assertEquals("\u03bf\u03b4\u03bf\u03c2 \u03c3\u03b1", BasicTextCleaner.clean("\u039f\u0394\u039f\u03a3 \u03a3\u0391"));
    }
}
