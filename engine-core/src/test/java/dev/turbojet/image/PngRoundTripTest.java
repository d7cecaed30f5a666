package dev.turbojet.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SequencedMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** PNG writing and reading, checked against the JDK's own PNG codec (javax.imageio) as an independent reference. */
class PngRoundTripTest {
    static RgbImage noise(int w, int h, long seed) {
        byte[] rgb = new byte[w * h * 3];
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                // smooth gradients plus noise so that different rows prefer different filters
                rgb[i] = (byte) (x * 255 / Math.max(1, w - 1));
                rgb[i + 1] = (byte) (y % 3 == 0 ? r.nextInt(256) : y * 7);
                rgb[i + 2] = (byte) ((x + y) / 2 + (r.nextInt(5) - 2));
            }
        }
        return new RgbImage(w, h, rgb);
    }

    static GenerationInfo info(String prompt) {
        return new GenerationInfo(prompt, "blurry, lowres", 42, 1, 512, 512, 0.0,
                "stabilityai/sdxl-turbo", "EulerAncestralDiscreteScheduler", "turbojet 0.1.0-SNAPSHOT");
    }

    @Test
    void aWrittenPngHasTheUmasksPermissionsAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "needs POSIX permissions");
        Path plain = java.nio.file.Files.createFile(dir.resolve("made-by-createFile"));
        Path png = dir.resolve("out.png");
        PngWriter.write(noise(4, 3, 1), Map.of(), png);
        PngWriter.write(noise(4, 3, 2), Map.of(), png);  // replaced in place
        assertEquals(java.nio.file.Files.getPosixFilePermissions(plain), java.nio.file.Files.getPosixFilePermissions(png));
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(List.of("made-by-createFile", "out.png"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void pixelsAndMetadataRoundTripIncludingCjkAndEmoji(@TempDir Path dir) throws IOException {
        RgbImage image = noise(37, 23, 1);
        String prompt = "一只戴帽子的猫 🐱🎩, café au lait";
        SequencedMap<String, String> text = info(prompt).toText();
        Path file = dir.resolve("out.png");
        PngWriter.write(image, text, file);

        PngImage back = PngReader.read(file);
        assertArrayEquals(image.rgb(), back.image().rgb());
        assertEquals(37, back.image().width());
        assertEquals(23, back.image().height());
        assertFalse(back.hadAlpha());
        assertEquals(text, back.text());
        assertEquals(List.copyOf(text.keySet()), List.copyOf(back.text().keySet()), "text chunks keep their order");
        assertEquals(prompt, back.text().get("prompt"));
        assertEquals("42", back.text().get("seed"));
        assertTrue(back.text().get("parameters").startsWith(prompt + "\nNegative prompt: blurry, lowres\nSteps: 1, Sampler: Euler a, CFG scale: 0.0, Seed: 42, Size: 512x512"),
                back.text().get("parameters"));

        List<String> types = chunkTypes(PngWriter.toBytes(image, text));
        assertEquals("IHDR", types.getFirst());
        assertEquals("IEND", types.getLast());
        // prompt and parameters hold non-Latin-1 text: iTXt; the plain numbers: tEXt
        assertEquals(2, types.stream().filter("iTXt"::equals).count(), types.toString());
        assertEquals(text.size() - 2, types.stream().filter("tEXt"::equals).count(), types.toString());
    }

    @Test
    void imageIoDecodesWhatWeWrite() throws IOException {
        RgbImage image = noise(64, 48, 2);
        byte[] png = PngWriter.toBytes(image, Map.of("software", "turbojet"));
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(decoded, "ImageIO does not recognise the file");
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int argb = decoded.getRGB(x, y);
                assertEquals(image.get(x, y, 0), (argb >> 16) & 0xff, "R at " + x + "," + y);
                assertEquals(image.get(x, y, 1), (argb >> 8) & 0xff, "G at " + x + "," + y);
                assertEquals(image.get(x, y, 2), argb & 0xff, "B at " + x + "," + y);
            }
        }
    }

    @Test
    void readsRgbRgbaAndGreyWrittenByImageIo() throws IOException {
        RgbImage ref = noise(29, 17, 3);
        for (int type : new int[]{BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_BYTE_GRAY}) {
            BufferedImage bi = new BufferedImage(ref.width(), ref.height(), type);
            for (int y = 0; y < ref.height(); y++) {
                for (int x = 0; x < ref.width(); x++) {
                    int rgb = ref.get(x, y, 0) << 16 | ref.get(x, y, 1) << 8 | ref.get(x, y, 2);
                    bi.setRGB(x, y, (x % 2 == 0 ? 0x80000000 : 0xff000000) | rgb);
                }
            }
            PngImage back = PngReader.read(imageIoPng(bi), "imageio-" + type + ".png");
            assertEquals(type == BufferedImage.TYPE_INT_ARGB, back.hadAlpha());
            for (int y = 0; y < ref.height(); y++) {
                for (int x = 0; x < ref.width(); x++) {
                    // what ImageIO stored, alpha aside (getRGB would colour-convert the linear grey)
                    int expected = bi.getRGB(x, y);
                    for (int c = 0; c < 3; c++) {
                        int e = type == BufferedImage.TYPE_BYTE_GRAY ? bi.getRaster().getSample(x, y, 0)
                                : (expected >> (16 - 8 * c)) & 0xff;
                        assertEquals(e, back.image().get(x, y, c), "type " + type + " pixel " + x + "," + y + " channel " + c);
                    }
                }
            }
        }
    }

    @Test
    void everyFilterTypeDecodes() throws IOException {
        RgbImage image = noise(19, 15, 4);
        byte[] png = encodeWithFilters(image, y -> y % 5);
        assertArrayEquals(image.rgb(), PngReader.read(png, "filters.png").image().rgb());
        assertArrayEquals(image.rgb(), decodeWithImageIo(png), "the test encoder itself agrees with ImageIO");
    }

    @Test
    void writerFiltersRowsAdaptively() {
        byte[] filtered = PngWriter.filter(noise(40, 30, 5));
        boolean[] seen = new boolean[5];
        for (int y = 0; y < 30; y++) seen[filtered[y * (40 * 3 + 1)]] = true;
        int kinds = 0;
        for (boolean s : seen) kinds += s ? 1 : 0;
        assertTrue(kinds >= 2, "one filter for every row: the heuristic is not choosing");
    }

    @Test
    void corruptFilesFailClearly() throws IOException {
        byte[] good = PngWriter.toBytes(noise(8, 8, 6), Map.of("prompt", "x"));

        byte[] badCrc = good.clone();
        badCrc[8 + 8 + 3] ^= 1;   // a byte inside IHDR's data
        assertMessage(badCrc, "CRC mismatch in chunk 'IHDR'");

        assertMessage(java.util.Arrays.copyOf(good, good.length - 20), "truncated");
        assertMessage(java.util.Arrays.copyOf(good, 30), "truncated");

        byte[] badSig = good.clone();
        badSig[1] = 'J';
        assertMessage(badSig, "not a PNG file (bad signature)");
        assertMessage(new byte[3], "not a PNG file");

        BufferedImage indexed = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED);
        assertMessage(imageIoPng(indexed), "palette");
        BufferedImage grey16 = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        assertMessage(imageIoPng(grey16), "16-bit PNGs are not supported");
    }

    private static void assertMessage(byte[] png, String expected) {
        PngFormatException e = assertThrows(PngFormatException.class, () -> PngReader.read(png, "bad.png"));
        assertTrue(e.getMessage().startsWith("bad.png: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    static byte[] imageIoPng(BufferedImage bi) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(bi, "png", out), "ImageIO has no PNG writer");
        return out.toByteArray();
    }

    private static byte[] decodeWithImageIo(byte[] png) throws IOException {
        BufferedImage bi = ImageIO.read(new ByteArrayInputStream(png));
        byte[] rgb = new byte[bi.getWidth() * bi.getHeight() * 3];
        for (int y = 0; y < bi.getHeight(); y++) {
            for (int x = 0; x < bi.getWidth(); x++) {
                int p = bi.getRGB(x, y);
                int i = (y * bi.getWidth() + x) * 3;
                rgb[i] = (byte) (p >> 16);
                rgb[i + 1] = (byte) (p >> 8);
                rgb[i + 2] = (byte) p;
            }
        }
        return rgb;
    }

    static List<String> chunkTypes(byte[] png) {
        List<String> types = new ArrayList<>();
        int pos = 8;
        while (pos < png.length) {
            int len = (png[pos] & 0xff) << 24 | (png[pos + 1] & 0xff) << 16 | (png[pos + 2] & 0xff) << 8 | (png[pos + 3] & 0xff);
            types.add(new String(png, pos + 4, 4, StandardCharsets.US_ASCII));
            pos += 12 + len;
        }
        return types;
    }

    /** A minimal independent encoder that uses the filter {@code filterOf(row)} for each row. */
    private static byte[] encodeWithFilters(RgbImage img, java.util.function.IntUnaryOperator filterOf) throws IOException {
        int stride = img.width() * 3;
        byte[] raw = new byte[(stride + 1) * img.height()];
        byte[] p = img.rgb();
        for (int y = 0; y < img.height(); y++) {
            int type = filterOf.applyAsInt(y);
            raw[y * (stride + 1)] = (byte) type;
            for (int i = 0; i < stride; i++) {
                int x = p[y * stride + i] & 0xff;
                int a = i >= 3 ? p[y * stride + i - 3] & 0xff : 0;
                int b = y > 0 ? p[(y - 1) * stride + i] & 0xff : 0;
                int c = i >= 3 && y > 0 ? p[(y - 1) * stride + i - 3] & 0xff : 0;
                int pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
                int paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                int pred = switch (type) { case 0 -> 0; case 1 -> a; case 2 -> b; case 3 -> (a + b) / 2; default -> paeth; };
                raw[y * (stride + 1) + 1 + i] = (byte) (x - pred);
            }
        }
        Deflater d = new Deflater();
        d.setInput(raw);
        d.finish();
        byte[] buf = new byte[raw.length + 1024];
        int n = d.deflate(buf);
        d.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(PngWriter.SIGNATURE);
        byte[] ihdr = {0, 0, 0, (byte) img.width(), 0, 0, 0, (byte) img.height(), 8, 2, 0, 0, 0};
        chunk(out, "IHDR", ihdr);
        chunk(out, "IDAT", java.util.Arrays.copyOf(buf, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        out.write(new byte[]{(byte) (data.length >>> 24), (byte) (data.length >>> 16), (byte) (data.length >>> 8), (byte) data.length});
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        long v = crc.getValue();
        out.write(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    @Test
    void latin1KeysOnly() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("提示", "x");
        assertThrows(IllegalArgumentException.class, () -> PngWriter.toBytes(noise(2, 2, 7), bad));
    }
}
