package dev.turbojet.image;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes an {@link RgbImage} as a PNG (8-bit truecolour, not interlaced) with text metadata.
 * Each row is filtered with whichever of the five PNG filters gives the smallest sum of absolute
 * residuals (the heuristic the PNG specification suggests), then the whole stream is zlib-deflated.
 * A metadata entry becomes a {@code tEXt} chunk when key and value are Latin-1, else an
 * uncompressed {@code iTXt} chunk holding UTF-8 (prompts in any language).
 */
public final class PngWriter {
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** IDAT payloads are split into chunks of at most this many bytes. */
    private static final int IDAT_CHUNK = 1 << 18;

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private PngWriter() {}

    /**
     * Writes to {@code file} through a temporary sibling that is moved into place, so a crash leaves no
     * half PNG. The file gets the permissions the user's umask gives a new file, as other tools' output
     * does (not the owner-only ones of {@link Files#createTempFile}).
     */
    public static void write(RgbImage image, Map<String, String> text, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Path tmp = parent.resolve("." + file.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".part");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
                write(image, text, out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes the PNG to {@code out} (not closed); {@code text} is written in its iteration order. */
    public static void write(RgbImage image, Map<String, String> text, OutputStream out) throws IOException {
        out.write(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, image.width());
        putInt(ihdr, 4, image.height());
        ihdr[8] = 8;   // bit depth
        ihdr[9] = 2;   // colour type: truecolour
        // compression 0 (deflate), filter method 0 (adaptive), interlace 0 (none)
        chunk(out, "IHDR", ihdr);
        for (Map.Entry<String, String> e : text.entrySet()) {
            textChunk(out, e.getKey(), e.getValue());
        }
        byte[] idat = deflate(filter(image));
        for (int off = 0; off < idat.length; off += IDAT_CHUNK) {
            chunk(out, "IDAT", java.util.Arrays.copyOfRange(idat, off, Math.min(idat.length, off + IDAT_CHUNK)));
        }
        chunk(out, "IEND", new byte[0]);
    }

    /** The PNG as bytes. */
    public static byte[] toBytes(RgbImage image, Map<String, String> text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(image, text, out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private static void textChunk(OutputStream out, String key, String value) throws IOException {
        if (key.isEmpty() || key.length() > 79 || !isLatin1(key) || key.indexOf('\0') >= 0
                || key.startsWith(" ") || key.endsWith(" ") || key.contains("  ")) {
            throw new IllegalArgumentException("PNG text key '" + key + "' must be 1..79 Latin-1 characters"
                    + " without NUL, leading, trailing or double spaces");
        }
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(k);
        body.write(0);
        if (isLatin1(value) && value.indexOf('\0') < 0) {
            body.write(value.getBytes(StandardCharsets.ISO_8859_1));
            chunk(out, "tEXt", body.toByteArray());
        } else {
            body.write(0);  // compression flag: uncompressed
            body.write(0);  // compression method
            body.write(0);  // empty language tag
            body.write(0);  // empty translated keyword
            body.write(value.getBytes(StandardCharsets.UTF_8));
            chunk(out, "iTXt", body.toByteArray());
        }
    }

    private static boolean isLatin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) return false;
        }
        return true;
    }

    /** Each row prefixed with its filter type byte, the filter chosen per row. */
    static byte[] filter(RgbImage image) {
        int stride = image.width() * 3;
        byte[] src = image.rgb();
        byte[] out = new byte[(stride + 1) * image.height()];
        byte[] candidate = new byte[stride];
        byte[] best = new byte[stride];
        for (int y = 0; y < image.height(); y++) {
            int row = y * stride;
            int prev = row - stride;  // negative on the first row: "above" reads as zero
            long bestCost = Long.MAX_VALUE;
            int bestType = 0;
            for (int type = 0; type < 5; type++) {
                long cost = 0;
                for (int i = 0; i < stride; i++) {
                    int x = src[row + i] & 0xff;
                    int a = i >= 3 ? src[row + i - 3] & 0xff : 0;
                    int b = prev >= 0 ? src[prev + i] & 0xff : 0;
                    int c = i >= 3 && prev >= 0 ? src[prev + i - 3] & 0xff : 0;
                    int predicted = switch (type) {
                        case 0 -> 0;
                        case 1 -> a;
                        case 2 -> b;
                        case 3 -> (a + b) >>> 1;
                        default -> paeth(a, b, c);
                    };
                    byte residual = (byte) (x - predicted);
                    candidate[i] = residual;
                    cost += Math.abs(residual);
                }
                if (cost < bestCost) {
                    bestCost = cost;
                    bestType = type;
                    System.arraycopy(candidate, 0, best, 0, stride);
                }
            }
            int dst = y * (stride + 1);
            out[dst] = (byte) bestType;
            System.arraycopy(best, 0, out, dst + 1, stride);
        }
        return out;
    }

    static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(6);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
            byte[] buf = new byte[1 << 16];
            while (!deflater.finished()) {
                int n = deflater.deflate(buf);
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void chunk(OutputStream out, String type, byte[] data) throws IOException {
        byte[] head = new byte[8];
        putInt(head, 0, data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, head, 4, 4);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        byte[] tail = new byte[4];
        putInt(tail, 0, (int) crc.getValue());
        out.write(head);
        out.write(data);
        out.write(tail);
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
