package dev.turbojet.image;

import dev.turbojet.testing.Fuzz;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PNG reader ({@code --init-image}) under {@link Fuzz#cases()} seeded mutants of valid PNGs (RGB,
 * RGBA, grey, grey+alpha, text chunks, several IDATs): byte flips, truncations, insertions, IHDR field
 * edits, chunk drops and repeats, each followed most of the time by recomputing every chunk's CRC so that
 * the mutant reaches the decoder. Every case decodes or fails with a {@link PngFormatException} that has a
 * message: never another exception, an OOM or a hang.
 */
class PngFuzzTest {

    @Test
    void everyMutantDecodesOrIsRefusedWithAMessage() throws IOException {
        byte[][] corpus = corpus();
        long seed = Fuzz.seed();
        int cases = Fuzz.cases();
        assertTimeoutPreemptively(Duration.ofSeconds(Math.max(120, cases / 200)), () -> Fuzz.run("png", cases, seed,
                i -> {
                    byte[] b = Fuzz.mutant(corpus, seed, i, Fuzz::flipBytes, Fuzz::truncate, Fuzz::insert, Fuzz::delete,
                            Fuzz::duplicate, PngFuzzTest::editHeader, PngFuzzTest::editHeader, PngFuzzTest::dropOrRepeatChunk);
                    return Fuzz.random(seed, ~i).nextInt(10) < 8 ? fixCrcs(b) : b;
                },
                bytes -> PngReader.read(bytes, "case.png"),
                t -> t instanceof PngFormatException e && e.getMessage() != null && e.getMessage().startsWith("case.png: ")
                        ? null : "threw " + t));
    }

    @Test
    void aHeaderAskingForMoreThanTheDataCanHoldIsRefusedBeforeAllocating() throws IOException {
        byte[] png = PngWriter.toBytes(gradient(4, 4, 3, 0), Map.of());
        ByteBuffer.wrap(png).putInt(16, 8192).putInt(20, 8192);     // IHDR width and height
        png[25] = 6;                                                  // RGBA: 256 MiB of raw rows
        PngFormatException e = assertThrows(PngFormatException.class, () -> PngReader.read(fixCrcs(png), "big.png"));
        assertTrue(e.getMessage().contains("cannot hold the 268443648 bytes its header declares"), e.getMessage());
    }

    @Test
    void aHundredMegapixelImageIsRefusedFromItsHeader() throws IOException {
        byte[] png = PngWriter.toBytes(gradient(4, 4, 3, 0), Map.of());
        ByteBuffer.wrap(png).putInt(16, 10_000).putInt(20, 10_000);
        long t0 = System.nanoTime();
        PngFormatException e = assertThrows(PngFormatException.class, () -> PngReader.read(fixCrcs(png), "huge.png"));
        assertTrue(e.getMessage().equals("huge.png: 10000x10000 is 100 megapixels, over the 67-megapixel limit (8192x8192);"
                + " scale it down first"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "refused at once");
    }

    private static byte[][] corpus() throws IOException {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("prompt", "a red fox");
        text.put("Kommentar", "ünïcödé ✓");
        return new byte[][]{
            PngWriter.toBytes(gradient(5, 3, 1, 0), Map.of()),
            PngWriter.toBytes(gradient(17, 9, 2, 1), text),
            raw(6, 4, 0, 1), raw(3, 5, 4, 2), raw(4, 4, 6, 3),
        };
    }

    private static RgbImage gradient(int w, int h, int seed, int unused) {
        byte[] rgb = new byte[3 * w * h];
        for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) (i * 7 + seed * 31);
        return new RgbImage(w, h, rgb);
    }

    /** A PNG of colour type {@code colourType} (0 grey, 4 grey+alpha, 6 RGBA) with its rows in two IDAT chunks. */
    private static byte[] raw(int w, int h, int colourType, int seed) throws IOException {
        int channels = switch (colourType) {
            case 0 -> 1;
            case 4 -> 2;
            default -> 4;
        };
        SplittableRandom r = new SplittableRandom(seed);
        ByteArrayOutputStream rows = new ByteArrayOutputStream();
        for (int y = 0; y < h; y++) {
            rows.write(r.nextInt(5));                          // filter type
            for (int x = 0; x < w * channels; x++) rows.write(r.nextInt(256));
        }
        Deflater deflater = new Deflater();
        deflater.setInput(rows.toByteArray());
        deflater.finish();
        byte[] buf = new byte[4096];
        int n = deflater.deflate(buf);
        deflater.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(PngWriter.SIGNATURE);
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) colourType).array());
        chunk(out, "IDAT", java.util.Arrays.copyOfRange(buf, 0, n / 2));
        chunk(out, "IDAT", java.util.Arrays.copyOfRange(buf, n / 2, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** IHDR's width, height, depth, colour type or a method byte set to an edge value. */
    static byte[] editHeader(SplittableRandom r, byte[] b) {
        if (b.length < 33) return b;
        ByteBuffer buf = ByteBuffer.wrap(b);
        switch (r.nextInt(4)) {
            case 0 -> buf.putInt(16, (int) Fuzz.interestingNumber(r));
            case 1 -> buf.putInt(20, r.nextBoolean() ? (int) Fuzz.interestingNumber(r) : r.nextInt(1, 20000));
            case 2 -> b[24 + r.nextInt(2)] = (byte) new int[]{0, 1, 2, 3, 4, 6, 7, 8, 16, 255}[r.nextInt(10)];
            default -> b[26 + r.nextInt(3)] = (byte) r.nextInt(3);
        }
        return b;
    }

    /** One chunk (found by walking the lengths) removed or written twice. */
    static byte[] dropOrRepeatChunk(SplittableRandom r, byte[] b) {
        java.util.List<int[]> chunks = chunks(b);
        if (chunks.isEmpty()) return b;
        int[] c = chunks.get(r.nextInt(chunks.size()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, c[1]);
        if (r.nextBoolean()) out.write(b, c[0], c[1] - c[0]);
        out.write(b, c[1], b.length - c[1]);
        byte[] repeated = out.toByteArray();
        if (repeated.length != b.length) return repeated;
        byte[] dropped = new byte[b.length - (c[1] - c[0])];
        System.arraycopy(b, 0, dropped, 0, c[0]);
        System.arraycopy(b, c[1], dropped, c[0], b.length - c[1]);
        return dropped;
    }

    /** Every chunk whose declared length fits the file gets its correct CRC. */
    static byte[] fixCrcs(byte[] b) {
        for (int[] c : chunks(b)) {
            CRC32 crc = new CRC32();
            crc.update(b, c[0] + 4, c[1] - c[0] - 8);
            ByteBuffer.wrap(b).putInt(c[1] - 4, (int) crc.getValue());
        }
        return b;
    }

    /** [start, end) of each chunk after the signature, as far as the lengths lead within the file. */
    private static java.util.List<int[]> chunks(byte[] b) {
        java.util.List<int[]> out = new java.util.ArrayList<>();
        int pos = 8;
        while (pos + 12 <= b.length) {
            long len = ByteBuffer.wrap(b).getInt(pos) & 0xffffffffL;
            if (len > b.length - pos - 12) break;
            out.add(new int[]{pos, pos + 12 + (int) len});
            pos += 12 + (int) len;
        }
        return out;
    }
}
